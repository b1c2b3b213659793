/**
 * The server's own keys for a room's show. Every key of one room shares the hash tag
 * `{room}`, so the director's scripts (lease check + state write + inbox trim) touch one
 * Redis Cluster slot.
 */
export function showKeys(prefix: string, room: string) {
  const base = `${prefix}:show:{${room}}`;
  return {
    runtime: `${base}:runtime`,
    lease: `${base}:lease`,
    inbox: `${base}:inbox`,
    /** Hash lineId → SegmentPayload of live lines (answers, says) until they air or drop. */
    payload: `${base}:payload`,
    materials: `${base}:materials`,
    /** Hash content key → PreparedStatus of lines synthesized ahead. */
    prepared: `${base}:prepared`,
    /** Hash content key → SegmentPayload of the ready ones. */
    preparedPayload: `${base}:prepared-payload`,
    rundown: `${base}:rundown`,
    /** Same as protocol's redisKeys(prefix).backlog(room); the director writes it with the state. */
    backlog: `${base}:backlog-ms`,
  };
}
export type ShowKeys = ReturnType<typeof showKeys>;

/** Where a room's director is woken: one channel per server instance (a bus channel name). */
export const directorChannel = (instanceId: string) => `director:${instanceId}`;
