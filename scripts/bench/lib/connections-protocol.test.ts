import { describe, expect, it } from 'vitest';
import { FAN_ROOM, planSessions, SeqCheck } from './connections-protocol.js';

describe('bench:connections plan', () => {
  const plan = planSessions({ sessions: 10_000, rooms: 500, fanOperators: 200, operatorsPerRoom: 3, children: 2 });
  const all = plan.byChild.flat();

  it('plans exactly the sessions asked for, each key once', () => {
    expect(all).toHaveLength(10_000);
    expect(new Set(all.map((s) => s.key)).size).toBe(10_000);
    expect(plan.bots + plan.operators).toBe(10_000);
  });

  it('puts the whole fan-out room, its emitter and its 200 operators, in the first child', () => {
    const fan = all.filter((s) => s.room === FAN_ROOM);
    expect(fan.filter((s) => s.fan)).toHaveLength(200);
    expect(fan.filter((s) => s.emitter)).toHaveLength(1);
    expect(plan.byChild[0]!.filter((s) => s.room === FAN_ROOM)).toHaveLength(201);
  });

  it('spreads the bots over the other rooms and the sessions evenly over the children', () => {
    const perRoom = new Map<string, number>();
    for (const s of all) if (s.role === 'bot' && !s.emitter) perRoom.set(s.room, (perRoom.get(s.room) ?? 0) + 1);
    expect(perRoom.size).toBe(499);
    expect(Math.max(...perRoom.values()) - Math.min(...perRoom.values())).toBeLessThanOrEqual(1);
    expect(Math.abs(plan.byChild[0]!.length - plan.byChild[1]!.length)).toBeLessThanOrEqual(1);
    // Bot indexes are 0…bots-1, so their lines spread evenly over the period.
    expect(all.filter((s) => s.botIndex !== undefined).map((s) => s.botIndex).sort((a, b) => a! - b!)).toEqual(Array.from({ length: plan.periodicBots }, (_, i) => i));
  });

  it('refuses a plan with fewer sessions than its fixed operators', () => {
    expect(() => planSessions({ sessions: 100, rooms: 500, fanOperators: 200, operatorsPerRoom: 3, children: 2 })).toThrow(/sessions/);
  });
});

describe('SeqCheck', () => {
  it('counts a skipped seq as a gap and an old one as a repeat', () => {
    const c = new SeqCheck();
    for (const s of [1, 2, 3, 5, 5, 4, 6]) c.see(s);
    expect({ last: c.last, gaps: c.gaps, duplicates: c.duplicates }).toEqual({ last: 6, gaps: 1, duplicates: 2 });
  });
});
