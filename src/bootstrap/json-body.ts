import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RequestValidationError, type FieldProblem } from '../common/errors/domain-error.js';

/**
 * Bodies nest at most this deep. class-transformer and class-validator recurse without a bound, so a
 * body of a few hundred kilobytes of `[[[[…` overflowed the stack (a 500) even in a field that would
 * have been stripped; no DTO of ours nests past four levels.
 */
export const MAX_BODY_DEPTH = 32;

/** Methods whose JSON body may be empty: many clients send `Content-Type: application/json` always. */
const EMPTY_BODY_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS']);

/**
 * The only body parser: JSON. Fastify's text/plain parser and Nest's form parser are removed, so a
 * form or text body is a 415 (a form body used to create an app). Parsed bodies are checked once,
 * before any DTO sees them: the depth bound, and no NUL character in any string or key (PostgreSQL
 * text cannot hold one: 22021, a 500).
 */
export function installJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit },
    (req: FastifyRequest, body: string, done) => {
      if (body.length === 0 && EMPTY_BODY_METHODS.has(req.method)) {
        done(null, undefined);
        return;
      }
      void parseJson(req, body, (err, parsed: unknown) => {
        if (err) {
          done(err, undefined);
          return;
        }
        const problems = bodyProblems(parsed);
        if (problems.length > 0) done(new RequestValidationError(problems), undefined);
        else done(null, parsed);
      });
    },
  );
}

/** The depth and NUL problems of a parsed body, each naming the field (`a.b[2]`). */
export function bodyProblems(value: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  // Iterative, so the walk itself cannot overflow on what it is there to refuse.
  const stack: Array<{ v: unknown; path: string; depth: number }> = [
    { v: value, path: '', depth: 0 },
  ];
  while (stack.length > 0 && problems.length < 20) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) {
        problems.push({
          field: path || 'body',
          reason: 'must not contain a NUL character (\\u0000)',
        });
      }
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      problems.push({
        field: path || 'body',
        reason: `nests deeper than ${MAX_BODY_DEPTH} levels`,
      });
      continue;
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ v: item, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const [key, item] of Object.entries(v)) {
      const field = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) {
        problems.push({
          field: field.replaceAll('\u0000', '\\u0000'),
          reason: 'a field name must not contain a NUL character',
        });
        continue;
      }
      stack.push({ v: item, path: field, depth: depth + 1 });
    }
  }
  return problems;
}
