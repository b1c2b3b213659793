import { sanitizeText } from '../../../protocol/text-hygiene.js';
import type { ServerCore } from '../../core.js';
import type { CompatKeys } from './keys.js';
import { ROLE_MAP, speedFor, term, VOICE_MAP, type LegacyRoleName } from './vocabulary.js';

/** An answer made playable for a legacy renderer: its text and the audio of its lines, in order. */
export interface AnswerAudio {
  text: string;
  wavKeys: string[];
}

/** `aired`: it went on air on the room's livehost render host instead (a success, with nothing for the module). */
export type AnswerOutcome = AnswerAudio | { ended: string; aired?: true } | null;

/** How long a made answer is kept: a repeated question within the newsroom's duplicate window reuses it. */
const ANSWER_TTL_S = 24 * 3600;

export interface RoleView {
  role: LegacyRoleName;
  language: string;
  voice: string;
  character: string;
  persona: string;
  edited: boolean;
}

/**
 * The Q&A route's side of the newsroom: a question asked with a role's persona, language
 * and voice (one question's context, not the room's), and its answer, once every line
 * of it is synthesized, turned into one playable item. A room without a livehost render
 * host keeps answer lines waiting; there the legacy module is the renderer, so the
 * director's copy is called off once the item exists (what the module plays it never
 * reports back).
 */
export class Answers {
  constructor(private readonly core: ServerCore, private readonly keys: CompatKeys) {}

  async persona(role: LegacyRoleName): Promise<string> {
    return (await this.core.redis.hget(this.keys.personas, role)) ?? ROLE_MAP[role].persona;
  }

  async roles(): Promise<RoleView[]> {
    const edited = await this.core.redis.hgetall(this.keys.personas);
    return (Object.keys(ROLE_MAP) as LegacyRoleName[]).map((role) => {
      const r = ROLE_MAP[role];
      return { role, language: r.language, voice: r.voice, character: r.character, persona: edited[role] ?? r.persona, edited: role in edited };
    });
  }

  /** Changes a role's persona for every room (null: back to the default). */
  async setPersona(roleName: string, persona: string | null): Promise<RoleView> {
    const role = term('role', ROLE_MAP, roleName);
    if (persona === null) await this.core.redis.hdel(this.keys.personas, role);
    else await this.core.redis.hset(this.keys.personas, role, sanitizeText(persona, { multiline: true }));
    return (await this.roles()).find((r) => r.role === role)!;
  }

  /** Asks the question in the room with the role's persona; returns the question id. */
  async ask(room: string, roleName: string, user: string, text: string, voiceSpeed: string | undefined): Promise<{ questionId: string; role: LegacyRoleName }> {
    const role = term('role', ROLE_MAP, roleName);
    const r = ROLE_MAP[role];
    const speed = speedFor(voiceSpeed);
    const { questionId } = await this.core.questions.ask(room, { id: `aws-guidance:${user}`.slice(0, 128), name: user.slice(0, 64) }, text, undefined, {
      context: { persona: await this.persona(role), language: r.language, voice: { voice: VOICE_MAP[r.voice].voice, prosody: { speed } }, fallbackLine: r.fallbackLine },
    });
    return { questionId, role };
  }

  /**
   * The answer's audio once all of it is synthesized; `{ended}` when it never will be
   * playable here; null while it is still on its way (or waiting for an operator's review).
   */
  async resolve(room: string, questionId: string, role: LegacyRoleName, vrModule: string): Promise<AnswerOutcome> {
    const made = await this.core.redis.get(this.keys.answer(questionId));
    if (made) return JSON.parse(made) as AnswerAudio;
    const answer = await this.core.show.answerLines(room, questionId);
    if (!answer) return null;
    if (answer.outcome === 'dropped') {
      const q = (await this.core.questions.list(room)).find((x) => x.questionId === questionId);
      return { ended: `the answer was dropped${q?.reason ? `: ${q.reason}` : ''}` };
    }
    if (!answer.complete) return null;
    if (answer.aired.length > 0 || answer.lines.some((l) => !l.payload)) {
      return { ended: "the answer went on air on the room's render host (its audio was let go there)", aired: true };
    }
    if (answer.lines.length === 0) return { ended: 'nothing of the answer could be voiced' };
    // Chinese sentences join without a space.
    const sep = ROLE_MAP[role].language.startsWith('zh') ? '' : ' ';
    const audio: AnswerAudio = { text: answer.lines.map((l) => l.text).join(sep), wavKeys: answer.lines.map((l) => l.payload!.audio.key) };
    const first = await this.core.redis.set(this.keys.answer(questionId), JSON.stringify(audio), 'EX', ANSWER_TTL_S, 'NX');
    if (first && !(await this.core.placement.lookup(room))) {
      await this.core.show.submit(room, {
        type: 'answer.cancel', answerId: questionId,
        reason: `given to the AWS guidance render module of vr_module ${vrModule}, which does not report what it plays`,
      });
    }
    if (first) return audio;
    // Another instance made it a moment earlier: play theirs, so both agree.
    const theirs = await this.core.redis.get(this.keys.answer(questionId));
    return theirs ? JSON.parse(theirs) as AnswerAudio : audio;
  }
}
