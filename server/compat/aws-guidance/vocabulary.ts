import {
  SPEEDS, type ACTIONS, type CAMERAS, type CHARACTERS, type Language, type LookChange, type SCENES, type Speed, type VoiceId,
} from '../../../protocol/index.js';
import { ProtocolError } from '../../auth/auth-error.js';

/**
 * The AWS guidance's vocabulary and livehost's, in one table. The original's render module
 * had its own avatars and sets; livehost's renderers know four characters and five
 * scenes, so several of the original's values land on the nearest one of ours — the item
 * keeps the value it was given, and lists back with it.
 */

type Character = (typeof CHARACTERS)[number];
type Scene = (typeof SCENES)[number];
type Camera = (typeof CAMERAS)[number];
type Action = (typeof ACTIONS)[number];

/** By gender first, then by look (ava: light skin, long hair; chloe: dark skin; ben: light, short hair; daniel: dark hair). */
export const CHARACTER_MAP = {
  rp_rin_female_asian: 'ava',
  rp_emma_female_white: 'ava',
  rp_wang_female_asian: 'ava',
  rp_zhang_female_asian: 'ava',
  rp_deloris_female_asian: 'ava',
  rp_fabienne_female_white: 'ava',
  rp_zhiyu_cartoon: 'ava',
  rp_clair_cartoon: 'ava',
  rp_alison_female_black: 'chloe',
  rp_brandon_male_white: 'ben',
  rp_kai_male_white: 'ben',
  rp_ben_male_white: 'ben',
  rp_cody_male_black: 'daniel',
  rp_ming_male_asian: 'daniel',
} as const satisfies Record<string, Character>;

/**
 * The original's voices were Amazon Polly voices. livehost's voice catalog names a voice
 * by language and gender; its Polly provider speaks these with its own choice of Polly
 * voice (workers/tts/voice-catalog.ts), and flite or espeak-ng (the embedded voices)
 * when Polly is not configured. `polly` is the voice the original used.
 */
export const VOICE_MAP = {
  'Zhiyu-CHN': { voice: 'zh-CN-female', language: 'zh-CN', polly: 'Zhiyu' },
  'US-En-Male': { voice: 'en-US-male', language: 'en-US', polly: 'Joey' },
  'US-En-Female': { voice: 'en-US-female', language: 'en-US', polly: 'Salli' },
  'UK-En-Male': { voice: 'en-GB-male', language: 'en-GB', polly: 'Brian' },
  'UK-En-Female': { voice: 'en-GB-female', language: 'en-GB', polly: 'Emma' },
  'DE-Male': { voice: 'de-DE-male', language: 'de-DE', polly: 'Daniel' },
  'DE-Female': { voice: 'de-DE-female', language: 'de-DE', polly: 'Vicki' },
  'fr-FR-Female': { voice: 'fr-FR-female', language: 'fr-FR', polly: 'Lea' },
} as const satisfies Record<string, { voice: VoiceId; language: Language; polly: string }>;
export type LegacyVoice = keyof typeof VOICE_MAP;

/** The same five SSML rates on both sides. */
export const SPEED_MAP = Object.fromEntries(SPEEDS.map((s) => [s, s])) as Readonly<Record<Speed, Speed>>;

export const SCENE_MAP = {
  shoppingmall: 'shopping-mall',
  supermarket: 'shopping-mall',
  park: 'park',
  screen: 'background-screen',
  beach: 'beach',
  bg_wall1: 'plain-wall',
  bg_wall2: 'plain-wall',
  bg_wall3: 'plain-wall',
  bg_wall4: 'plain-wall',
} as const satisfies Record<string, Scene>;

export const CAMERA_MAP = { front_stand: 'front', side_stand: 'side' } as const satisfies Record<string, Camera>;

export const ACTION_MAP = { Talk1: 'Talk1', Talk2: 'Talk2', Talk3: 'Talk3', Talk4: 'Talk4', Idle: 'Idle' } as const satisfies Record<string, Action>;

export interface LegacyRole {
  language: Language;
  voice: LegacyVoice;
  character: keyof typeof CHARACTER_MAP;
  /** The default persona; operators change it with PUT roles/:role. */
  persona: string;
  /** Said when no confident answer exists, in the role's language. */
  fallbackLine: string;
}

const FALLBACK_ZH = '这个问题问得好，我稍后再为您解答。';
const FALLBACK_EN = 'That is a good question; let me come back to it in a moment.';

/** The original's Q&A roles: who answers, in which language, with which voice and look. */
export const ROLE_MAP = {
  role_tourist_guide: {
    language: 'zh-CN', voice: 'Zhiyu-CHN', character: 'rp_emma_female_white', fallbackLine: FALLBACK_ZH,
    persona: '你是一名导游，名叫小林。请用风趣的方式回答观众的问题，用中文，30个字以内。',
  },
  role_expert_AWS: {
    language: 'zh-CN', voice: 'Zhiyu-CHN', character: 'rp_rin_female_asian', fallbackLine: FALLBACK_ZH,
    persona: '你是一名亚马逊云科技专家，名叫艾玛。请用专业的方式回答观众的问题，用中文，30个字以内。',
  },
  role_expert_auto_en: {
    language: 'en-GB', voice: 'UK-En-Male', character: 'rp_brandon_male_white', fallbackLine: FALLBACK_EN,
    persona: 'You are Kai, an expert on cars. Answer viewers professionally, in English, in at most 20 words.',
  },
  role_3D_avatar_en: {
    language: 'en-GB', voice: 'UK-En-Male', character: 'rp_ming_male_asian', fallbackLine: FALLBACK_EN,
    persona: 'You are the digital twin of the presenter Ming Qi. Answer viewers in a lively way, in English, in at most 30 words.',
  },
  role_expert_auto_cn: {
    language: 'zh-CN', voice: 'Zhiyu-CHN', character: 'rp_deloris_female_asian', fallbackLine: FALLBACK_ZH,
    persona: '你是一名医疗健康专家，名叫小美。请用专业的方式回答观众的问题，用中文，30个字以内。',
  },
} as const satisfies Record<string, LegacyRole>;
export type LegacyRoleName = keyof typeof ROLE_MAP;

/** A value of the original's vocabulary, or a 400 that lists the values it knows. */
export function term<T extends Record<string, unknown>>(field: string, table: T, value: string): keyof T & string {
  if (Object.hasOwn(table, value)) return value;
  const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  throw new ProtocolError('invalid_message', `unknown ${field} ${shown}; known: ${Object.keys(table).join(', ')}`);
}

/** The look fields of a request, as the original named them; empty or absent: unchanged. */
export interface LegacyLook {
  character?: string;
  scene?: string;
  camera?: string;
  action?: string;
}

/** livehost's look change for the original's values (400 on any unknown one). */
export function lookFor(look: LegacyLook): LookChange {
  const out: LookChange = {};
  if (look.character) out.character = CHARACTER_MAP[term('character', CHARACTER_MAP, look.character)];
  if (look.scene) out.scene = SCENE_MAP[term('scene', SCENE_MAP, look.scene)];
  if (look.camera) out.camera = CAMERA_MAP[term('camera', CAMERA_MAP, look.camera)];
  if (look.action) out.action = ACTION_MAP[term('action', ACTION_MAP, look.action)];
  return out;
}

export function speedFor(value: string | undefined): Speed {
  return value ? SPEED_MAP[term('voice_speed', SPEED_MAP, value) as Speed] : 'medium';
}
