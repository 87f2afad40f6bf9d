import { sValidator } from '@hono/standard-validator';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ValidationTargets } from 'hono';
import { ValidationError, type InvalidField } from '../errors.js';

const targetNames: Record<keyof ValidationTargets, string> = {
  json: 'JSON body',
  form: 'form body',
  query: 'query string',
  param: 'path',
  header: 'headers',
  cookie: 'cookies',
};

/**
 * Validates one part of the request (`json`, `query`, `param`, ...) with a Standard Schema
 * (valibot here; zod or arktype work the same) before the handler runs; the handler reads the
 * parsed value with `c.req.valid(target)`, typed, and so does Hono's RPC client. A bad input
 * answers 400 in the app's JSON error envelope, with one entry per failing field.
 * @example
 * const body = v.object({ message: v.pipe(v.string(), v.maxLength(1_000)) });
 * app.post('/echo', validate('json', body), (c) => c.json(c.req.valid('json')));
 */
export function validate<Target extends keyof ValidationTargets, Schema extends StandardSchemaV1>(target: Target, schema: Schema) {
  return sValidator(target, schema, (result) => {
    if (!result.success) throw new ValidationError(targetNames[target], result.error.map(toInvalidField));
  });
}

/** `{ field: 'items.0.id', message }` from a Standard Schema issue; an issue about the whole input has field ''. */
export function toInvalidField(issue: StandardSchemaV1.Issue): InvalidField {
  const field = (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.');
  return { field, message: issue.message };
}
