import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { compile } from '../../protocol/index.js';

/**
 * Validates a route's body and params with the protocol's TypeBox checkers instead of
 * Fastify's Ajv: Ajv runs with `removeAdditional`, which strips fields of a union branch
 * while it tries that branch (a cue's command, a show command), and TypeBox never
 * mutates. The schema still documents the route in OpenAPI.
 */
export const typeboxValidator: FastifySchemaCompiler<FastifySchema> = ({ schema }) => {
  const checker = compile(schema as TSchema);
  return (data: unknown) => {
    const r = checker.check(data);
    if (r.ok) return { value: data };
    const error = Object.assign(new Error(r.error), { validation: [{ message: r.error }], statusCode: 400 });
    return { error };
  };
};
