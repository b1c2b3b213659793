import { describe, expect, it } from 'vitest';
import { loadParaphrases } from '../../../retrieval/eval/sets.js';
import { planRoom } from './chat-mix.js';

const fixture = loadParaphrases().find((s) => s.language === 'en-US')!;
const plan = planRoom({ room: 'r1', seconds: 60, chatPerSecond: 50, questionsPerSecond: 5, fixture, seed: 7, chatIntervalMs: 1000, questionIntervalMs: 3000 });

describe('the bench:chat mix', () => {
  it('sends 50 chat lines and 5 questions every second, evenly', () => {
    expect(plan.filter((m) => m.type === 'chat')).toHaveLength(3000);
    expect(plan.filter((m) => m.type === 'question')).toHaveLength(300);
    for (let s = 0; s < 60; s++) {
      const inSecond = plan.filter((m) => m.at >= s && m.at < s + 1);
      expect(inSecond.filter((m) => m.type === 'question')).toHaveLength(5);
    }
  });

  it('keeps every viewer it does not mean to refuse clear of the per-viewer intervals', () => {
    const last = new Map<string, number>();
    // Banned viewers are dropped before their rate is looked at.
    for (const m of plan.filter((x) => x.intent !== 'banned')) {
      const key = `${m.type}:${m.user.id}`;
      const gap = m.at - (last.get(key) ?? -Infinity);
      if (m.intent !== 'rate') expect(gap, `${key} at ${m.at}`).toBeGreaterThan(m.type === 'chat' ? 1 : 3);
      last.set(key, m.at);
    }
    expect(plan.filter((m) => m.intent === 'rate').length).toBeGreaterThan(0);
  });

  it('asks every fixture question and labels each with its truth; banned viewers are the banned ones', () => {
    const asked = new Set(plan.filter((m) => m.truth && m.intent === 'ok').map((m) => m.text));
    for (const g of fixture.groups) for (const p of g.paraphrases) expect(asked).toContain(p);
    for (const u of fixture.unrelated) expect(asked).toContain(u);
    expect(plan.filter((m) => m.intent === 'banned').every((m) => /^r1-banned\d$/.test(m.user.id))).toBe(true);
    const truthOf = new Map(fixture.groups.flatMap((g) => g.paraphrases.map((p) => [p, g.id] as const)));
    for (const m of plan.filter((x) => x.truth && !x.truth.startsWith('unrelated:'))) expect(m.truth).toBe(truthOf.get(m.text));
  });

  it('is the same plan for the same seed', () => {
    const again = planRoom({ room: 'r1', seconds: 60, chatPerSecond: 50, questionsPerSecond: 5, fixture, seed: 7, chatIntervalMs: 1000, questionIntervalMs: 3000 });
    expect(again).toEqual(plan);
  });
});
