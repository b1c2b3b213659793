import { describe, expect, it } from 'vitest';
import type { RundownSegment } from '../../protocol/index.js';
import { SimulatedRoom } from './test-support/simulated-room.js';

const S = 1000;

function line(text: string) {
  return { kind: 'line' as const, text };
}

/** A room with a host, a library and a rundown; every line's duration is set here. */
function room(segments: RundownSegment[], lines: Record<string, number>, opts = {}) {
  const r = new SimulatedRoom(undefined, opts);
  for (const [text, ms] of Object.entries(lines)) r.library.addLine(text, ms);
  r.setRundown(segments);
  r.connectHost();
  return r;
}

/** An answer to a question arriving line by line, as the segments consumer feeds it. */
function answer(r: SimulatedRoom, questionId: string, texts: string[], ms = 2 * S) {
  r.send({ type: 'answer.expected', answerId: questionId, questionId, askedAt: r.now });
  texts.forEach((text, index) => r.send({
    type: 'line.ready', lineId: `${questionId}.${index}`, answerId: questionId, questionId, index, final: index === texts.length - 1,
    priority: 'answer', text, durationMs: ms, source: { kind: 'answer', questionId },
  }));
}

/** A room whose rundown is three script lines of 4 s, following on. */
function threeLines() {
  return room([{ id: 'p', title: 'P', plannedMs: 0, start: { rule: 'follow' }, items: [line('one'), line('two'), line('three')] }],
    { one: 4 * S, two: 4 * S, three: 4 * S });
}

function say(r: SimulatedRoom, id: string, text: string, priority: 'urgent' | 'script' = 'urgent', ms = 1500) {
  r.send({
    type: 'line.ready', lineId: `${id}.0`, answerId: id, questionId: null, index: 0, final: true, priority, text, durationMs: ms,
    source: { kind: 'say', by: 'op' },
  });
}

describe('the rundown runner on a test clock', () => {
  it('plays a manual, a follow, a looping segment, a Q&A window and a hard cue in order and on time', () => {
    const r = new SimulatedRoom();
    const cueAt = r.now + 60 * S;
    for (const [t, ms] of Object.entries({ Intro: 3 * S, Pitch: 4 * S, Loop: 5 * S, Close: 2 * S })) r.library.addLine(t, ms);
    r.setRundown([
      { id: 'intro', title: 'Intro', plannedMs: 3 * S, start: { rule: 'manual' }, items: [line('Intro')] },
      { id: 'pitch', title: 'Pitch', plannedMs: 14 * S, start: { rule: 'follow' }, items: [line('Pitch'), { kind: 'qa', maxMs: 10 * S }] },
      { id: 'loop', title: 'Loop', plannedMs: 10 * S, start: { rule: 'follow' }, loop: true, items: [line('Loop')] },
      { id: 'close', title: 'Close', plannedMs: 2 * S, start: { rule: 'at', at: cueAt }, items: [line('Close')] },
    ]);
    r.connectHost();
    const t0 = r.now;
    r.advance(5 * S);
    expect(r.aired).toEqual([]); // nothing starts before go
    expect(r.view()).toMatchObject({ state: 'idle', segmentId: null });

    r.op({ name: 'show.go' });
    r.advance(70 * S);
    const starts = r.aired.map((a) => [a.text, a.startedAt - t0]);
    expect(starts.slice(0, 3)).toEqual([['Intro', 5 * S], ['Pitch', 8 * S], ['Loop', 22 * S]]);
    // The loop repeats until the hard cue; the cue starts within one line of its time.
    const loops = r.aired.filter((a) => a.text === 'Loop');
    expect(loops.length).toBeGreaterThanOrEqual(7);
    const close = r.aired.find((a) => a.text === 'Close')!;
    expect(close.startedAt).toBeGreaterThanOrEqual(cueAt);
    expect(close.startedAt - cueAt).toBeLessThanOrEqual(5 * S);
    expect(r.airedTexts().at(-1)).toBe('Close');
    expect(r.view()).toMatchObject({ state: 'ended' });
    // A loop's lines join without gaps: each starts when the one before ended.
    for (let i = 1; i < loops.length; i++) expect(loops[i]!.startedAt - loops[i - 1]!.endedAt!).toBe(0);
    // The Q&A window without questions or fillers is 10 s of silence between the pitch and the loop.
    expect(loops[0]!.startedAt - r.aired[1]!.endedAt!).toBe(10 * S);
  });

  it('shrinks a Q&A window so a hard cue after it starts on time, and reports the plan', () => {
    const r = new SimulatedRoom();
    const cueAt = r.now + 20 * S;
    r.library.addLine('Hello', 2 * S);
    r.library.addLine('Outro', 3 * S);
    r.library.addLine('Bye', 1 * S);
    r.setRundown([
      { id: 'a', title: 'A', plannedMs: 60 * S, start: { rule: 'follow' }, items: [line('Hello'), { kind: 'qa', maxMs: 120 * S }, line('Outro')] },
      { id: 'b', title: 'B', plannedMs: 1 * S, start: { rule: 'at', at: cueAt }, items: [line('Bye')] },
    ]);
    r.connectHost();
    r.op({ name: 'show.go' });
    const v = r.view();
    expect(v.nextHardCue).toMatchObject({ segmentId: 'b', at: cueAt });
    expect(v.segments.map((s) => s.plannedStartAt)).toEqual([r.now, cueAt]);
    r.advance(30 * S);
    const outro = r.aired.find((a) => a.text === 'Outro')!;
    const bye = r.aired.find((a) => a.text === 'Bye')!;
    // The window ended early enough for the outro to finish before the cue.
    expect(outro.endedAt!).toBeLessThanOrEqual(cueAt);
    expect(bye.startedAt).toBe(cueAt);
  });
});

describe('show-time hard cues', () => {
  it('a closing at 30 s of show time starts then, whenever the show went on', () => {
    const r = new SimulatedRoom();
    r.library.addLine('Loop me.', 4 * S);
    r.library.addLine('Goodbye.', 2 * S);
    r.setRundown([
      { id: 'loop', title: 'Loop', plannedMs: 30 * S, start: { rule: 'manual' }, loop: true, items: [line('Loop me.')] },
      { id: 'close', title: 'Close', plannedMs: 2 * S, start: { rule: 'at-show-time', afterMs: 30 * S }, items: [line('Goodbye.')] },
    ]);
    r.connectHost();
    r.advance(100 * S); // a show that starts late keeps its show time
    const wentOn = r.now;
    r.op({ name: 'show.go' });
    expect(r.view().nextHardCue).toMatchObject({ segmentId: 'close', at: wentOn + 30 * S });
    r.advance(40 * S);
    const bye = r.aired.find((a) => a.text === 'Goodbye.')!;
    expect(bye.startedAt).toBe(wentOn + 32 * S); // the loop line on air at 30 s finished first
    // Over: no cue is ahead any more (the console showed the closing's, minutes in the past).
    expect(r.view()).toMatchObject({ state: 'ended', nextHardCue: null });
  });
});

describe('transport', () => {
  const segs: RundownSegment[] = [
    { id: 's1', title: 'One', plannedMs: 10 * S, start: { rule: 'manual' }, items: [line('1a'), line('1b'), line('1c')] },
    { id: 's2', title: 'Two', plannedMs: 10 * S, start: { rule: 'manual' }, items: [line('2a'), line('2b')] },
    { id: 's3', title: 'Three', plannedMs: 10 * S, start: { rule: 'follow' }, items: [line('3a')] },
  ];
  const durations = { '1a': 2 * S, '1b': 2 * S, '1c': 2 * S, '2a': 2 * S, '2b': 2 * S, '3a': 2 * S };

  it('hold finishes the current line and waits; resume goes on', () => {
    const r = room(segs, durations);
    r.op({ name: 'show.go' });
    r.advance(1 * S);
    r.op({ name: 'show.hold' });
    r.advance(10 * S);
    expect(r.airedTexts()).toEqual(['1a']);
    expect(r.aired[0]!.interrupted).toBe(false);
    expect(r.view().state).toBe('holding');
    r.op({ name: 'show.resume' });
    r.advance(10 * S);
    expect(r.airedTexts()).toEqual(['1a', '1b', '1c']);
    expect(r.view()).toMatchObject({ state: 'waiting', waitingFor: 'go', segmentId: 's2' });
  });

  it('skip drops the rest of the segment, cutting the line on air', () => {
    const r = room(segs, durations);
    r.op({ name: 'show.go' });
    r.advance(1 * S);
    r.op({ name: 'show.skip' });
    r.advance(10 * S);
    expect(r.airedTexts()).toEqual(['1a!']);
    expect(r.view()).toMatchObject({ state: 'waiting', waitingFor: 'go', segmentId: 's2' });
    expect(r.view().segments[0]!.state).toBe('skipped');
  });

  it('go moves to the next segment at the end of the line on air; back returns; jump goes anywhere', () => {
    const r = room(segs, durations);
    r.op({ name: 'show.go' });
    r.advance(1 * S);
    r.op({ name: 'show.go' });
    r.advance(2.5 * S);
    expect(r.airedTexts()).toEqual(['1a', '2a']);
    r.op({ name: 'show.back' });
    r.advance(20 * S);
    expect(r.airedTexts()).toEqual(['1a', '2a', '1a', '1b', '1c']);
    expect(r.op({ name: 'show.jump', segmentId: 'nope' })).toMatchObject({ ok: false, code: 'not_found' });
    r.op({ name: 'show.jump', segmentId: 's3' });
    r.advance(10 * S);
    expect(r.airedTexts().at(-1)).toBe('3a');
    expect(r.view().state).toBe('ended');
  });

  it('stop silences the room and clears every queue', () => {
    const r = room(segs, durations);
    r.op({ name: 'show.go' });
    answer(r, 'q1', ['An answer.', 'More of it.']);
    r.advance(500);
    r.op({ name: 'show.stop' });
    r.advance(10 * S);
    expect(r.airedTexts()).toEqual(['1a!']);
    expect(r.view()).toMatchObject({ state: 'ended', queue: [] });
    expect(r.effects.filter((e) => e.kind === 'answer.dropped')).toMatchObject([{ questionId: 'q1', reason: 'the show was stopped' }]);
  });
});

describe('the speech queue', () => {
  const pitch: RundownSegment[] = [
    { id: 'p', title: 'Pitch', plannedMs: 20 * S, start: { rule: 'follow' }, items: [line('one'), line('two'), line('three')] },
  ];
  const d = { one: 4 * S, two: 4 * S, three: 4 * S };

  it('an urgent say-now cuts a script line at once and the script resumes after it with the cut line', () => {
    const r = room(pitch, d);
    r.op({ name: 'show.go' });
    r.advance(1 * S);
    say(r, 'say-1', 'Breaking news.');
    const cutAt = r.now;
    r.advance(30 * S);
    expect(r.airedTexts()).toEqual(['one!', 'Breaking news.', 'one', 'two', 'three']);
    expect(r.aired[0]!.endedAt).toBe(cutAt);
    expect(r.aired[1]!.startedAt).toBe(cutAt);
  });

  it('an answer waits for the end of the current line, then airs before the rest of the script', () => {
    const r = room(pitch, d);
    r.op({ name: 'show.go' });
    r.advance(3.5 * S); // the second script line is already with the host
    answer(r, 'q1', ['Yes, it ships free.', 'In two days.']);
    r.advance(30 * S);
    expect(r.airedTexts()).toEqual(['one', 'Yes, it ships free.', 'In two days.', 'two', 'three']);
    const spoken = r.effects.filter((e) => e.kind === 'answer.spoken');
    expect(spoken).toMatchObject([{ questionId: 'q1', text: 'Yes, it ships free. In two days.' }]);
  });

  it('lines of an answer that finish synthesis out of order air in order, one answer at a time', () => {
    const r = room([], {});
    const ready = (q: string, index: number, final: boolean) => r.send({
      type: 'line.ready', lineId: `${q}.${index}`, answerId: q, questionId: q, index, final, priority: 'answer', text: `${q}.${index}`,
      durationMs: 1000, source: { kind: 'answer', questionId: q },
    });
    ready('a', 1, false);
    ready('a', 0, false);
    r.advance(100);
    ready('b', 0, true);
    r.advance(200);
    ready('a', 2, true);
    r.advance(10 * S);
    expect(r.airedTexts()).toEqual(['a.0', 'a.1', 'a.2', 'b.0']);
  });

  it('an answer is spoken only once the host reported all of it; an interrupted one is dropped and never resumes', () => {
    const r = room([], {});
    answer(r, 'q1', ['First.', 'Second.', 'Third.']);
    r.advance(3 * S);
    expect(r.effects.filter((e) => e.kind === 'answer.spoken')).toEqual([]);
    r.op({ name: 'speech.interrupt' });
    r.advance(20 * S);
    expect(r.airedTexts()).toEqual(['First.', 'Second.!']);
    expect(r.effects.filter((e) => e.kind === 'answer.dropped')).toMatchObject([{ questionId: 'q1', reason: 'interrupted by an operator' }]);
    // A late line of the interrupted answer never reaches the host.
    r.send({ type: 'line.ready', lineId: 'q1.3', answerId: 'q1', questionId: 'q1', index: 3, final: true, priority: 'answer', text: 'Late.', durationMs: 1000, source: { kind: 'answer', questionId: 'q1' } });
    r.advance(5 * S);
    expect(r.airedTexts()).toEqual(['First.', 'Second.!']);
  });

  it("an answer's rest that comes after a worker's takeover (seconds of silence) still airs, before another answer; one whose rest never comes is let go", () => {
    const r = room([], {}, { answerStaleMs: 120 * S });
    const ready = (qid: string, index: number, text: string, final: boolean) => r.send({
      type: 'line.ready', lineId: `${qid}.${index}`, answerId: qid, questionId: qid, index, final, priority: 'answer', text, durationMs: 1000,
      source: { kind: 'answer', questionId: qid },
    });
    r.send({ type: 'answer.expected', answerId: 'q1', questionId: 'q1', askedAt: r.now });
    ready('q1', 0, 'First half.', false);
    r.advance(2 * S);
    // The worker died: another answer is ready, and the rest of q1 comes 10 s later (lock, stalled check, restart).
    answer(r, 'q2', ['Other answer.']);
    r.advance(10 * S);
    ready('q1', 1, 'Second half.', true);
    r.advance(10 * S);
    expect(r.airedTexts()).toEqual(['First half.', 'Second half.', 'Other answer.']);
    expect(r.effects.filter((e) => e.kind === 'answer.spoken').map((e) => (e as { text: string }).text)).toEqual(['First half. Second half.', 'Other answer.']);

    r.send({ type: 'answer.expected', answerId: 'q3', questionId: 'q3', askedAt: r.now });
    ready('q3', 0, 'Only this.', false);
    r.advance(60 * S);
    // Let go after its stall: what was spoken is what the askers hear; the room goes on.
    expect(r.effects.filter((e) => e.kind === 'answer.spoken').at(-1)).toMatchObject({ questionId: 'q3', text: 'Only this.' });
    answer(r, 'q4', ['Next.']);
    r.advance(5 * S);
    expect(r.airedTexts().at(-1)).toBe('Next.');
  });

  it('an answer whose lines come too long after the question is dropped as stale', () => {
    const r = room([], {}, { answerStaleMs: 30 * S });
    r.send({ type: 'answer.expected', answerId: 'q1', questionId: 'q1', askedAt: r.now });
    r.advance(60 * S);
    answer(r, 'q1', ['Too late.']);
    r.advance(5 * S);
    expect(r.aired).toEqual([]);
    expect(r.effects.filter((e) => e.kind === 'answer.dropped')[0]).toMatchObject({ questionId: 'q1' });
  });

  it('an interrupted say line does not hold the queue behind it', () => {
    const r = room([], {});
    say(r, 'say-1', 'Cut me off.', 'script', 5 * S);
    say(r, 'say-2', 'After it.', 'script', 1 * S);
    r.advance(1 * S);
    r.op({ name: 'speech.interrupt' });
    r.advance(5 * S);
    expect(r.airedTexts()).toEqual(['Cut me off.!', 'After it.']);
  });

  it('an operator reorders and removes waiting lines', () => {
    const r = room([], {});
    say(r, 'x', 'X', 'script', 2 * S);
    say(r, 'y', 'Y', 'script', 2 * S);
    say(r, 'z', 'Z', 'script', 2 * S);
    expect(r.op({ name: 'queue.move', lineId: 'z.0', before: 'y.0' }).ok).toBe(true);
    expect(r.op({ name: 'queue.remove', lineId: 'y.0' }).ok).toBe(true);
    r.advance(10 * S);
    expect(r.airedTexts()).toEqual(['X', 'Z']);
  });
});

describe('fillers', () => {
  it('fill a Q&A window without questions, sized to the gap, not repeated, and make way for a question', () => {
    const r = new SimulatedRoom(undefined, { fillerRepeatMs: 600 * S });
    r.library.addMaterial('f-long', 'A long filler.', 60 * S, ['filler']);
    r.library.addMaterial('f-a', 'Filler A.', 12 * S, ['filler']);
    r.library.addMaterial('f-b', 'Filler B.', 10 * S, ['filler']);
    r.setRundown([{ id: 'qa', title: 'Q&A', plannedMs: 40 * S, start: { rule: 'follow' }, items: [{ kind: 'qa', maxMs: 40 * S }] }]);
    r.connectHost();
    r.op({ name: 'show.go' });
    r.advance(24 * S);
    // 40 s of window: never the 60 s filler; A (12 s) then B (10 s), each once.
    expect(r.airedTexts()).toEqual(['Filler A.', 'Filler B.']);
    answer(r, 'q1', ['Here is your answer.'], 3 * S);
    r.advance(20 * S);
    expect(r.airedTexts()).toEqual(['Filler A.', 'Filler B.', 'Here is your answer.']);
  });
});

describe('lost sends', () => {
  it('a line handed to the host that never starts is handed over again, once, and airs', () => {
    const r = room([], {});
    r.hostUp = false; // the frame is lost: the simulated host does not receive it
    say(r, 'say-1', 'Are you there?', 'script', 1 * S);
    expect(r.effects.filter((e) => e.kind === 'send')).toHaveLength(1);
    r.hostUp = true;
    r.advance(4 * S);
    expect(r.aired).toEqual([]);
    r.advance(2 * S);
    expect(r.effects.filter((e) => e.kind === 'send')).toHaveLength(2);
    r.advance(3 * S);
    expect(r.airedTexts()).toEqual(['Are you there?']);
  });
});

describe('reports that come late', () => {
  it('a line taken back after the host had already aired it whole does not air again', () => {
    const r = threeLines();
    r.op({ name: 'show.go' });
    r.advance(1 * S);
    // The host's reports stall (its link is moving to another instance): it plays on.
    r.holdReports();
    r.advance(7.5 * S); // the host has finished 'one' and 'two'; the director still sees 'one' on air
    say(r, 'say-1', 'Breaking news.');
    const stops = r.effects.filter((e) => e.kind === 'stop').flatMap((e) => (e.kind === 'stop' ? e.airIds : []));
    expect(stops.length, 'the director took both back').toBe(2);
    r.releaseReports();
    r.advance(30 * S);
    expect(r.airedTexts()).toEqual(['one', 'two', 'Breaking news.', 'three']);
    const ended = r.effects.filter((e) => e.kind === 'line.ended').map((e) => (e.kind === 'line.ended' ? `${e.line.text}${e.interrupted ? '!' : ''}` : ''));
    expect(ended, 'each airing ended once, as the host reported it').toEqual(['one', 'two', 'Breaking news.', 'three']);
  });

  it('an answer that comes between one line\'s end and the next one\'s start does not cut the next one', () => {
    const r = threeLines();
    r.op({ name: 'show.go' });
    r.advance(1 * S);
    r.holdReports();
    r.advance(3.5 * S); // at the host 'one' ended and 'two' began; only the first report is in
    r.releaseReports(1);
    answer(r, 'q1', ['Yes, it ships free.']);
    r.releaseReports();
    r.advance(30 * S);
    expect(r.airedTexts()).toEqual(['one', 'two', 'Yes, it ships free.', 'three']);
  });

  it("an answer's lines taken back after they aired whole count as spoken, and air once", () => {
    const r = room([], {});
    answer(r, 'q1', ['First.', 'Second.']);
    r.advance(0.5 * S);
    r.holdReports();
    r.advance(4 * S); // both lines aired at the host; the director still sees 'First.' on air
    say(r, 'say-1', 'Breaking news.');
    r.releaseReports();
    r.advance(30 * S);
    expect(r.airedTexts()).toEqual(['First.', 'Second.', 'Breaking news.']);
    expect(r.effects.filter((e) => e.kind === 'answer.spoken' && e.questionId === 'q1')).toMatchObject([{ text: 'First. Second.' }]);
    expect(r.effects.filter((e) => e.kind === 'answer.dropped')).toEqual([]);
  });

  it('a line taken back and cut by the stop airs again after the urgent line', () => {
    const r = room([{ id: 'p', title: 'P', plannedMs: 0, start: { rule: 'follow' }, items: [line('one'), line('two')] }], { one: 4 * S, two: 4 * S });
    r.op({ name: 'show.go' });
    r.advance(1 * S);
    r.holdReports();
    r.advance(4 * S); // 'two' on air at the host for 1 s; the director still sees 'one'
    say(r, 'say-1', 'Breaking news.');
    r.releaseReports();
    r.advance(30 * S);
    expect(r.airedTexts()).toEqual(['one', 'two!', 'Breaking news.', 'two']);
  });
});

describe('render host failover', () => {
  it('lines a lost host had not finished air again on the next host, in order, and none twice', () => {
    const r = threeLines();
    r.op({ name: 'show.go' });
    r.advance(5 * S); // 'two' playing, 'three' handed over ahead of time
    r.killHost();
    say(r, 'say-1', 'While away.', 'script');
    r.advance(3 * S);
    r.connectHost();
    r.advance(30 * S);
    expect(r.airedTexts()).toEqual(['one', 'two!', 'two', 'three', 'While away.']);
  });
});

describe('materials', () => {
  it('a material edited while queued airs its new version; one whose new version failed never airs', () => {
    const r = new SimulatedRoom();
    r.library.addMaterial('m1', 'Old text.', 2 * S);
    r.library.addMaterial('m2', 'Keep me.', 2 * S);
    r.library.addLine('Before.', 3 * S);
    r.setRundown([{ id: 's', title: 'S', plannedMs: 0, start: { rule: 'follow' }, items: [line('Before.'), { kind: 'material', materialId: 'm1' }, { kind: 'material', materialId: 'm2' }] }]);
    r.connectHost();
    r.op({ name: 'show.go' });
    r.advance(2.5 * S); // m1's old version is with the host already
    r.library.addMaterial('m1', 'New text.', 2 * S, [], 'synthesizing');
    r.send({ type: 'library.changed', materialId: 'm1' });
    r.advance(1 * S); // 'Before.' ends; m1's new version is not ready: the script waits
    expect(r.airedTexts()).toEqual(['Before.']);
    r.library.preparedLines.set(r.library.materials.get('m1')!.prepareKey, { status: 'ready', durationMs: 2 * S, error: null });
    r.send({ type: 'library.changed', materialId: 'm1' });
    r.advance(10 * S);
    expect(r.airedTexts()).toEqual(['Before.', 'New text.', 'Keep me.']);

    const r2 = new SimulatedRoom();
    r2.library.addMaterial('m1', 'Old text.', 2 * S);
    r2.setRundown([{ id: 's', title: 'S', plannedMs: 0, start: { rule: 'manual' }, items: [{ kind: 'material', materialId: 'm1' }] }]);
    r2.connectHost();
    r2.library.addMaterial('m1', 'Broken.', 2 * S, [], 'failed');
    r2.op({ name: 'show.go' });
    r2.advance(10 * S);
    expect(r2.aired).toEqual([]);
  });
});

describe('a new owner', () => {
  it('continues from the stored runtime without a line twice or one skipped', () => {
    const r = threeLines();
    r.op({ name: 'show.go' });
    r.advance(5 * S);
    r.failover();
    r.advance(30 * S);
    expect(r.airedTexts()).toEqual(['one', 'two', 'three']);
  });
});
