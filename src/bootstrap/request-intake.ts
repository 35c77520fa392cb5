import type { FastifyInstance } from 'fastify';
import { sendError } from '../common/errors/all-exceptions.filter.js';
import { RequestValidationError } from '../common/errors/domain-error.js';

/**
 * Headers that name one caller or carry one credential. Sent twice, Node either joins them
 * (`X-Client-Id: alice` + `bob` became the user "alice, bob") or keeps the first `Authorization`
 * and drops the rest: both act for someone the client did not say. Such a request is a 400.
 */
const SINGLE_VALUED = new Map(
  ['Authorization', 'X-Client-Id', 'X-Voicebox-App-Key', 'X-SD-Auth-Token'].map((h) => [
    h.toLowerCase(),
    h,
  ]),
);
/** Their name lengths: most headers (Host, Accept, User-Agent…) are passed over without a copy. */
const LENGTHS = new Set([...SINGLE_VALUED.keys()].map((h) => h.length));

/**
 * The one request hook of ours that every request passes (each Fastify hook costs a dispatch): it
 * echoes the request id (request-observer.ts made it) and refuses a repeated credential header.
 */
export function installRequestIntake(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    const repeated = repeatedAuthHeaders(request.raw.rawHeaders);
    if (repeated === undefined) {
      done();
      return;
    }
    const problems = [...repeated].map((field) => ({
      field,
      reason: 'header must be sent once',
    }));
    sendError(new RequestValidationError(problems), request, reply);
  });
}

/** The single-valued headers sent more than once, by their display names; undefined if none. */
function repeatedAuthHeaders(raw: readonly string[]): Set<string> | undefined {
  // rawHeaders is [name, value, name, value, …] as received, before Node merged or dropped any.
  // Runs on every request: a list only once such a header is seen, a Set only for a repeat.
  let seen: string[] | undefined;
  let repeated: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (!LENGTHS.has(raw[i].length)) continue;
    const name = raw[i].toLowerCase();
    if (!SINGLE_VALUED.has(name)) continue;
    if (seen?.includes(name)) (repeated ??= new Set()).add(SINGLE_VALUED.get(name)!);
    else (seen ??= []).push(name);
  }
  return repeated;
}
