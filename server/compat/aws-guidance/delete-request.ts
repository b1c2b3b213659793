import { ProtocolError } from '../../auth/auth-error.js';

/** The table name the original's console sends; it names no table here, it only has to match. */
export const CONSOLE_TABLE = 'vr-demo';

const bad = (why: string) => new ProtocolError('invalid_message', `delete_dynamodb_metadata ${why}; it only deletes one item, sent as `
  + `{"operation":"delete","tableName":"${CONSOLE_TABLE}","payload":{"Key":{"demo_name":"<user_id>","index":"<id>"}}}`);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The original route passed any operation on any table straight to DynamoDB. Here only
 * the one request its console makes is understood — delete the item (demo_name, index) —
 * and everything else is refused, naming what is wrong.
 */
export function parseDeleteRequest(body: { operation: unknown; tableName: unknown; payload: unknown }): { userId: string; index: string } {
  if (body.operation !== 'delete') throw bad(`does not run operation ${JSON.stringify(String(body.operation).slice(0, 40))}`);
  if (body.tableName !== CONSOLE_TABLE) throw bad(`names no table but "${CONSOLE_TABLE}"`);
  const payload = body.payload;
  if (!isObject(payload) || Object.keys(payload).length !== 1 || !isObject(payload.Key)) throw bad('takes a payload with a Key and nothing else');
  const key = payload.Key;
  if (Object.keys(key).length !== 2) throw bad('takes a Key of exactly demo_name and index');
  const { demo_name: userId, index } = key;
  if (typeof userId !== 'string' || userId.length < 1 || userId.length > 128) throw bad('needs Key.demo_name, the user_id, as a string');
  const ok = (typeof index === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(index)) || (Number.isSafeInteger(index) && (index as number) >= 0);
  if (!ok) throw bad('needs Key.index, the id, as a string or a whole number');
  return { userId, index: String(index) };
}
