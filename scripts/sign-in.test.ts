import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM with no type declarations (the bootstrap runs before dependencies exist)
import { recordSignIn, signInLines } from './sign-in.mjs';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.admin-claims.signature-part';

describe('npm start hands the admin over without logging the token', () => {
  let dir = '';
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

  it('writes bootstrap.json with the sign-in URL (token in the fragment), mode 0600 even over an older file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'livehost-signin-'));
    const file = path.join(dir, 'bootstrap.json');
    await writeFile(file, '{}', { mode: 0o644 });
    const { consoleUrl } = recordSignIn({ file, base: 'http://127.0.0.1:8080', adminToken: TOKEN }) as { consoleUrl: string };
    expect(consoleUrl).toBe(`http://127.0.0.1:8080/console/#token=${TOKEN}`);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ adminToken: TOKEN, consoleUrl, viewerUrl: 'http://127.0.0.1:8080/' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('prints the sign-in URL only at a terminal; captured output says where it is instead', () => {
    const consoleUrl = `http://127.0.0.1:8080/console/#token=${TOKEN}`;
    const captured = (signInLines({ base: 'http://127.0.0.1:8080', consoleUrl, where: 'data/bootstrap.json', terminal: false }) as string[]).join('\n');
    expect(captured).not.toContain(TOKEN);
    expect(captured).toContain('consoleUrl from data/bootstrap.json');
    expect(captured).toContain('http://127.0.0.1:8080/console/');
    const shown = (signInLines({ base: 'http://127.0.0.1:8080', consoleUrl, where: 'data/bootstrap.json', terminal: true }) as string[]).join('\n');
    expect(shown).toContain(consoleUrl);
    expect(shown.split(TOKEN)).toHaveLength(2); // once, in the URL's fragment
  });
});
