import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { AnswerContext, KnowledgeBase, TtsJobData } from '../../protocol/index.js';
import type { ModerationProvider } from '../../moderation/index.js';
import type { AnswerProvider } from './answer-provider.js';
import { answerQuestion, type AnswerQuestionDeps, type RejectedLine } from './answer-question.js';

const log = pino({ level: 'silent' });
const KB: KnowledgeBase = { qa: [{ question: 'How much is it?', answer: 'It costs seventy nine dollars.' }], facts: [] };
const context: AnswerContext = {
  language: 'en-US', persona: 'p', answers: 'openai', fallbackLine: 'Let me come back to that.', blocklist: ['casino'],
  maxAnswerChars: 400, voice: {},
};

/** An LLM stand-in that says these lines, in order. */
const saying = (lines: string[]): AnswerProvider => ({
  name: 'openai',
  async *answer() {
    for (let i = 0; i < lines.length; i++) yield { text: lines[i]!, last: i === lines.length - 1, source: 'openai' as const };
  },
});

async function run(lines: string[], over: Partial<AnswerQuestionDeps> = {}) {
  const emitted: TtsJobData[] = [];
  const recorded: RejectedLine[] = [];
  const result = await answerQuestion({ room: 'r', questionId: 'q1', question: 'How much is it?', context }, {
    provider: saying(lines), kb: KB, log, signal: new AbortController().signal,
    emit: async (line) => { emitted.push(line); },
    record: async (line) => { recorded.push(line); },
    ...over,
  });
  return { result, spoken: emitted.map((l) => l.text), recorded };
}

describe('answering with the output check', () => {
  it('counts a flag as a reject by default (auto): the answer ends, the fallback airs, the flag is recorded', async () => {
    const { result, spoken, recorded } = await run(['It is $59 today.', 'Shipping is free.']);
    expect(spoken).toEqual(['Let me come back to that.']);
    expect(result.rejected).toEqual([expect.objectContaining({ index: 0, reason: 'price', action: 'flag' })]);
    expect(result.flags).toEqual([]);
    expect(recorded).toEqual(result.rejected);
  });

  it('keeps flagged lines for a person when told to, listing them in flags, and still stops at a reject', async () => {
    const { result, spoken, recorded } = await run(
      ['It is $59 today.', 'It is seventy nine dollars normally.', 'Play at the casino!', 'Bye.'],
      { flagged: 'keep' },
    );
    expect(spoken).toEqual(['It is $59 today.', 'It is seventy nine dollars normally.']);
    expect(result.flags).toEqual([expect.objectContaining({ index: 0, reason: 'price', action: 'flag', text: 'It is $59 today.' })]);
    expect(result.rejected).toEqual([expect.objectContaining({ index: 2, reason: 'blocklist', action: 'reject' })]);
    expect(recorded.map((r) => r.reason)).toEqual(['price', 'blocklist']);
  });

  it('sends every line to the moderation provider and ends the answer at its reject', async () => {
    const seen: string[] = [];
    const moderation: ModerationProvider = {
      name: 'openai',
      moderate: async (text) => {
        seen.push(text);
        return text.includes('hate') ? { ok: false, reason: 'moderation', action: 'reject', detail: 'flagged: hate' } : { ok: true };
      },
    };
    const { result, spoken } = await run(['Hello there.', 'I hate all of you.', 'Bye.'], { moderation });
    expect(seen).toEqual(['Hello there.', 'I hate all of you.']);
    expect(spoken).toEqual(['Hello there.']);
    expect(result.rejected).toEqual([expect.objectContaining({ index: 1, reason: 'moderation', action: 'reject' })]);
  });
});
