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

export function refuseRepeatedAuthHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    // rawHeaders is [name, value, name, value, …] as received, before Node merged or dropped any.
    const raw = request.raw.rawHeaders;
    const seen = new Set<string>();
    const repeated = new Set<string>();
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i].toLowerCase();
      if (!SINGLE_VALUED.has(name)) continue;
      if (seen.has(name)) repeated.add(SINGLE_VALUED.get(name)!);
      seen.add(name);
    }
    if (repeated.size === 0) {
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
