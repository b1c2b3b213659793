import { randomBytes } from 'node:crypto';

/** A server-assigned id: kind, time (sortable) and randomness. */
export function newId(kind: string): string {
  return `${kind}-${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
}
