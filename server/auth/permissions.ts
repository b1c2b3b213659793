import type { Role } from '../../protocol/index.js';

/**
 * The role × action matrix, in one place. REST routes and WebSocket endpoints name an
 * action; room scope is checked separately against the token's rooms.
 */
export const PERMISSIONS = {
  'rooms.create': ['admin'],
  'rooms.delete': ['admin'],
  'rooms.list': ['admin', 'operator', 'viewer'],
  'rooms.read': ['admin', 'operator', 'viewer', 'bot'],
  'rooms.update': ['admin', 'operator'],
  'kb.read': ['admin', 'operator'],
  'kb.write': ['admin', 'operator'],
  'rooms.say': ['admin', 'operator'],
  'library.read': ['admin', 'operator'],
  'library.write': ['admin', 'operator'],
  'newsroom.read': ['admin', 'operator'],
  'newsroom.moderate': ['admin', 'operator'],
  'show.read': ['admin', 'operator'],
  'show.control': ['admin', 'operator'],
  'destinations.read': ['admin', 'operator'],
  'destinations.write': ['admin', 'operator'],
  'recordings.read': ['admin', 'operator'],
  'stage.watch': ['admin', 'operator', 'viewer'],
  'questions.ask': ['admin', 'operator', 'bot', 'viewer'],
  'tokens.issue': ['admin'],
  'tokens.list': ['admin'],
  'tokens.revoke': ['admin'],
  'hosts.list': ['admin'],
  // The health of the one host rendering a room, for that room's operators (not the fleet).
  'rooms.host': ['admin', 'operator'],
  'jobs.view': ['admin'],
  // The AWS guidance's API (server/compat/aws-guidance/). The render module's poll also
  // takes a token bound to its vr_module, whatever its role (see the adapter's auth).
  'compat.aws-guidance.read': ['admin', 'operator'],
  'compat.aws-guidance.write': ['admin', 'operator'],
  'compat.aws-guidance.poll': ['admin', 'operator'],
  'compat.aws-guidance.tokens': ['admin'],
  'ws.operator': ['admin', 'operator'],
  'ws.render-host': ['render-host'],
  'ws.bot': ['bot'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;

export function allows(role: Role, action: Action): boolean {
  return (PERMISSIONS[action] as readonly Role[]).includes(role);
}
