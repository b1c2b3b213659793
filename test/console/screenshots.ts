import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { repoRoot } from '../helpers/processes.js';

const dir = path.join(repoRoot, 'docs', 'screenshots');

/** The README's console pictures come from the test run, of the real app: docs/screenshots/console-<name>.png. */
export async function screenshot(target: Page | Locator, name: string, mask: Locator[] = []): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `console-${name}.png`);
  await target.screenshot({ path: file, animations: 'disabled', mask, maskColor: '#3d3110' });
  return file;
}
