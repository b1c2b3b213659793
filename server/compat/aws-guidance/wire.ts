import { Type, type Static } from '@sinclair/typebox';

/**
 * The request and response shapes of the AWS guidance's API, written from what its
 * console and render module send and read. They are that API's, not livehost's, so they
 * live with the adapter; every field is bounded, and vocabulary fields are checked
 * against vocabulary.ts (a 400 that lists the known values).
 */

export const VrModule = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'vr_module id (configured)' });

/** The original's partition key (its console sends "VR-demo"): any printable text. */
export const LegacyUserId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\x00-\\x1f\\x7f]+$' });

/** The original's sort key `index` (its console sends a millisecond timestamp), as a string or a number. */
export const LegacyIndex = Type.Union([
  Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' }),
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
]);

const Term = Type.Optional(Type.String({ maxLength: 64 }));
const ImageUrl = Type.Optional(Type.String({ maxLength: 2048, pattern: '^$|^https?://[^\\s]+$' }));

const itemFields = {
  user_id: LegacyUserId,
  id: LegacyIndex,
  image_url: ImageUrl,
  character: Term,
  voice: Term,
  scene: Term,
  action: Term,
  camera: Term,
  voice_speed: Term,
  item_id: Type.Optional(Type.String({ maxLength: 128 })),
  vr_module: VrModule,
  /** The console sends one; each start makes its own (it must change every time). */
  random_id: Type.Optional(Type.String({ maxLength: 64 })),
};

export const SetMaterialBody = Type.Object({
  ...itemFields,
  text: Type.String({ minLength: 1, maxLength: 2000 }),
}, { additionalProperties: false });
export type SetMaterialBody = Static<typeof SetMaterialBody>;

export const SetQaBody = Type.Object({
  ...itemFields,
  /** The viewer's question. */
  text: Type.String({ minLength: 1, maxLength: 500 }),
  role: Type.String({ maxLength: 64 }),
}, { additionalProperties: false });
export type SetQaBody = Static<typeof SetQaBody>;

export const ListBody = Type.Object({ user_id: LegacyUserId }, { additionalProperties: false });

export const PlayBody = Type.Object({
  /** The item's index; one that matches nothing on the module stops it. */
  id: Type.Union([Type.String({ maxLength: 64 }), Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })]),
  random_id: Type.Optional(Type.String({ maxLength: 64 })),
  vr_module: VrModule,
}, { additionalProperties: false });
export type PlayBody = Static<typeof PlayBody>;

/** Loose on purpose: the route names what is wrong with any other shape (delete-request.ts). */
export const DeleteBody = Type.Object({
  operation: Type.Unknown(),
  tableName: Type.Unknown(),
  payload: Type.Unknown(),
}, { additionalProperties: false });

export const PollQuery = Type.Object({
  vr_module: VrModule,
  token: Type.Optional(Type.String({ maxLength: 4096 })),
}, { additionalProperties: false });

export const UploadQuery = Type.Object({
  content_type: Type.Optional(Type.String({ maxLength: 64 })),
  /** Bytes the client will send; with S3, signed into the URL so S3 enforces it. */
  size: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,9}$' })),
}, { additionalProperties: false });

export const ModuleTokenBody = Type.Object({
  vr_module: VrModule,
  ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 365 * 24 * 3600 })),
}, { additionalProperties: false });

export const PersonaBody = Type.Object({
  /** null: back to the default persona. */
  persona: Type.Union([Type.String({ minLength: 1, maxLength: 4000 }), Type.Null()]),
}, { additionalProperties: false });

/** An item as the original's table held it, and as its console and render module read it. */
export const LegacyItem = Type.Object({
  demo_name: Type.String(),
  index: Type.String(),
  text: Type.String(),
  character: Type.String(),
  voice: Type.String(),
  scene: Type.String(),
  action: Type.String(),
  camera: Type.String(),
  voice_speed: Type.String(),
  vr_module: Type.String(),
  item_id: Type.String(),
  user_id: Type.String(),
  pic_path: Type.String(),
  /** An MP3 URL the module downloads; empty while the line is being synthesized. */
  audio_path: Type.String(),
  playing: Type.Boolean(),
  /** The play nonce: new at every start. */
  random_id: Type.String(),
});
export type LegacyItem = Static<typeof LegacyItem>;

/** The original's DynamoDB query shape. */
export const ItemList = Type.Object({
  Items: Type.Array(LegacyItem),
  Count: Type.Integer(),
  ScannedCount: Type.Integer(),
});
