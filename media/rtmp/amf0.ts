/**
 * The part of AMF0 (Action Message Format, Adobe's spec) an RTMP publisher speaks:
 * numbers, booleans, strings, objects, null — and, to read what servers answer, ECMA
 * and strict arrays, dates and long strings as well.
 */
export type Amf0Value = number | boolean | string | null | undefined | Amf0Value[] | { [key: string]: Amf0Value };

const NUMBER = 0x00;
const BOOLEAN = 0x01;
const STRING = 0x02;
const OBJECT = 0x03;
const NULL = 0x05;
const UNDEFINED = 0x06;
const ECMA_ARRAY = 0x08;
const OBJECT_END = 0x09;
const STRICT_ARRAY = 0x0a;
const DATE = 0x0b;
const LONG_STRING = 0x0c;

function utf8(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
}

export function encodeAmf0(value: Amf0Value): Buffer {
  if (typeof value === 'number') {
    const b = Buffer.alloc(9);
    b[0] = NUMBER;
    b.writeDoubleBE(value, 1);
    return b;
  }
  if (typeof value === 'boolean') return Buffer.from([BOOLEAN, value ? 1 : 0]);
  if (typeof value === 'string') {
    if (Buffer.byteLength(value) > 0xffff) throw new RangeError('AMF0 string longer than 65535 bytes');
    return Buffer.concat([Buffer.from([STRING]), utf8(value)]);
  }
  if (value === null) return Buffer.from([NULL]);
  if (value === undefined) return Buffer.from([UNDEFINED]);
  if (Array.isArray(value)) {
    const head = Buffer.alloc(5);
    head[0] = STRICT_ARRAY;
    head.writeUInt32BE(value.length, 1);
    return Buffer.concat([head, ...value.map(encodeAmf0)]);
  }
  const parts: Buffer[] = [Buffer.from([OBJECT])];
  for (const [k, v] of Object.entries(value)) parts.push(utf8(k), encodeAmf0(v));
  parts.push(Buffer.from([0, 0, OBJECT_END]));
  return Buffer.concat(parts);
}

/** Decodes every value in `buf` (a command: name, transaction id, then arguments). */
export function decodeAmf0(buf: Buffer): Amf0Value[] {
  let o = 0;
  const need = (n: number): void => {
    if (o + n > buf.length) throw new RangeError('AMF0 value runs past the end of the message');
  };
  const str = (long: boolean): string => {
    need(long ? 4 : 2);
    const n = long ? buf.readUInt32BE(o) : buf.readUInt16BE(o);
    o += long ? 4 : 2;
    need(n);
    const s = buf.toString('utf8', o, o + n);
    o += n;
    return s;
  };
  const props = (): { [key: string]: Amf0Value } => {
    const out: { [key: string]: Amf0Value } = {};
    for (;;) {
      const key = str(false);
      need(1);
      if (key === '' && buf[o] === OBJECT_END) {
        o++;
        return out;
      }
      out[key] = value();
    }
  };
  const value = (): Amf0Value => {
    need(1);
    const type = buf[o++];
    switch (type) {
      case NUMBER: need(8); o += 8; return buf.readDoubleBE(o - 8);
      case BOOLEAN: need(1); return buf[o++] !== 0;
      case STRING: return str(false);
      case LONG_STRING: return str(true);
      case OBJECT: return props();
      case ECMA_ARRAY: need(4); o += 4; return props();
      case STRICT_ARRAY: {
        need(4);
        const n = buf.readUInt32BE(o);
        o += 4;
        const out: Amf0Value[] = [];
        for (let i = 0; i < n; i++) out.push(value());
        return out;
      }
      case DATE: need(10); o += 10; return buf.readDoubleBE(o - 10);
      case NULL: return null;
      case UNDEFINED: return undefined;
      default: throw new RangeError(`AMF0 type 0x${(type ?? 0).toString(16)} is not supported`);
    }
  };
  const out: Amf0Value[] = [];
  while (o < buf.length) out.push(value());
  return out;
}
