import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../stream-gateway/free-port.js';
import { cleanup, type TestServer } from '../helpers/server.js';
import { redisUrl, testPrefix } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { launchChromium } from '../helpers/browser.js';
import { buildConsole, consolePage, FakeRenderHost, patientPolls, signIn, startServerOn, startServerProcess } from './harness.js';
import { screenshot } from './screenshots.js';
import { writeRecording } from './recording-files.js';

patientPolls();

// A real server (two instances on one Redis), real workers (flite), a render host over a
// real WebSocket that acknowledges and "plays" what it gets, and the built console in Chromium.
describe('the operator console in a real browser', () => {
  let a: TestServer; // the instance the consoles load from and connect to
  let b: TestServer; // a second instance: the render host's, and the one that stays up
  let port: number;
  let previewPort: number;
  let workers: Part;
  let host: FakeRenderHost;
  let browser: Browser;
  let dataDir: string;
  const prefix = testPrefix('console');
  const problems: string[] = [];
  const pages: Page[] = [];

  const open = async (token: string, path = '/console/'): Promise<Page> => {
    const page = await consolePage(browser, problems);
    pages.push(page);
    await signIn(page, a.url, token, path);
    return page;
  };

  beforeAll(async () => {
    await buildConsole();
    dataDir = mkdtempSync(path.join(tmpdir(), 'livehost-console-'));
    port = await freePort('127.0.0.1');
    // Nothing listens here: a room marked live tries the preview and fails quietly.
    previewPort = await freePort('127.0.0.1');
    const overrides = { previewUrl: `http://127.0.0.1:${previewPort}/live`, dataDir };
    a = await startServerOn(port, prefix, overrides);
    b = await startServerOn(0, prefix, overrides);
    workers = await startPart('workers/main.ts', {
      REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_DATA_DIR: dataDir, LIVEHOST_ANSWERS: 'kb',
    }, /workers ready/);
    host = await FakeRenderHost.connect(b, 'host-1', { refuse: (c) => (c.name === 'camera' && c.camera === 'side' ? 'camera rig offline' : null) });
    await a.core.rooms.create({ id: 'shop', name: 'Sneaker drop', review: 'questions' });
    await a.core.rooms.create({ id: 'travel', name: 'Travel tips' });
    await a.core.rooms.putKb('shop', { qa: [{ question: 'Are the runners waterproof?', answer: 'Yes, the AirStep Runners are waterproof.' }], facts: [] });
    await a.core.placement.place('shop');
    await a.core.placement.place('travel');
    browser = await launchChromium();
  }, 90_000);

  afterEach(async () => {
    for (const p of pages.splice(0)) await p.context().close().catch(() => undefined);
  });

  afterAll(async () => {
    for (const p of pages) await p.context().close().catch(() => undefined);
    await browser?.close();
    host?.close();
    await workers?.stop();
    await cleanup(a, b);
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  /** Script errors and failed requests, except the preview that nothing serves here. */
  const unexpected = () => problems.filter((p) => !p.includes(`:${previewPort}/`) && !p.includes('Failed to load resource')
    // While a server is down the consoles' reconnect attempts are refused; that is the point.
    && !/WebSocket connection to .* failed: .*ERR_CONNECTION_REFUSED/.test(p));

  it('signs in from a #token= link, takes the token out of the address bar and keeps it for the tab', async () => {
    const page = await open(a.adminToken);
    expect(page.url()).not.toContain('token');
    expect(page.url()).toMatch(/\/console\/rooms\/shop\/live$/);
    expect(await page.evaluate(() => sessionStorage.getItem('livehost.console.token'))).toBe(a.adminToken);
    await page.reload();
    await page.locator('.conn[data-state="open"]').waitFor();
    await expect.poll(() => page.locator('.room-tab').count()).toBe(2);

    // Without a token: the sign-in form, which refuses what is not an operator's token.
    const fresh = await consolePage(browser, problems);
    pages.push(fresh);
    await fresh.goto(`${a.url}/console/`);
    await fresh.getByRole('form', { name: 'sign in' }).waitFor();
    await fresh.fill('textarea[name=token]', await a.token({ role: 'bot', rooms: ['shop'] }));
    await fresh.click('button[type=submit]');
    await expect.poll(() => fresh.getByRole('alert').textContent()).toContain('cannot run a show');
    await fresh.fill('textarea[name=token]', await a.token({ role: 'operator', rooms: ['shop'] }));
    await fresh.click('button[type=submit]');
    await fresh.locator('.conn[data-state="open"]').waitFor();
    // An operator scoped to one room sees that room only.
    await expect.poll(() => fresh.locator('.room-tab').count()).toBe(1);
    expect(unexpected()).toEqual([]);
  });

  it('the avatar panel sends a scene change and shows the render host’s ack, and a refused command its error', async () => {
    const page = await open(a.adminToken, '/console/rooms/shop/live');
    const scene = page.getByRole('group', { name: 'Scene' });
    await scene.getByRole('button', { name: 'beach' }).click();
    await expect.poll(() => scene.locator('.outcome').textContent()).toMatch(/✓ ack host-1 · \d+ ms/);
    expect(await scene.getByRole('button', { name: 'beach' }).getAttribute('aria-pressed')).toBe('true');
    expect(host.commands).toContainEqual({ name: 'scene', scene: 'beach' });

    const camera = page.getByRole('group', { name: 'Camera' });
    await camera.getByRole('button', { name: 'side' }).click();
    await expect.poll(() => camera.locator('.outcome').textContent()).toContain('camera rig offline');
    expect(await camera.getByRole('button', { name: 'side' }).getAttribute('aria-pressed')).toBe('false');
    // Both outcomes are in the activity log too.
    await expect.poll(() => page.locator('.activity li').allTextContents()).toEqual(expect.arrayContaining([
      expect.stringMatching(/Camera: side.*camera rig offline/), expect.stringMatching(/Scene: beach.*acknowledged by host-1/),
    ]));
    // A product card, with its price.
    const card = page.getByRole('form', { name: 'Card' });
    await card.getByLabel('card product').fill('AirStep Runners');
    await card.getByLabel('card price').fill('$89');
    await card.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => card.locator('.outcome').textContent()).toMatch(/✓ ack host-1/);
    expect(host.commands).toContainEqual({ name: 'card.show', title: 'AirStep Runners', price: '$89' });
    expect(await page.getByRole('region', { name: 'program' }).locator('.facts').textContent()).toContain('AirStep Runners · $89');
    await screenshot(page.getByRole('region', { name: 'avatar' }), 'avatar');
  });

  it('a line from the say box is synthesized, put on air and shown as spoken', async () => {
    const page = await open(a.adminToken, '/console/rooms/shop/live');
    await page.fill('textarea[aria-label="line to say"]', 'Welcome back, everyone. The new runners are here.');
    await page.selectOption('select[aria-label="speed"]', 'fast');
    await page.click('.say button[type=submit]');
    const item = page.locator('.said li').first();
    await expect.poll(() => item.getAttribute('data-state'), { timeout: 20_000 }).toMatch(/sent|playing|done/);
    await expect.poll(() => item.getAttribute('data-state'), { timeout: 20_000 }).toBe('done');
    expect(await item.textContent()).toContain('spoken');
    const segmentId = await item.getAttribute('data-segment');
    const line = page.locator(`.transcript li[data-segment="${segmentId}"]`);
    expect(await line.getAttribute('data-state')).toBe('done');
    expect(await line.textContent()).toContain('Welcome back, everyone. The new runners are here.');
    await screenshot(page.getByRole('region', { name: 'say' }), 'say');
  });

  it('follows the line on air word by word from its timeline', async () => {
    const page = await open(a.adminToken, '/console/rooms/travel/live');
    // A second a word: slow enough for a loaded machine's polls to see each one lit.
    const words = 'Spring is the best time to visit the old town'.split(' ').map((text, i) => ({ text, startMs: i * 1000, durationMs: 900 }));
    await a.core.events.emit('travel', {
      kind: 'speech.started', segmentId: 'say-demo.0', mediaTimeMs: 0, hostId: 'host-1', text: words.map((w) => w.text).join(' '), words, durationMs: 10_000,
    });
    const current = page.locator('.now .word.current');
    await expect.poll(() => current.textContent()).toMatch(/\w/);
    const seen = new Set<string>();
    await expect.poll(async () => {
      seen.add((await current.textContent().catch(() => '')) ?? '');
      return seen.size;
    }, { timeout: 20_000, interval: 40 }).toBeGreaterThanOrEqual(4);
    // Lit in order: the words before the current one are marked spoken.
    await expect.poll(() => page.locator('.now .word.spoken').count()).toBeGreaterThanOrEqual(3);
    await a.core.events.emit('travel', { kind: 'speech.finished', segmentId: 'say-demo.0', mediaTimeMs: 10_000, interrupted: false, hostId: 'host-1' });
    await expect.poll(() => page.locator('.now').textContent()).toBe('Not speaking');
  });

  it('a second operator on the same room sees the first one’s actions within a second', async () => {
    const first = await open(a.adminToken, '/console/rooms/shop/live');
    const second = await open(await a.token({ role: 'operator', rooms: ['shop'] }), '/console/rooms/shop/live');
    const { questionId } = await a.core.questions.ask('shop', { id: 'v1', name: 'Ana' }, 'Are the runners waterproof?');
    const inFirst = first.locator(`.question[data-question="${questionId}"]`);
    const inSecond = second.locator(`.question[data-question="${questionId}"]`);
    await inFirst.waitFor();
    await inSecond.waitFor();
    expect(await inSecond.getAttribute('data-status')).toBe('review');
    // The switcher counts it as waiting, in both consoles.
    await expect.poll(() => second.locator('.room-tab[data-room="shop"] .count').textContent()).toBe('1');

    // Timed in the pages (one machine, one clock), not through the test driver's round trips.
    await second.evaluate((id) => {
      const w = window as unknown as { changedAt?: number };
      new MutationObserver(() => {
        if (document.querySelector(`.question[data-question="${id}"]`)?.getAttribute('data-status') !== 'review') w.changedAt ??= Date.now();
      }).observe(document.body, { subtree: true, attributes: true, childList: true });
    }, questionId);
    const clickedAt = await inFirst.getByRole('button', { name: 'Approve' }).evaluate((button) => {
      const at = Date.now();
      (button as HTMLButtonElement).click();
      return at;
    });
    const changedAt = await expect.poll(() => second.evaluate(() => (window as unknown as { changedAt?: number }).changedAt ?? null), { interval: 20 }).not.toBeNull()
      .then(() => second.evaluate(() => (window as unknown as { changedAt: number }).changedAt));
    expect(changedAt - clickedAt).toBeLessThan(1000);
    await expect.poll(() => first.locator('.activity li').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/Approve: Are the runners waterproof\?.*accepted/)]));
    // The answer goes on air; the second console follows it too.
    await second.getByRole('tab', { name: /All/ }).click();
    await expect.poll(() => second.locator(`.question[data-question="${questionId}"]`).getAttribute('data-status'), { timeout: 20_000 }).toBe('answered');
    await expect.poll(() => second.locator('.transcript').textContent(), { timeout: 20_000 }).toContain('Yes, the AirStep Runners are waterproof.');
  });

  it('a scene one operator changes shows in a second operator’s console within a second, with who changed it', async () => {
    const first = await open(await a.token({ role: 'operator', rooms: ['shop'], label: 'Producer A' }), '/console/rooms/shop/live');
    // An admin's console names other operators by their token's label.
    const second = await open(a.adminToken, '/console/rooms/shop/live');
    const pressed = (page: Page) => page.locator('[data-command="scene"] button[aria-pressed="true"]').textContent();
    await expect.poll(() => pressed(second)).not.toBe('plain-wall');
    await second.evaluate(() => {
      const w = window as unknown as { changedAt?: number };
      new MutationObserver(() => {
        if (document.querySelector('[data-command="scene"] button[aria-pressed="true"]')?.textContent === 'plain-wall') w.changedAt ??= Date.now();
      }).observe(document.body, { subtree: true, attributes: true, childList: true });
    });
    const clickedAt = await first.getByRole('group', { name: 'Scene' }).getByRole('button', { name: 'plain-wall' }).evaluate((button) => {
      const at = Date.now();
      (button as HTMLButtonElement).click();
      return at;
    });
    const changedAt = await expect.poll(() => second.evaluate(() => (window as unknown as { changedAt?: number }).changedAt ?? null), { interval: 20 }).not.toBeNull()
      .then(() => second.evaluate(() => (window as unknown as { changedAt: number }).changedAt));
    expect(changedAt - clickedAt).toBeLessThan(1000);
    await expect.poll(() => second.locator('.avatar .last-change').textContent()).toMatch(/scene plain-wall by Producer A/);
    await expect.poll(() => first.locator('.avatar .last-change').textContent()).toMatch(/scene plain-wall by you/);
    // The lower third the same way: set in one console, shown in the other's program panel.
    await first.fill('input[aria-label="caption text"]', 'Two operators, one show');
    await first.click('form[aria-label="Caption"] button[type=submit]');
    await expect.poll(() => second.locator('[data-fact="graphics"]').textContent()).toContain('Two operators, one show');
    expect(unexpected()).toEqual([]);
  });

  it('an operator (not only an admin) sees the room’s render host: its id, fps, cpu and when it was last heard from', async () => {
    const page = await open(await a.token({ role: 'operator', rooms: ['shop'] }), '/console/rooms/shop/live');
    const health = page.locator('[data-fact="host"] .host-health');
    await expect.poll(() => health.getAttribute('data-host')).toBe('host-1');
    // The fake host's heartbeat: 30 fps, a quarter of its CPU.
    await expect.poll(() => health.locator('[data-metric="fps"]').textContent()).toBe('30');
    expect(await health.locator('[data-metric="cpu"]').textContent()).toBe('25 %');
    expect(await health.getAttribute('data-tone')).toBe('ok');
    expect(await health.locator('[data-seen]').textContent()).toMatch(/^seen \d+ s ago$/);
    expect(await health.textContent()).toContain('reference renderer · libx264 · 2/8 rooms');
    expect(unexpected()).toEqual([]);
  });

  it('downloads a recording through a signed link, streamed by the browser, not through page memory', async () => {
    writeRecording(dataDir, 'shop', 'rec-1', 8 * 1024 * 1024);
    const page = await open(await a.token({ role: 'operator', rooms: ['shop'] }), '/console/rooms/shop/settings/recordings');
    const row = page.locator('tr[data-recording="rec-1"]');
    await row.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Download MP4' }).click()]);
    // The browser fetched the signed URL itself (no blob: made by the page), and the file is whole.
    expect(download.url()).toMatch(new RegExp(`^${a.url}/api/downloads/recordings/shop/rec-1/show\\.mp4\\?expires=\\d+&sig=`));
    expect(download.suggestedFilename()).toBe('shop-rec-1-show.mp4');
    const saved = path.join(dataDir, 'downloaded.mp4');
    await download.saveAs(saved);
    expect(statSync(saved).size).toBe(8 * 1024 * 1024);
    await expect.poll(() => row.locator('.outcome').textContent()).toContain('download started');
    await screenshot(page.getByRole('region', { name: 'recordings' }), 'recordings');
    expect(unexpected()).toEqual([]);
  });

  it('the room switcher shows each room on air or not and its waiting questions', async () => {
    const page = await open(a.adminToken, '/console/rooms/shop/live');
    await a.core.questions.ask('travel', { id: 'v2', name: 'Ben' }, 'Where should I go in May?');
    await a.core.events.emit('travel', { kind: 'stream', state: 'live' });
    const travel = page.locator('.room-tab[data-room="travel"]');
    await expect.poll(() => travel.locator('.air').textContent()).toBe('LIVE');
    expect(await page.locator('.room-tab[data-room="shop"] .air').textContent()).toBe('OFF');
    await travel.click();
    await expect.poll(() => page.url()).toMatch(/\/console\/rooms\/travel\/live$/);
    await expect.poll(() => page.locator('.program .onair').textContent()).toBe('ON AIR');
    await screenshot(page.getByRole('navigation', { name: 'rooms' }), 'rooms');
    await a.core.events.emit('travel', { kind: 'stream', state: 'offline' });
  });

  it('when its server is killed and another starts on the same Redis, the console resumes without a reload and loses no event', async () => {
    // This console's server is a process of its own, so it can die the hard way (SIGKILL: no goodbye).
    const killPort = await freePort('127.0.0.1');
    const env = { LIVEHOST_PREVIEW_URL: `http://127.0.0.1:${previewPort}/live`, LIVEHOST_DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    let server = await startServerProcess(killPort, prefix, env);
    try {
      const page = await consolePage(browser, problems);
      pages.push(page);
      await signIn(page, `http://127.0.0.1:${killPort}`, a.adminToken, '/console/rooms/shop/live');
      await page.evaluate(() => { (window as unknown as { sameDocument: boolean }).sameDocument = true; });
      const before = await b.core.questions.ask('shop', { id: 'v10', name: 'Cleo' }, 'Do they come in blue?');
      await page.locator(`.question[data-question="${before.questionId}"]`).waitFor();

      await server.stop('SIGKILL');
      await expect.poll(() => page.locator('.banner').getAttribute('data-state')).toMatch(/backoff|connecting/);
      // While nobody serves the console, the room goes on: three questions through another instance.
      const during: string[] = [];
      for (const [i, text] of ['Is there a size 46?', 'How long is delivery?', 'Can I return them?'].entries()) {
        during.push((await b.core.questions.ask('shop', { id: `v2${i}`, name: `Viewer ${i}` }, text)).questionId);
      }
      server = await startServerProcess(killPort, prefix, env);
      await page.locator('.conn[data-state="open"]').waitFor({ timeout: 15_000 });
      await expect.poll(() => page.locator('.conn').textContent()).toContain('resumed 1×');
      for (const id of during) await page.locator(`.question[data-question="${id}"]`).waitFor({ timeout: 20_000 });
      expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
      // Each once.
      for (const id of [before.questionId, ...during]) expect(await page.locator(`.question[data-question="${id}"]`).count()).toBe(1);
      expect(await page.locator('.banner').count()).toBe(0);
      // And the link works: an action goes through the new process to the host.
      const scene = page.getByRole('group', { name: 'Scene' });
      await scene.getByRole('button', { name: 'park' }).click();
      await expect.poll(() => scene.locator('.outcome').textContent()).toMatch(/✓ ack host-1/);
      expect(unexpected()).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 180_000);
});
