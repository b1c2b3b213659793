import { blocklistProblem, type UpdateRoomBody } from '../../protocol/index.js';
import { sanitizeText } from '../../protocol/text-hygiene.js';
import { ProtocolError } from '../auth/auth-error.js';

function shown(field: string, value: string): string {
  const clean = sanitizeText(value);
  if (!clean) throw new ProtocolError('invalid_message', `${field} has no visible text`);
  return clean;
}

/**
 * Room settings as they may be stored, from a create or patch body: text that operators
 * see or the avatar says is sanitized (bidi overrides, invisible characters, double
 * entities), and a blocklist whose patterns cannot run in linear time is refused — 400
 * naming the pattern — instead of being stored to fail later.
 */
export function checkedRoomSettings<T extends UpdateRoomBody>(body: T): T {
  const problem = body.blocklist ? blocklistProblem(body.blocklist) : null;
  if (problem) throw new ProtocolError('invalid_message', problem);
  return {
    ...body,
    ...(body.name !== undefined ? { name: shown('name', body.name) } : {}),
    ...(body.fallbackLine !== undefined ? { fallbackLine: shown('fallbackLine', body.fallbackLine) } : {}),
    ...(body.persona !== undefined ? { persona: sanitizeText(body.persona, { multiline: true }) } : {}),
  };
}
