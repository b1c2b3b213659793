import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../stream-gateway/free-port.js';
import { cleanup, type TestServer } from '../helpers/server.js';
import { redisUrl, testPrefix } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { launchChromium } from '../helpers/browser.js';
import { TestClient } from '../helpers/ws-client.js';
import { buildConsole, consolePage, FakeRenderHost, patientPolls, signIn, startServerOn } from './harness.js';
import { screenshot } from './screenshots.js';

patientPolls();

// The newsroom from the console: chat from a bot over its WebSocket, questions grouped and
// ranked, answers drafted by the real qa worker and reviewed before air, bans, the as-run log.
describe('the newsroom in the console', () => {
  let srv: TestServer;
  let workers: Part;
  let host: FakeRenderHost;
  let bot: TestClient;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const problems: string[] = [];

  beforeAll(async () => {
    await buildConsole();
    dataDir = mkdtempSync(path.join(tmpdir(), 'livehost-console-news-'));
    const prefix = testPrefix('console-news');
    srv = await startServerOn(0, prefix, { previewUrl: `http://127.0.0.1:${await freePort('127.0.0.1')}/live`, dataDir });
    workers = await startPart('workers/main.ts', {
      REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_DATA_DIR: dataDir, LIVEHOST_ANSWERS: 'kb',
    }, /workers ready/);
    host = await FakeRenderHost.connect(srv, 'host-1', { maxPlayMs: 1500 });
    await srv.core.rooms.create({ id: 'news', name: 'Sneaker news', review: 'answers' });
    await srv.core.rooms.putKb('news', {
      qa: [
        { question: 'How much do the AirStep Runners cost?', answer: 'The AirStep Runners cost eighty nine dollars.' },
        { question: 'Do the runners come in blue?', answer: 'Yes, they come in ocean blue.' },
      ],
      facts: ['Shipping is free for orders over fifty dollars.'],
    });
    await srv.core.placement.place('news');
    bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['news'] }));
    browser = await launchChromium();
    page = await consolePage(browser, problems);
    await signIn(page, srv.url, srv.adminToken, '/console/rooms/news/live');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    bot?.close();
    host?.close();
    await workers?.stop();
    await cleanup(srv);
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  const chat = () => page.getByRole('region', { name: 'chat' });
  const questions = () => page.getByRole('region', { name: 'questions' });
  let sent = 0;
  const say = (user: string, text: string, kind: 'chat' | 'question' = 'chat') => {
    bot.send({ type: kind, id: `b${++sent}`, user: { id: `yt-${user.toLowerCase()}`, name: user }, text, ...(kind === 'chat' ? { platform: 'youtube' } : {}) });
  };

  it('shows the chat as it comes, a late console gets the history, and a message becomes a question', async () => {
    say('Ana', 'Hi from Lisbon!');
    say('Ben', 'these look great');
    say('Chloe', 'Do the runners come in blue?');
    await expect.poll(() => chat().locator('.chat-list li[data-message]').count(), { timeout: 20_000 }).toBe(3);
    expect(await chat().locator('.chat-list li').first().textContent()).toContain('youtube');

    const late = await consolePage(browser, problems);
    await signIn(late, srv.url, srv.adminToken, '/console/rooms/news/live');
    await expect.poll(() => late.getByRole('region', { name: 'chat' }).locator('li[data-message]').count(), { timeout: 20_000 }).toBe(3);
    await late.context().close();

    // On the All tab: the question leaves Waiting for To review as soon as its draft is ready.
    await questions().getByRole('tab', { name: /All/ }).click();
    await chat().locator('li', { hasText: 'come in blue' }).getByRole('button', { name: '→ Q' }).click();
    await expect.poll(() => questions().locator('.question', { hasText: 'Do the runners come in blue?' }).count(), { timeout: 20_000 }).toBe(1);
  });

  it('drafts the answer for review; the operator edits it, and the edit is what airs', async () => {
    say('Dev', 'How much do the AirStep Runners cost?', 'question');
    await questions().getByRole('tab', { name: /To review/ }).click();
    const row = questions().locator('.question', { hasText: 'How much do the AirStep Runners cost?' });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('draft');
    const draft = row.getByLabel('drafted answer');
    expect(await draft.inputValue()).toBe('The AirStep Runners cost eighty nine dollars.');
    // Where the draft came from, in words: the knowledge base, the entry it matched and how well.
    expect(await row.locator('.draft-meta').textContent()).toMatch(/drafted by the knowledge base.*KB match \d+ %: “How much do the AirStep Runners cost\?”/);
    await screenshot(questions(), 'review');
    const before = host.played.length;
    await draft.fill('The AirStep Runners cost eighty nine dollars, and shipping is free today.');
    await row.getByRole('button', { name: 'Approve edited' }).click();
    await expect.poll(() => host.played.slice(before).map((p) => p.text).join(' '), { timeout: 20_000 }).toContain('shipping is free today');
    expect(host.played.slice(before).map((p) => p.text).join(' ')).not.toMatch(/dollars\.$/);
    await questions().getByRole('tab', { name: /All/ }).click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('answered');
  }, 60_000);

  it('pins a question to the top, and a ban drops the viewer’s next messages', async () => {
    await questions().getByRole('tab', { name: /All/ }).click();
    const blue = questions().locator('.question', { hasText: 'Do the runners come in blue?' });
    // In answers mode the promoted question has a draft by now; pin it and it leads the review list.
    await questions().getByRole('tab', { name: /To review/ }).click();
    await expect.poll(() => blue.getAttribute('data-status'), { timeout: 20_000 }).toBe('draft');
    await blue.getByRole('button', { name: 'Pin' }).click();
    await expect.poll(() => blue.locator('.pin').count()).toBe(1);
    expect(await questions().locator('.question').first().getAttribute('data-question')).toBe(await blue.getAttribute('data-question'));

    const ben = chat().locator('li', { hasText: 'these look great' });
    await ben.getByRole('button', { name: 'Ban' }).click();
    await expect.poll(() => ben.locator('.outcome').textContent()).toContain('done');
    say('Ben', 'spam spam spam');
    say('Ana', 'what a nice show');
    await expect.poll(() => chat().locator('li', { hasText: 'what a nice show' }).count(), { timeout: 20_000 }).toBe(1);
    expect(await chat().locator('li', { hasText: 'spam spam spam' }).count()).toBe(0);
    await chat().locator('details.bans summary').click();
    await expect.poll(() => chat().locator('details.bans li').first().textContent()).toContain('Ben');
    await screenshot(page.locator('.side'), 'newsroom');
  }, 60_000);

  it('the as-run view lists what aired, searches it, and exports it as CSV', async () => {
    await page.click('nav[aria-label="pages"] >> text=As-run');
    const asRun = page.getByRole('region', { name: 'as-run' });
    await expect.poll(() => asRun.locator('tr[data-entry]').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    expect(await asRun.locator('tbody').textContent()).toContain('shipping is free today');
    await asRun.getByLabel('search as-run').fill('no such words here');
    await expect.poll(() => asRun.locator('tr[data-entry]').count()).toBe(0);
    await asRun.getByLabel('search as-run').fill('shipping');
    await expect.poll(() => asRun.locator('tr[data-entry]').count()).toBeGreaterThanOrEqual(1);
    await asRun.getByLabel('search as-run').fill('');
    await expect.poll(() => asRun.locator('tr[data-entry]').count()).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'as-run');

    const download = page.waitForEvent('download');
    await asRun.getByRole('button', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const csv = readFileSync(file!, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/text/);
    expect(csv).toContain('shipping is free today');
    expect(problems.filter((p) => !p.includes('Failed to load resource'))).toEqual([]);
  }, 60_000);
});
