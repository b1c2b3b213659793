import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleDist, ensureConsoleBuilt, inputHash } from '../../console/build.mjs';

describe('the console build', () => {
  it('is a production bundle even when built from a test run, and a second build of the same sources is skipped', async () => {
    expect(process.env.NODE_ENV).toBe('test'); // what vitest sets, and what once leaked into the build
    await ensureConsoleBuilt();
    const assets = path.join(consoleDist, 'assets');
    const entry = readdirSync(assets).find((f) => /^index-.*\.js$/.test(f))!;
    const js = readFileSync(path.join(assets, entry), 'utf8');
    expect(js).toContain('react.dev/errors/'); // production React reports errors by code
    expect(js).not.toMatch(/jsxDEV|validateDOMNesting/); // development React's helpers
    // Served compressed: the brotli and gzip copies sit beside it.
    expect(readdirSync(assets)).toEqual(expect.arrayContaining([`${entry}.br`, `${entry}.gz`]));
    expect(readFileSync(path.join(consoleDist, '.build-stamp'), 'utf8')).toBe(inputHash());
    expect(await ensureConsoleBuilt()).toBe('fresh');
  }, 120_000);
});
