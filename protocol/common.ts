import { Type, type Static } from '@sinclair/typebox';

/**
 * Identifiers are restricted so that nothing a client sends can name an arbitrary
 * Redis key, table or file path: lowercase slugs only, no separators.
 */
export const RoomId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'room slug' });
export type RoomId = Static<typeof RoomId>;

export const HostId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'render host id' });
export type HostId = Static<typeof HostId>;

/** Client-chosen message id, echoed back as `ref` in acks and errors. */
export const MessageId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' });
export type MessageId = Static<typeof MessageId>;

/** Server-assigned entity id (questions, segments, tokens). */
export const EntityId = Type.String({ minLength: 1, maxLength: 96, pattern: '^[A-Za-z0-9._:-]+$' });
export type EntityId = Static<typeof EntityId>;

export const Seq = Type.Integer({ minimum: 0, description: 'per-session (or per-room) sequence number' });

export const ROLES = ['admin', 'operator', 'render-host', 'bot', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));

export const LANGUAGES = ['en-US', 'en-GB', 'zh-CN', 'fr-FR', 'de-DE'] as const;
export const Language = Type.Union(LANGUAGES.map((l) => Type.Literal(l)));
export type Language = Static<typeof Language>;

/** Server-issued id of a relayed operator command; opaque to render hosts, echoed in their ack. */
export const CommandId = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' });
