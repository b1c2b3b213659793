import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { cleanup, startServer, TEST_JWT_SECRET, type TestServer } from '../helpers/server.js';
import { launchChromium } from '../helpers/browser.js';
import { buildConsole, consolePage, patientPolls, signIn } from './harness.js';
import { screenshot } from './screenshots.js';

patientPolls();

const cookieOf = (setCookie: string | string[] | undefined) => String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!;

describe('the job dashboard at /jobs/', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(async () => {
    await cleanup(srv);
  });

  it('an admin gets a short-lived HttpOnly, SameSite=Strict cookie for /jobs that opens the dashboard', async () => {
    const res = await srv.app.inject({ method: 'POST', url: '/api/jobs/session', headers: { authorization: `Bearer ${srv.adminToken}` } });
    expect(res.statusCode).toBe(204);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^livehost_jobs=[\w-]+\.[\w-]+\.[\w-]+; Path=\/jobs; Max-Age=300; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(srv.adminToken);
    const cookie = cookieOf(res.headers['set-cookie']);

    const page = await srv.app.inject({ method: 'GET', url: '/jobs/', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    const queues = await srv.app.inject({ method: 'GET', url: '/jobs/api/queues', headers: { cookie } });
    expect(queues.statusCode).toBe(200);
    expect((queues.json() as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort()).toEqual(['qa', 'segments', 'tts']);
  });

  it('refuses anyone else: no cookie, an operator, a bearer token instead of the cookie, an API token as cookie, an expired cookie', async () => {
    expect((await srv.app.inject({ method: 'GET', url: '/jobs/' })).statusCode).toBe(401);
    expect((await srv.app.inject({ method: 'GET', url: '/jobs/api/queues' })).statusCode).toBe(401);
    const operator = await srv.token({ role: 'operator', rooms: ['*'] });
    const asOperator = await srv.app.inject({ method: 'POST', url: '/api/jobs/session', headers: { authorization: `Bearer ${operator}` } });
    expect(asOperator.statusCode).toBe(403);
    expect(asOperator.headers['set-cookie']).toBeUndefined();
    expect((await srv.app.inject({ method: 'POST', url: '/api/jobs/session' })).statusCode).toBe(401);
    // The dashboard takes only its cookie: a bearer header, or an API token in the cookie, is not it.
    expect((await srv.app.inject({ method: 'GET', url: '/jobs/api/queues', headers: { authorization: `Bearer ${srv.adminToken}` } })).statusCode).toBe(401);
    expect((await srv.app.inject({ method: 'GET', url: '/jobs/api/queues', headers: { cookie: `livehost_jobs=${srv.adminToken}` } })).statusCode).toBe(401);
    const key = new TextEncoder().encode(TEST_JWT_SECRET);
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('livehost').setAudience('livehost-jobs')
      .setSubject('tok-x').setIssuedAt(past).setExpirationTime(past + 300).sign(key);
    expect((await srv.app.inject({ method: 'GET', url: '/jobs/api/queues', headers: { cookie: `livehost_jobs=${expired}` } })).statusCode).toBe(401);
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('livehost').setAudience('livehost-jobs')
      .setSubject('tok-x').setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode('another-secret-0123456789abcdefghijklmnop'));
    expect((await srv.app.inject({ method: 'GET', url: '/jobs/api/queues', headers: { cookie: `livehost_jobs=${forged}` } })).statusCode).toBe(401);
  });

  it('revoking the token that opened the dashboard closes it at the next request, though its cookie has not expired', async () => {
    const issued = await srv.core.tokens.issue({ role: 'admin', label: 'leaving admin' });
    const res = await srv.app.inject({ method: 'POST', url: '/api/jobs/session', headers: { authorization: `Bearer ${issued.token}` } });
    const cookie = cookieOf(res.headers['set-cookie']);
    expect((await srv.app.inject({ method: 'GET', url: '/jobs/api/queues', headers: { cookie } })).statusCode).toBe(200);
    const revoked = await srv.app.inject({ method: 'DELETE', url: `/api/tokens/${issued.info.tokenId}`, headers: { authorization: `Bearer ${srv.adminToken}` } });
    expect(revoked.statusCode).toBe(200);
    for (const url of ['/jobs/api/queues', '/jobs/']) {
      const after = await srv.app.inject({ method: 'GET', url, headers: { cookie } });
      expect(after.statusCode).toBe(401);
      expect(after.json().error.message).toContain('revoked');
    }
    // Another admin's cookie is untouched.
    const other = cookieOf((await srv.app.inject({ method: 'POST', url: '/api/jobs/session', headers: { authorization: `Bearer ${srv.adminToken}` } })).headers['set-cookie']);
    expect((await srv.app.inject({ method: 'GET', url: '/jobs/api/queues', headers: { cookie: other } })).statusCode).toBe(200);
  });

  it('a cookie never outlives the token that minted it', async () => {
    const shortLived = await srv.core.tokens.issue({ role: 'admin', ttlSeconds: 120 });
    const res = await srv.app.inject({ method: 'POST', url: '/api/jobs/session', headers: { authorization: `Bearer ${shortLived.token}` } });
    const maxAge = Number(/Max-Age=(\d+)/.exec(String(res.headers['set-cookie']))?.[1]);
    expect(maxAge).toBeGreaterThan(100);
    expect(maxAge).toBeLessThanOrEqual(120);
  });

  it('signing out of the console clears the cookie', async () => {
    const res = await srv.app.inject({ method: 'DELETE', url: '/api/jobs/session' });
    expect(res.statusCode).toBe(204);
    expect(String(res.headers['set-cookie'])).toMatch(/^livehost_jobs=; Path=\/jobs; Max-Age=0; HttpOnly; SameSite=Strict$/);
  });

  it('the console’s Jobs page shows the dashboard to an admin and no Jobs page to an operator', async () => {
    await buildConsole();
    await srv.core.rooms.create({ id: 'jobs-room', name: 'Jobs room' });
    await srv.core.queues.qa.add('answer', { room: 'jobs-room', questionId: 'q-demo', question: 'demo', context: {} } as never, { jobId: 'q-demo', delay: 3_600_000 });
    const browser = await launchChromium();
    try {
      const problems: string[] = [];
      const page = await consolePage(browser, problems);
      await signIn(page, srv.url, srv.adminToken, '/console/jobs');
      const frame = page.frameLocator('iframe[title="job dashboard"]');
      await expect.poll(() => frame.locator('body').textContent(), { timeout: 15_000 }).toContain('segments');
      expect(await frame.locator('body').textContent()).toContain('tts');
      await page.waitForTimeout(500);
      await screenshot(page, 'jobs');
      // Its web font (Google Fonts) is refused by the dashboard's policy; nothing else may fail.
      expect(problems.filter((p) => !p.includes('fonts.googleapis.com'))).toEqual([]);

      const op = await consolePage(browser, problems);
      await signIn(op, srv.url, await srv.token({ role: 'operator', rooms: ['jobs-room'] }));
      expect(await op.getByRole('navigation', { name: 'pages' }).getByText('Jobs').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
