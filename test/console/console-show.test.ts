import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../stream-gateway/free-port.js';
import { cleanup, type TestServer } from '../helpers/server.js';
import { redisUrl, testPrefix } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { launchChromium } from '../helpers/browser.js';
import { buildConsole, consolePage, FakeRenderHost, patientPolls, signIn, startServerOn } from './harness.js';
import { screenshot } from './screenshots.js';

patientPolls();

// The show from the console: a library made in the page (synthesized by the real tts worker),
// a rundown built from it, the transport (buttons and keys), the speech queue; a render host
// over a real WebSocket plays what the director sends, one line after another.
describe('running a show from the console', () => {
  let srv: TestServer;
  let workers: Part;
  let host: FakeRenderHost;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const problems: string[] = [];

  beforeAll(async () => {
    await buildConsole();
    dataDir = mkdtempSync(path.join(tmpdir(), 'livehost-console-show-'));
    const prefix = testPrefix('console-show');
    // The server reads the audio the workers wrote (to hear a material), so they share a data directory.
    srv = await startServerOn(0, prefix, { previewUrl: `http://127.0.0.1:${await freePort('127.0.0.1')}/live`, dataDir });
    workers = await startPart('workers/main.ts', {
      REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_DATA_DIR: dataDir, LIVEHOST_ANSWERS: 'kb',
    }, /workers ready/);
    // The line the queue test puts first plays until the test ends it: what waits behind it stays put.
    host = await FakeRenderHost.connect(srv, 'host-1', { playMs: (s) => (s.text.startsWith('This line goes first') ? 600_000 : Math.min(s.durationMs, 2500)) });
    await srv.core.rooms.create({ id: 'launch', name: 'AirStep launch' });
    await srv.core.placement.place('launch');
    browser = await launchChromium();
    page = await consolePage(browser, problems);
    await signIn(page, srv.url, srv.adminToken, '/console/rooms/launch/show');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    host?.close();
    await workers?.stop();
    await cleanup(srv);
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  const library = () => page.getByRole('region', { name: 'library' });
  const rundown = () => page.getByRole('region', { name: 'rundown' });

  async function addMaterial(title: string, text: string, tags = ''): Promise<string> {
    await library().getByRole('button', { name: '+ Material' }).click();
    const form = page.getByRole('form', { name: 'material' });
    await form.getByLabel('material title').fill(title);
    await form.getByLabel('material text').fill(text);
    if (tags) await form.getByLabel('tags').fill(tags);
    await form.getByRole('button', { name: /Create and synthesize/ }).click();
    const row = library().locator('li[data-material]', { hasText: title });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('ready');
    return (await row.getAttribute('data-material'))!;
  }

  it('makes two materials in the library and hears one before air', async () => {
    const intro = await addMaterial('Intro', 'Hello and welcome to the AirStep launch, the lightest runners we ever made.', 'intro');
    await addMaterial('Price', 'Today the AirStep Runners cost eighty nine dollars, with free shipping.', 'airstep');
    const m = await srv.core.library.get('launch', intro);
    expect(m).toMatchObject({ title: 'Intro', status: 'ready', tags: ['intro'] });
    expect(m.durationMs).toBeGreaterThan(1000);
    expect(await library().locator(`li[data-material="${intro}"] .dur`).textContent()).toMatch(/^0:0\d$/);

    const audio = page.waitForResponse((r) => r.url().includes(`/materials/${intro}/audio`));
    await library().getByRole('button', { name: 'hear Intro' }).click();
    const res = await audio;
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('audio/wav');
    // Playing: the button offers to stop it.
    await expect.poll(() => library().getByRole('button', { name: 'hear Intro' }).textContent()).toBe('■');
  });

  it('builds a two-segment rundown from them and saves it as a new version', async () => {
    const materials = await srv.core.library.list('launch');
    const byTitle = (t: string) => materials.find((m) => m.title === t)!.id;
    for (const [i, [title, material, rule]] of [['Welcome', 'Intro', 'on GO'], ['The price', 'Price', 'after the previous']].entries()) {
      await rundown().getByRole('button', { name: '+ Segment' }).click();
      await rundown().getByRole('button', { name: 'New segment' }).click();
      const editor = rundown().locator('.segment-editor');
      await editor.getByLabel('segment title').fill(title!);
      await editor.getByLabel('planned duration').fill('0:20');
      await editor.getByLabel('start rule').selectOption({ label: rule! });
      await editor.getByRole('button', { name: '+ material' }).click();
      await editor.getByLabel('material').selectOption(byTitle(material!));
      await rundown().getByRole('button', { name: title! }).click(); // close the editor
      expect(await rundown().locator('tbody tr[data-segment]').count()).toBe(i + 1);
    }
    await rundown().getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => rundown().locator('.outcome').last().textContent()).toContain('saved');
    const saved = await srv.core.rundowns.get('launch');
    expect(saved.version).toBe(1);
    expect(saved.segments.map((s) => [s.title, s.start.rule, s.plannedMs, s.items])).toEqual([
      ['Welcome', 'manual', 20_000, [{ kind: 'material', materialId: byTitle('Intro') }]],
      ['The price', 'follow', 20_000, [{ kind: 'material', materialId: byTitle('Price') }]],
    ]);
  });

  it('GO (the space bar) plays the rundown: each segment lit in turn, its lines on air in order', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press(' ');
    const transport = page.getByRole('region', { name: 'transport' });
    await expect.poll(() => transport.getAttribute('data-show-state'), { timeout: 20_000 }).toBe('running');
    const [welcome, price] = (await srv.core.rundowns.get('launch')).segments;
    await expect.poll(() => rundown().locator('tr.current').getAttribute('data-segment'), { timeout: 20_000 }).toBe(welcome!.id);
    await expect.poll(() => page.locator('.seg-title').textContent()).toBe('Welcome');
    await page.waitForTimeout(300);
    await screenshot(page, 'show');
    await expect.poll(() => rundown().locator('tr.current').getAttribute('data-segment'), { timeout: 20_000 }).toBe(price!.id);
    await expect.poll(() => rundown().locator(`tr[data-segment="${welcome!.id}"]`).getAttribute('data-state')).toBe('done');
    await expect.poll(() => host.played.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(host.played.slice(0, 2).map((p) => p.interrupted)).toEqual([false, false]);
    // The key press was answered by the director.
    expect(await transport.locator('.outcome').textContent()).toMatch(/✓ done · \d+ ms/);
  }, 60_000);

  it('shows the speech queue, takes a line out of it, and interrupts the line on air', async () => {
    await page.goto(`${srv.url}/console/rooms/launch/live`);
    await page.locator('.conn[data-state="open"]').waitFor();
    await page.fill('textarea[aria-label="line to say"]', 'This line goes first, and the two library lines wait behind it in the speech queue for their turn.');
    await page.click('.say button[type=submit]');
    const queue = page.getByRole('region', { name: 'speech queue' });
    await expect.poll(() => queue.locator('.on-air-line .txt').textContent(), { timeout: 20_000 }).toContain('This line goes first');
    // The words of the line on air are lit as the host speaks them.
    await expect.poll(() => page.locator('.now .word.current').count(), { timeout: 20_000 }).toBe(1);
    // Two library lines wait behind it (queued by another operator, over REST); one is taken out again.
    const [intro, price] = (await srv.core.library.list('launch')).sort((x, y) => x.title.localeCompare(y.title));
    for (const m of [intro!, price!]) {
      const res = await srv.app.inject({ method: 'POST', url: '/api/rooms/launch/show', headers: { authorization: `Bearer ${srv.adminToken}` }, payload: { name: 'material.play', materialId: m.id, priority: 'script' } });
      expect(res.statusCode).toBe(200);
    }
    const waiting = queue.locator('.queue-lines li[data-line]');
    await expect.poll(() => waiting.count(), { timeout: 20_000 }).toBe(2);
    await screenshot(queue, 'queue');
    const mark = host.played.length;
    await waiting.filter({ hasText: price!.text.slice(0, 30) }).getByRole('button', { name: '✕' }).click();
    await expect.poll(() => waiting.count()).toBe(1);

    // The first line ends; the one left in the queue goes on air, and the operator cuts it.
    host.endCurrent();
    await expect.poll(() => queue.locator('.on-air-line .txt').textContent(), { timeout: 20_000 }).toContain(intro!.text.slice(0, 30));
    const before = host.played.length;
    await queue.getByRole('button', { name: /Interrupt/ }).click();
    await expect.poll(() => host.played.length, { timeout: 20_000 }).toBe(before + 1);
    expect(host.played.at(-1)).toMatchObject({ text: intro!.text, interrupted: true });
    await expect.poll(() => page.locator('.transcript li').last().getAttribute('data-state')).toBe('interrupted');
    await expect.poll(() => queue.locator('.on-air-line .txt').count()).toBe(0);
    await page.waitForTimeout(1000);
    expect(host.played.slice(mark).map((p) => p.text)).not.toContain(price!.text);
  }, 60_000);

  it('holds and resumes from the keyboard, with the keys shown on the buttons', async () => {
    await page.goto(`${srv.url}/console/rooms/launch/show`);
    await page.locator('.conn[data-state="open"]').waitFor();
    const transport = page.getByRole('region', { name: 'transport' });
    expect(await transport.getByRole('button', { name: /Hold/ }).textContent()).toContain('H');
    await page.getByRole('button', { name: 'Welcome' }).click(); // focus inside the page, not in a field
    await page.getByRole('button', { name: 'Welcome' }).click(); // and close the editor again
    await page.keyboard.press('Escape');
    // Start again from the top (jump), then hold and resume by key.
    await rundown().locator('tr[data-segment]').first().getByRole('button', { name: 'Jump' }).click();
    await expect.poll(() => transport.getAttribute('data-show-state'), { timeout: 20_000 }).toMatch(/running|waiting/);
    await page.keyboard.press('h');
    await expect.poll(() => transport.getAttribute('data-show-state'), { timeout: 20_000 }).toBe('holding');
    await page.keyboard.press('r');
    await expect.poll(() => transport.getAttribute('data-show-state'), { timeout: 20_000 }).not.toBe('holding');
    // Typing in a field is typing, not transport.
    await library().getByLabel('filter library').fill('hhh');
    await page.waitForTimeout(300);
    expect(await transport.getAttribute('data-show-state')).not.toBe('holding');
    await library().getByLabel('filter library').fill('');
    // A segment open for editing, for the picture.
    await rundown().getByRole('button', { name: 'The price' }).click();
    await rundown().locator('.segment-editor').waitFor();
    await screenshot(rundown(), 'rundown');
    await rundown().getByRole('button', { name: 'The price' }).click();
    await screenshot(library(), 'library');
    expect(problems.filter((p) => !p.includes('Failed to load resource'))).toEqual([]);
  }, 60_000);

  it('finds every line the host played in the as-run view, the cut one marked', async () => {
    await page.click('nav[aria-label="pages"] >> text=As-run');
    const asRun = page.getByRole('region', { name: 'as-run' });
    const played = [...new Set(host.played.map((p) => p.text))];
    await expect.poll(() => asRun.locator('tr[data-entry]').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(host.played.length);
    const table = (await asRun.locator('tbody').textContent()) ?? '';
    for (const text of played) expect(table).toContain(text);
    expect(await asRun.locator('tr.interrupted').count()).toBe(host.played.filter((p) => p.interrupted).length);
  }, 30_000);
});
