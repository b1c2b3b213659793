import { Type, type Static } from '@sinclair/typebox';
import { EntityId } from './common.js';

/** The original product's avatar vocabulary, kept so existing rundowns carry over. */
export const ACTIONS = ['Idle', 'Talk1', 'Talk2', 'Talk3', 'Talk4'] as const;
export const SCENES = ['park', 'beach', 'shopping-mall', 'background-screen', 'plain-wall'] as const;
export const CAMERAS = ['front', 'side'] as const;
export const CHARACTERS = ['ava', 'ben', 'chloe', 'daniel'] as const;

const lit = <T extends readonly string[]>(xs: T) => Type.Union(xs.map((x) => Type.Literal(x)));

export const ActionSchema = lit(ACTIONS);
export const SceneSchema = lit(SCENES);
export const CameraSchema = lit(CAMERAS);
export const CharacterSchema = lit(CHARACTERS);

/** The room's look, also sent to a render host when a room is placed on it. */
export const AvatarLook = Type.Object({
  character: CharacterSchema,
  scene: SceneSchema,
  camera: CameraSchema,
}, { additionalProperties: false });
export type AvatarLook = Static<typeof AvatarLook>;

/** The commands that change what is seen: what an operator sends, and what a cue may carry. */
export const VisualCommand = Type.Union([
  Type.Object({ name: Type.Literal('action'), action: ActionSchema }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('scene'), scene: SceneSchema }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('camera'), camera: CameraSchema }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('character'), character: CharacterSchema }, { additionalProperties: false }),
  Type.Object({
    name: Type.Literal('panel.show'),
    /** An http(s) image URL shown beside the avatar (product shot, slide). */
    imageUrl: Type.String({ format: 'uri', maxLength: 2048, pattern: '^https?://' }),
    title: Type.Optional(Type.String({ maxLength: 120 })),
  }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('panel.hide') }, { additionalProperties: false }),
  /** A product card in the panel's place: a name and a price, with the product's picture when given. */
  Type.Object({
    name: Type.Literal('card.show'),
    title: Type.String({ minLength: 1, maxLength: 80 }),
    price: Type.Optional(Type.String({ minLength: 1, maxLength: 24 })),
    imageUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2048, pattern: '^https?://' })),
  }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('card.hide') }, { additionalProperties: false }),
  Type.Object({
    name: Type.Literal('caption'),
    /** An operator-set lower third; empty clears it. */
    text: Type.String({ maxLength: 200 }),
  }, { additionalProperties: false }),
]);
export type VisualCommand = Static<typeof VisualCommand>;

export const StopCommand = Type.Object({
  name: Type.Literal('stop'),
  /** Segments to drop; absent means stop speaking and clear the queue. */
  segmentIds: Type.Optional(Type.Array(EntityId, { maxItems: 100 })),
}, { additionalProperties: false });

/**
 * Commands an operator sends to a room's avatar; the server relays them to the room's
 * render host in order and the host acknowledges each one.
 */
export const AvatarCommand = Type.Union([...VisualCommand.anyOf, StopCommand]);
export type AvatarCommand = Static<typeof AvatarCommand>;
