import type { Logger } from 'pino';
import { ProtocolError } from '../../auth/auth-error.js';
import type { ServerCore } from '../../core.js';
import type { Answers } from './answers.js';
import type { ItemRecord } from './items.js';
import type { CompatKeys } from './keys.js';
import type { MediaSigner } from './media-signer.js';
import { mp3Digest, type Mp3Cache } from './mp3-cache.js';
import { playNonce, type LegacyFields, type PlayState, type PlayStates } from './play-states.js';
import type { LegacyRoleName } from './vocabulary.js';
import type { LegacyItem } from './wire.js';

/** An MP3's parts are kept this long after the item was last played or listed. */
const AUDIO_PARTS_TTL_S = 30 * 24 * 3600;
/** The poll looks for a pending item's audio at most this often per module and instance. */
const POLL_ADVANCE_MS = 200;
/** An answer not playable after this long (a question left in review, say) is given up on: the poll stops looking. */
const ANSWER_GIVE_UP_MS = 10 * 60_000;

export function fieldsOf(item: ItemRecord): LegacyFields {
  return {
    demo_name: item.user_id, index: item.index, text: item.text, character: item.character, voice: item.voice, scene: item.scene,
    action: item.action, camera: item.camera, voice_speed: item.voice_speed, vr_module: item.vr_module, item_id: item.item_id,
    user_id: item.user_id, pic_path: item.image_url,
  };
}

/**
 * What each vr_module plays: starts (an item, an answer, nothing), and the poll's answer.
 * A started item is polled as soon as its audio is ready; until then — and when it can
 * never be — the poll answers "noaction". Finding the audio is done by whoever asks first
 * (the poll, or the Q&A route waiting for its answer), and the MP3 is made right then, so
 * the module's download that follows its poll finds it ready.
 */
export class Player {
  private readonly lastAdvance = new Map<string, number>();

  constructor(
    private readonly core: ServerCore,
    private readonly keys: CompatKeys,
    private readonly states: PlayStates,
    private readonly answers: Answers,
    private readonly signer: MediaSigner,
    private readonly mp3: Mp3Cache,
    private readonly log: Logger,
  ) {}

  /** The item as a client reads it; `base` is the adapter's absolute prefix. */
  static view(state: PlayState, base: string): LegacyItem {
    return { ...state.fields, audio_path: state.audio ? `${base}${state.audio}` : '', playing: true, random_id: state.random_id };
  }

  /** What the module plays now, when its audio is ready; null: "noaction". */
  async current(vrModule: string): Promise<PlayState | null> {
    const got = await this.states.read(vrModule);
    if (!got) return null;
    const { state } = got;
    if (state.audio) return state;
    if (state.ended) return null;
    const now = Date.now();
    if (now - (this.lastAdvance.get(vrModule) ?? 0) < POLL_ADVANCE_MS) return null;
    this.lastAdvance.set(vrModule, now);
    const next = await this.advance(state, vrModule);
    // Another start came meanwhile: the next poll answers that one.
    if (!next || !(await this.states.replace(vrModule, got.raw, next))) return null;
    return next.audio ? next : null;
  }

  /** Waits for a start's audio (or its end): 'ready', the reason it ended, or 'pending' at the deadline / when another start replaced it. */
  async waitFor(vrModule: string, randomId: string, deadline: number, closed: () => boolean): Promise<'ready' | 'aired' | 'pending' | { ended: string }> {
    const settled = (s: PlayState) => (s.audio ? 'ready' : s.aired ? 'aired' : s.ended ? { ended: s.ended } : null);
    while (Date.now() < deadline && !closed()) {
      const got = await this.states.read(vrModule);
      if (!got || got.state.random_id !== randomId) return 'pending';
      const now = settled(got.state);
      if (now) return now;
      const next = await this.advance(got.state, vrModule);
      if (next) {
        if (!(await this.states.replace(vrModule, got.raw, next))) return 'pending';
        const then = settled(next);
        if (then) return then;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return 'pending';
  }

  /** Starts an item on its module (a new nonce every time) and fills in its audio when it is ready. */
  async startItem(item: ItemRecord): Promise<PlayState> {
    const state: PlayState = {
      v: 1, kind: 'item', random_id: playNonce(), room: item.room, startedAt: Date.now(), fields: fieldsOf(item),
      materialId: item.materialId, audio: null, ended: null,
    };
    await this.states.start(item.vr_module, state);
    const next = await this.advance(state, item.vr_module);
    if (next && (await this.states.replace(item.vr_module, JSON.stringify(state), next))) return next;
    return state;
  }

  /** Starts an answer on a module: it plays once it is written and synthesized. */
  async startAnswer(vrModule: string, room: string, questionId: string, role: LegacyRoleName, fields: LegacyFields): Promise<PlayState> {
    const state: PlayState = {
      v: 1, kind: 'answer', random_id: playNonce(), room, startedAt: Date.now(), fields: { ...fields, text: '' },
      questionId, role, audio: null, ended: null,
    };
    await this.states.start(vrModule, state);
    return state;
  }

  async stop(vrModule: string): Promise<void> {
    await this.states.stop(vrModule);
  }

  /** The original's set and delete made an item not playing: the same here, for the module it was on. */
  async stopIfPlaying(item: ItemRecord): Promise<void> {
    const got = await this.states.read(item.vr_module);
    const f = got?.state.fields;
    if (got?.state.kind === 'item' && f?.user_id === item.user_id && f.index === item.index) await this.states.replace(item.vr_module, got.raw, null);
  }

  /** The play state of an item on its module, for the listing. */
  async playingOn(vrModule: string): Promise<PlayState | null> {
    return (await this.states.read(vrModule))?.state ?? null;
  }

  /** The MP3 path of an item's material, when it is synthesized (registering its parts); '' otherwise. */
  async materialAudio(room: string, materialId: string): Promise<string> {
    const { payload } = await this.core.library.materialPayload(room, materialId);
    return payload ? this.audioPath([payload.audio.key]) : '';
  }

  /** The parts of an MP3 are found by its digest; the MP3 is made now, before anyone asks. */
  private async audioPath(wavKeys: string[]): Promise<string> {
    const digest = mp3Digest(wavKeys);
    await this.core.redis.set(this.keys.audio(digest), JSON.stringify(wavKeys), 'EX', AUDIO_PARTS_TTL_S);
    void this.mp3.get(wavKeys).catch((err: Error) => this.log.warn({ err: err.message, digest }, 'MP3 could not be made'));
    return this.signer.mp3Path(digest);
  }

  /** The state with what became known since (audio, or why it ends); null: nothing new. */
  private async advance(state: PlayState, vrModule: string): Promise<PlayState | null> {
    if (state.kind === 'item') {
      let got;
      try {
        got = await this.core.library.materialPayload(state.room, state.materialId!);
      } catch (err) {
        if (err instanceof ProtocolError && err.code === 'not_found') return { ...state, ended: 'the item was deleted' };
        throw err;
      }
      if (got.material.status === 'failed') return { ...state, ended: `its synthesis failed: ${got.material.error ?? 'unknown'}` };
      if (!got.payload) return null;
      return { ...state, audio: await this.audioPath([got.payload.audio.key]) };
    }
    const outcome = await this.answers.resolve(state.room, state.questionId!, state.role!, vrModule);
    if (!outcome) return Date.now() - state.startedAt > ANSWER_GIVE_UP_MS ? { ...state, ended: 'no answer came within 10 minutes' } : null;
    if ('ended' in outcome) return { ...state, ended: outcome.ended, ...(outcome.aired ? { aired: true as const } : {}) };
    return { ...state, fields: { ...state.fields, text: outcome.text }, audio: await this.audioPath(outcome.wavKeys) };
  }
}
