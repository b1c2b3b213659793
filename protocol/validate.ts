import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { FormatRegistry, type TSchema, type Static } from '@sinclair/typebox';
import { INBOUND, OUTBOUND, type ClientRole, type InboundFor, type OutboundFor } from './messages.js';

// TypeBox fails every value of an unregistered format, so the formats the protocol uses
// are registered here, where every validator is compiled.
if (!FormatRegistry.Has('uri')) FormatRegistry.Set('uri', (value) => URL.canParse(value));

export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

export interface Validator<T> {
  check(value: unknown): Validation<T>;
}

/** Compiles once; `check` reports the first failure as "path: message". */
export function compile<S extends TSchema>(schema: S): Validator<Static<S>> {
  const checker: TypeCheck<S> = TypeCompiler.Compile(schema);
  return {
    check(value) {
      if (checker.Check(value)) return { ok: true, value };
      const first = checker.Errors(value).First();
      const where = first?.path || '/';
      return { ok: false, error: first ? `${where}: ${first.message}` : 'invalid' };
    },
  };
}

const inbound = new Map<ClientRole, Validator<unknown>>();
const outbound = new Map<ClientRole, Validator<unknown>>();

/** What a client of `role` may send to the server. */
export function inboundValidator<R extends ClientRole>(role: R): Validator<InboundFor<R>> {
  let v = inbound.get(role);
  if (!v) inbound.set(role, (v = compile(INBOUND[role])));
  return v as Validator<InboundFor<R>>;
}

/** What the server may send to a client of `role` (clients and tests use this). */
export function outboundValidator<R extends ClientRole>(role: R): Validator<OutboundFor<R>> {
  let v = outbound.get(role);
  if (!v) outbound.set(role, (v = compile(OUTBOUND[role])));
  return v as Validator<OutboundFor<R>>;
}

type UnionSchema = TSchema & { anyOf: Array<TSchema & { properties: { type: { const: string } } }> };

const byType = new Map<string, Map<string, Validator<unknown>>>();

/**
 * One compiled validator per message type a direction accepts, so a bad frame gets an
 * error about its own fields (a union validator can only say "no member matched"), and
 * an unknown type is told apart from a malformed known one.
 */
export function messageValidators(direction: 'inbound' | 'outbound', role: ClientRole): Map<string, Validator<unknown>> {
  const key = `${direction}:${role}`;
  let map = byType.get(key);
  if (!map) {
    const union = (direction === 'inbound' ? INBOUND : OUTBOUND)[role] as UnionSchema;
    map = new Map(union.anyOf.map((member) => [member.properties.type.const, compile(member)]));
    byType.set(key, map);
  }
  return map;
}
