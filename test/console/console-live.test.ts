import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../stream-gateway/free-port.js';
import { cleanup, TEST_PUBLISH_SECRET, type TestServer } from '../helpers/server.js';
import { redisUrl, testPrefix } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { launchChromium } from '../helpers/browser.js';
import { TestClient } from '../helpers/ws-client.js';
import { buildConsole, consolePage, patientPolls, signIn, startServerOn } from './harness.js';
import { screenshot } from './screenshots.js';

patientPolls();

// Every part real: server, workers (flite), the render bridge (reference renderer, ffmpeg),
// the stream gateway; the console plays the room's preview and drives the real render host.
describe('the operator console on a live show', () => {
  let srv: TestServer;
  const parts: Part[] = [];
  let dir: string;
  let browser: Browser;
  let page: Page;
  let bot: TestClient;
  const problems: string[] = [];

  beforeAll(async () => {
    await buildConsole();
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-console-live-'));
    const [rtmpPort, httpPort, port] = await Promise.all([freePort('127.0.0.1'), freePort('127.0.0.1'), freePort('127.0.0.1')]);
    srv = await startServerOn(port, testPrefix('console-live'), { rtmpUrl: `rtmp://127.0.0.1:${rtmpPort}/live`, previewUrl: `http://127.0.0.1:${httpPort}/live`, dataDir: dir });
    const common = { REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: srv.prefix, LIVEHOST_DATA_DIR: dir, LIVEHOST_PUBLISH_SECRET: TEST_PUBLISH_SECRET };
    parts.push(await startPart('stream-gateway/main.ts', {
      ...common, LIVEHOST_GATEWAY_HOST: '127.0.0.1', LIVEHOST_RTMP_PORT: String(rtmpPort), LIVEHOST_GATEWAY_HTTP_PORT: String(httpPort), LIVEHOST_RECORDING: 'false',
    }, /stream gateway listening/));
    parts.push(await startPart('workers/main.ts', { ...common, LIVEHOST_ANSWERS: 'kb' }, /workers ready/));
    await srv.core.rooms.create({
      id: 'demo', name: 'AirStep launch', review: 'questions', look: { character: 'ava', scene: 'shopping-mall', camera: 'front' },
      persona: 'A cheerful host presenting the AirStep Runners.', blocklist: ['\\bcompetitor\\b'],
    });
    await srv.core.rooms.create({ id: 'travel', name: 'Travel tips' });
    await srv.core.rooms.putKb('demo', {
      qa: [
        { question: 'How much do the AirStep Runners cost?', answer: 'The AirStep Runners cost eighty nine dollars today.' },
        { question: 'Are they waterproof?', answer: 'Yes, they are fully waterproof.' },
        { question: 'What sizes are there?', answer: 'Sizes thirty six to forty seven.' },
      ],
      facts: ['Free shipping on orders over fifty dollars.', 'Returns are free for thirty days.'],
    });
    await srv.core.placement.place('demo');
    parts.push(await startPart('render-bridge/main.ts', {
      ...common, LIVEHOST_SERVER_URL: srv.wsUrl, LIVEHOST_HOST_TOKEN: await srv.token({ role: 'render-host', hostId: 'gpu-1' }), LIVEHOST_HOST_CAPACITY: '2',
    }, /room started/, 30_000));
    bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['demo'] }));
    browser = await launchChromium();
    page = await consolePage(browser, problems);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    bot?.close();
    for (const p of parts.reverse()) await p.stop();
    await cleanup(srv);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('plays the program with its sound level, and shows a spoken line as it airs', async () => {
    // A line of speech long enough to find it playing with the meter up, even on a slow machine.
    await signIn(page, srv.url, srv.adminToken, '/console/rooms/demo/live');
    const program = page.getByRole('region', { name: 'program' });
    await expect.poll(() => program.locator('.onair').textContent(), { timeout: 20_000 }).toBe('ON AIR');
    await expect.poll(() => program.getAttribute('data-preview'), { timeout: 20_000 }).toBe('playing');
    const video = page.locator('#program-video');
    expect(await video.evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight])).toEqual([1280, 720]);
    const t1 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    // The picture moves (a loaded machine may encode slower than real time: the deadline is far).
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 }).toBeGreaterThan(t1 + 0.3);

    // Audio starts with a click (as in any browser); the meter reads the program before any speech.
    await page.mouse.click(5, 990);
    const meter = page.getByRole('meter');
    await expect.poll(() => meter.getAttribute('data-running')).toBe('true');
    const level = async () => Number(await meter.getAttribute('data-db'));
    await expect.poll(level, { timeout: 20_000 }).toBeLessThan(-50);

    await page.fill('textarea[aria-label="line to say"]', 'Hello everyone, and welcome to the AirStep launch. Stay with us for a special price, because today the new runners come with free shipping and a second pair of laces.');
    await page.click('.say button[type=submit]');
    const said = page.locator('.said li').first();
    await expect.poll(() => said.getAttribute('data-state'), { timeout: 60_000 }).toBe('playing');
    // The words on air are what the host says, and the program's level rises with them.
    await expect.poll(() => program.locator('.now').textContent(), { timeout: 20_000 }).toContain('welcome to the AirStep launch');
    await expect.poll(level, { timeout: 30_000, interval: 50 }).toBeGreaterThan(-40);
    // The pictures for the README, taken while the picture plays and the meter reads speech if the
    // machine allows (a loaded one buffers now and then; the behaviour was checked above).
    const speaking = async () => (await program.getAttribute('data-preview')) === 'playing' && (await level()) > -40;
    const goodMoment = () => expect.poll(speaking, { timeout: 15_000, interval: 50 }).toBe(true).catch(() => undefined);
    await goodMoment();
    await screenshot(page, 'live');
    await goodMoment();
    await screenshot(program, 'program');
    await expect.poll(() => said.getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
  }, 150_000);

  it('changes the scene on the real render host and shows its ack', async () => {
    const scene = page.getByRole('group', { name: 'Scene' });
    await scene.getByRole('button', { name: 'beach' }).click();
    await expect.poll(() => scene.locator('.outcome').textContent(), { timeout: 20_000 }).toMatch(/✓ ack gpu-1 · \d+ ms/);
    await page.fill('input[aria-label="caption text"]', 'AirStep Runners — $89 today');
    await page.click('form[aria-label="Caption"] button[type=submit]');
    await expect.poll(() => page.locator('form[aria-label="Caption"] .outcome').textContent(), { timeout: 20_000 }).toMatch(/✓ ack gpu-1/);
    expect(await page.getByRole('region', { name: 'program' }).locator('.facts').textContent()).toContain('AirStep Runners — $89 today');
  });

  it('approves a viewer question in review mode and sees it answered on air', async () => {
    bot.send({ type: 'question', id: 'b1', user: { id: 'v1', name: 'Ana' }, text: 'How much do the AirStep Runners cost?' });
    const { questionId } = await bot.next((f) => f.type === 'question.ack');
    bot.send({ type: 'question', id: 'b2', user: { id: 'v2', name: 'Ben' }, text: 'Are they waterproof?' });
    bot.send({ type: 'question', id: 'b3', user: { id: 'v3', name: 'Chloe' }, text: 'What sizes are there?' });
    bot.send({ type: 'question', id: 'b4', user: { id: 'v4', name: 'Dev' }, text: 'how much do the airstep runners cost' });
    const row = page.locator(`.question[data-question="${questionId}"]`);
    await row.waitFor();
    await expect.poll(() => row.locator('.askers').textContent()).toBe('×2');
    await expect.poll(() => page.locator('.room-tab[data-room="demo"] .count').textContent()).toBe('3');
    await screenshot(page.getByRole('region', { name: 'questions' }), 'questions');
    await row.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('tab', { name: /All/ }).click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('answered');
    await expect.poll(() => page.locator('.transcript').textContent()).toContain('The AirStep Runners cost eighty nine dollars today.');
    await page.getByRole('tab', { name: /Waiting/ }).click();
  }, 60_000);

  it('edits the room, its knowledge base and destinations, and issues a bot token shown once', async () => {
    await page.click('nav[aria-label="pages"] >> text=Settings');
    const form = page.getByRole('form', { name: 'room settings' });
    await form.waitFor();
    await form.getByLabel('Name').fill('AirStep launch — live');
    await form.getByRole('button', { name: /Save \(1\)/ }).click();
    await expect.poll(() => form.locator('.outcome').textContent()).toContain('saved');
    expect((await srv.core.rooms.get('demo')).name).toBe('AirStep launch — live');
    await expect.poll(() => page.locator('.room-tab[data-room="demo"] .name').textContent()).toBe('AirStep launch — live');
    await screenshot(page, 'settings');

    await page.click('nav[aria-label="settings sections"] >> text=Knowledge base');
    const kb = page.getByRole('region', { name: 'knowledge base' });
    await kb.locator('input[aria-label="question 1"]').waitFor();
    await kb.getByRole('button', { name: '+ Add' }).first().click();
    await kb.locator('input[aria-label="question 1"]').fill('Do they come in blue?');
    await kb.locator('textarea[aria-label="answer 1"]').fill('Yes, in ocean blue and midnight blue.');
    await kb.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => kb.locator('.outcome').textContent()).toContain('saved');
    expect((await srv.core.rooms.getKb('demo')).qa[0]).toEqual({ question: 'Do they come in blue?', answer: 'Yes, in ocean blue and midnight blue.' });
    await screenshot(page, 'knowledge');

    await page.click('nav[aria-label="settings sections"] >> text=Destinations');
    const dest = page.getByRole('region', { name: 'destinations' });
    const closed = await freePort('127.0.0.1');
    await dest.getByLabel('destination id').fill('backup');
    await dest.locator('input[type=password]').fill(`rtmp://127.0.0.1:${closed}/live/secret-key-123`);
    await dest.getByRole('button', { name: 'Add' }).click();
    const row = dest.locator('tr[data-destination="backup"]');
    await row.waitFor();
    // The key went in once; what comes back is the redacted target.
    expect(await row.textContent()).not.toContain('secret-key-123');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toMatch(/connecting|retrying|failed/);
    await screenshot(page, 'destinations');

    await page.click('nav[aria-label="settings sections"] >> text=Tokens');
    const tokens = page.getByRole('region', { name: 'tokens' });
    await tokens.getByLabel('label').fill('YouTube chat bot');
    await tokens.getByRole('button', { name: 'Issue' }).click();
    const fresh = tokens.locator('input[aria-label="new token"]');
    await fresh.waitFor();
    const issued = await fresh.inputValue();
    const claims = await srv.core.tokens.verify(issued);
    expect(claims).toMatchObject({ role: 'bot', rooms: ['demo'] });
    await expect.poll(() => tokens.locator('tr', { hasText: 'YouTube chat bot' }).count()).toBe(1);
    // A token is a secret even in a picture of a test run.
    await screenshot(page, 'tokens', [fresh]);
    await tokens.getByRole('button', { name: 'Done' }).click();
    expect(await fresh.count()).toBe(0);
    expect(problems.filter((p) => !p.includes('Failed to load resource'))).toEqual([]);
  }, 60_000);
});
