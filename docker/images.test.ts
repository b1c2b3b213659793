import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * There is no Docker engine where the tests run, so the images are checked by reading
 * them: what each Dockerfile copies (and its allow-list lets into the context) must hold
 * every file its entry point imports at run time, and every package it imports must be a
 * production dependency (`npm ci --omit=dev`).
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const builtins = new Set(builtinModules);

interface Stage { name: string | null; lines: string[] }

function stages(dockerfile: string): Stage[] {
  const text = readFileSync(join(root, 'docker', dockerfile), 'utf8').replace(/\\\n/g, ' ');
  const out: Stage[] = [];
  for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ name: from[1] ?? null, lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

/** Sources of the stage's `COPY` lines from the build context (not `--from` another stage). */
function copiedFromContext(stage: Stage): string[] {
  return stage.lines
    .filter((l) => /^COPY\s/i.test(l) && !/--from=/i.test(l))
    .flatMap((l) => l.split(/\s+/).slice(1, -1).filter((a) => !a.startsWith('--')))
    .map((src) => src.replace(/\/$/, ''));
}

/** The allow-list entries (`!name`) of the Dockerfile's own .dockerignore. */
function allowed(dockerfile: string): Set<string> {
  const text = readFileSync(join(root, 'docker', `${dockerfile}.dockerignore`), 'utf8');
  return new Set(text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, '')));
}

const inside = (file: string, copied: string[]) => copied.some((c) => file === c || file.startsWith(`${c}/`));

/** Every repository file (relative) and package the entry reaches through imports that run (not `import type`). */
function importClosure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!/\.(ts|mjs|js)$/.test(file)) continue;
    const source = readFileSync(join(root, file), 'utf8');
    const specifiers = [
      ...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
      ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ].map((m) => m[1]!);
    for (const spec of specifiers) {
      if (spec.startsWith('.')) {
        const target = normalize(join(dirname(file), spec));
        const ts = target.replace(/\.js$/, '.ts');
        const resolved = [ts, target].find((p) => existsSync(join(root, p)) && statSync(join(root, p)).isFile());
        if (!resolved) throw new Error(`${file} imports ${spec}, which does not exist`);
        todo.push(relative(root, join(root, resolved)));
      } else if (!spec.startsWith('node:') && !builtins.has(spec)) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
  }
  return { files, packages };
}

const images = ['server', 'workers', 'render-bridge', 'stream-gateway'];

describe('the Docker images', () => {
  for (const image of images) {
    it(`the ${image} image copies every file its entry point imports, and installs every package it imports`, () => {
      const dockerfile = `${image}.Dockerfile`;
      const final = stages(dockerfile).at(-1)!;
      const cmd = final.lines.find((l) => /^CMD\s/i.test(l))!;
      const entry = (JSON.parse(cmd.replace(/^CMD\s+/i, '')) as string[]).at(-1)!;
      const copied = copiedFromContext(final);
      const allow = allowed(dockerfile);
      for (const src of copied) expect(allow, `${src} is copied but not in ${dockerfile}.dockerignore`).toContain(src);

      const { files, packages } = importClosure(entry);
      const missing = [...files].filter((f) => !inside(f, copied));
      expect(missing, `${image}: imported but not copied`).toEqual([]);
      const devOnly = [...packages].filter((p) => !(p in pkg.dependencies));
      expect(devOnly, `${image}: imported but not a production dependency`).toEqual([]);
    });
  }

  it('the server image carries a built operator console, made in a stage with the dev dependencies', () => {
    const all = stages('server.Dockerfile');
    const builder = all.find((s) => s.lines.some((l) => /^RUN\s.*node console\/build\.mjs/.test(l)));
    expect(builder?.name).toBeTruthy();
    expect(builder!.lines.some((l) => /^RUN\s+npm ci(?!.*--omit=dev)/.test(l))).toBe(true);
    // Every input build.mjs hashes is in that stage (and let into the context).
    const inputs = JSON.parse(/const INPUTS = (\[[^\]]*\])/.exec(readFileSync(join(root, 'console/build.mjs'), 'utf8'))![1]!.replace(/'/g, '"')) as string[];
    const copied = copiedFromContext(builder!);
    const allow = allowed('server.Dockerfile');
    for (const input of inputs) {
      expect(inside(input, copied), `${input} is not copied into the console stage`).toBe(true);
      expect([...allow].some((a) => input === a || input.startsWith(`${a}/`)), `${input} is not in the context`).toBe(true);
    }
    // vite.config.ts's outDir is where the server serves the console from (server/routes/console.ts: dist/console).
    const final = all.at(-1)!;
    expect(final.lines).toContainEqual(expect.stringMatching(new RegExp(`^COPY --from=${builder!.name} \\S*dist/console/? dist/console/?$`)));
  });
});
