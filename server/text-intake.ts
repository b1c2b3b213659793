import { sanitizeText, spokenText } from '../protocol/text-hygiene.js';
import { ProtocolError } from './auth/auth-error.js';

/**
 * The text that enters from clients — viewer names and questions, chat, lines operators
 * have the avatar say — as every part downstream sees it: sanitized once, here, at the
 * entry (protocol/text-hygiene.ts), so no console shows a bidi override and no voice
 * reads a double-encoded entity.
 */

/** A viewer as operators see them; a name with nothing visible left is shown as "viewer". */
export function viewerUser<U extends { id: string; name: string }>(user: U): U {
  return { ...user, name: sanitizeText(user.name) || 'viewer' };
}

/** A line for the avatar to say; refused (invalid_message) when nothing speakable is left. */
export function lineToSay(text: string): string {
  const clean = sanitizeText(text);
  if (!/[\p{L}\p{N}]/u.test(spokenText(clean))) throw new ProtocolError('invalid_message', 'text has nothing to say');
  return clean;
}

/** Viewer text (a question, a chat line); refused when nothing visible is left. */
export function viewerText(text: string): string {
  const clean = sanitizeText(text);
  if (!clean) throw new ProtocolError('invalid_message', 'the text is empty');
  return clean;
}
