import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { launchChromium } from '../helpers/browser.js';
import { patientPolls } from './harness.js';

patientPolls();

describe('viewer page in a real browser', () => {
  let srv: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    srv = await startServer();
    await srv.core.rooms.create({ id: 'demo', name: 'Demo show' });
    await srv.core.rooms.create({ id: 'travel', name: 'Travel tips' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cleanup(srv);
  });

  it('lists the shows, picks one, and sends a viewer question that reaches the room', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${srv.url}/?room=travel`);
    await page.getByRole('button', { name: /Travel tips/ }).waitFor();
    expect(await page.locator('#rooms button').count()).toBe(2);
    await expect.poll(() => page.locator('#rooms button[aria-pressed="true"]').textContent()).toContain('Travel tips');
    expect(await page.evaluate(() => typeof (window as unknown as { mpegts?: unknown }).mpegts)).toBe('object');
    await page.fill('#name', 'Ana');
    await page.fill('#question', 'Where should I go in spring?');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('#ask-result').textContent()).toContain('Thanks');
    const questions = await srv.core.questions.list('travel');
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatchObject({ text: 'Where should I go in spring?', user: { name: 'Ana' } });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a viewer token cannot do what an operator can', async () => {
    const res = await srv.app.inject({ method: 'POST', url: '/api/public/rooms/demo/viewer-token', remoteAddress: '10.9.9.9' });
    expect(res.statusCode).toBe(201);
    const { token } = res.json();
    const say = await srv.app.inject({ method: 'POST', url: '/api/rooms/demo/say', headers: { authorization: `Bearer ${token}` }, payload: { text: 'hi' } });
    expect(say.statusCode).toBe(403);
    const other = await srv.app.inject({ method: 'POST', url: '/api/rooms/travel/questions', headers: { authorization: `Bearer ${token}` }, payload: { user: { id: 'u', name: 'U' }, text: 'x?' } });
    expect(other.statusCode).toBe(403);
  });
});
