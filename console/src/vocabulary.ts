import type * as avatar from '../../protocol/avatar.js';
import type * as speech from '../../protocol/speech.js';
import type * as common from '../../protocol/common.js';

/**
 * The avatar and voice vocabulary, as lists the controls can show. protocol/ has them as
 * runtime arrays too, but importing those would bring TypeBox's builder into the bundle
 * (13 KB gzip for six lists); instead each list here is checked against protocol's types
 * by the compiler — a value missing or extra fails `tsc -p console`, so they cannot drift.
 */
type Exhaustive<T extends string, L extends readonly T[]> = [T] extends [L[number]] ? L : { missing: Exclude<T, L[number]> };
export const every = <T extends string>() => <const L extends readonly T[]>(list: L & Exhaustive<T, L>): L => list;

// The member types come from protocol's own `as const` lists (a type-only import: no code).
export type Scene = (typeof avatar.SCENES)[number];
export type Character = (typeof avatar.CHARACTERS)[number];
export type Camera = (typeof avatar.CAMERAS)[number];
export type Action = (typeof avatar.ACTIONS)[number];
export type VoiceId = (typeof speech.VOICE_IDS)[number];
export type Speed = (typeof speech.SPEEDS)[number];
export type Language = (typeof common.LANGUAGES)[number];
export type SayPriority = NonNullable<speech.SayRequest['priority']>;

export const SCENES = every<Scene>()(['park', 'beach', 'shopping-mall', 'background-screen', 'plain-wall']);
export const CHARACTERS = every<Character>()(['ava', 'ben', 'chloe', 'daniel']);
export const CAMERAS = every<Camera>()(['front', 'side']);
export const ACTIONS = every<Action>()(['Idle', 'Talk1', 'Talk2', 'Talk3', 'Talk4']);
export const VOICES = every<VoiceId>()([
  'en-US-female', 'en-US-male', 'en-GB-female', 'en-GB-male', 'fr-FR-female', 'de-DE-female', 'de-DE-male', 'zh-CN-female',
]);
export const SPEEDS = every<Speed>()(['x-slow', 'slow', 'medium', 'fast', 'x-fast']);
export const SAY_PRIORITIES = every<SayPriority>()(['script', 'urgent']);
export const LANGUAGES = every<Language>()(['en-US', 'en-GB', 'zh-CN', 'fr-FR', 'de-DE']);
