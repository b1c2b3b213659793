import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BLOCKLIST_BUDGET, blocklistMatch, blocklistProblem, compileBlocklist } from './blocklist.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Runs blocklistMatch in its own process: a backtracking engine stuck on a pattern blocks
 * its thread for good, which no in-process timeout can interrupt. The deadline is two
 * orders of magnitude above what a linear check takes (milliseconds, plus ~0.5 s of start).
 */
function matchInChild(sources: string[], text: string): Promise<string> {
  const script = `import('./blocklist.ts').then((m) => process.stdout.write(JSON.stringify(m.blocklistMatch(${JSON.stringify(sources)}, ${JSON.stringify(text)}))))`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: here, timeout: 25_000 }, (err, stdout) => {
      if (err) reject(new Error(`the check did not finish within 25 s (${err.killed ? 'killed' : err.message})`));
      else resolve(stdout);
    });
  });
}

describe('room blocklist', () => {
  it('checks nested-quantifier patterns against long input in linear time (no ReDoS)', async () => {
    const long = 'a'.repeat(50_000);
    // With backtracking, `^(a+)+$` on 28 characters and a mismatch froze the server for 2.6 s; here 50,000.
    expect(await matchInChild(['^(a+)+$', '(x+x+)+y', '(a|aa)+$'], `${long}!`)).toBe('null');
    expect(await matchInChild(['^(a+)+$'], long)).toBe('"^(a+)+$"');
  });

  it('matches case-insensitively, in any script, with JS-style escapes', () => {
    expect(blocklistMatch(['free\\s+money'], 'Get FREE   Money now')).toBe('free\\s+money');
    expect(blocklistMatch(['赌博'], '我们不讨论赌博。')).toBe('赌博');
    expect(blocklistMatch(['\\u00e9t\\u00e9'], 'Cet ÉTÉ-là')).toBe('\\u00e9t\\u00e9');
    expect(blocklistMatch(['casino'], 'Welcome to the show.')).toBeNull();
  });

  it('judges what a voice would say, not how it was typed', () => {
    expect(blocklistMatch(['secret'], "Here is the [[s'i:kr@t]] word")).toBeNull();
    expect(blocklistMatch(['secret'], 'the sec\u200Bret word')).toBe('secret');
    expect(blocklistMatch(['secret'], 'the sec<b></b>ret word')).toBeNull();
    expect(blocklistMatch(['secret'], 'the &#115;ecret word')).toBe('secret');
    expect(blocklistMatch(['secret'], 'the sec&shy;ret word')).toBe('secret');
  });

  it('refuses backreferences, lookarounds and invalid syntax, naming the pattern', () => {
    expect(blocklistProblem(['casino', '(a)\\1'])).toMatch(/^blocklist pattern "\(a\)\\\\1" is not usable: invalid escape sequence/);
    expect(blocklistProblem(['(?=x)y'])).toMatch(/"\(\?=x\)y" is not usable: .*no backreferences or lookarounds/);
    expect(blocklistProblem(['(?<!x)y'])).toMatch(/"\(\?<!x\)y" is not usable/);
    expect(blocklistProblem(['(unclosed'])).toMatch(/"\(unclosed" is not usable: missing closing \)/);
    expect(blocklistProblem(['['])).toMatch(/"\[" is not usable/);
    expect(blocklistProblem(['casino', 'free\\s+money', '^(a+)+$'])).toBeNull();
  });

  it('refuses patterns and lists over the instruction budget', () => {
    expect(blocklistProblem(['(\\w+\\s*){500}'])).toMatch(/is not usable: too complex \(\d+ RE2 instructions, at most 1000\)/);
    const big = Array.from({ length: 40 }, (_, i) => `w${i}[a-z]{300}`);
    expect(blocklistProblem(big)).toMatch(/^blocklist is too complex from pattern "w\d+\[a-z\]\{300\}" on \(\d+ RE2 instructions in all, at most 10000\)/);
    expect(BLOCKLIST_BUDGET.listInstructions).toBe(10_000);
  });

  it('matches patterns stored before they were checked as literal text, never throwing', () => {
    const patterns = compileBlocklist(['(unclosed', '(a)\\1', '\\', 'a+b']);
    expect(patterns.map((p) => p.literal)).toEqual([true, true, true, false]);
    expect(blocklistMatch(['(unclosed', 'a+b'], 'This is (UNCLOSED text.')).toBe('(unclosed');
    expect(blocklistMatch(['(unclosed'], 'unclosed alone is fine.')).toBeNull();
    expect(blocklistMatch(['(a)\\1'], 'see (a)\\1 here')).toBe('(a)\\1');
    expect(blocklistMatch(['(unclosed', 'a+b'], 'aaab')).toBe('a+b');
  });

  it('keeps a stored list over budget within budget by matching the excess literally', () => {
    const big = Array.from({ length: 40 }, (_, i) => `w${i}[a-z]{300}`);
    const patterns = compileBlocklist(big);
    expect(patterns.filter((p) => !p.literal).length).toBeLessThan(40);
    expect(patterns.at(-1)!.literal).toBe(true);
  });
});
