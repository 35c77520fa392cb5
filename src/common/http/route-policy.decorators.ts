import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ApiErrorResponse, invalidField } from '../errors/api-error-response.decorator.js';
import { SECURITY, type SecurityCombination } from './security-schemes.js';

/**
 * Who may call a route: one decorator per kind of caller. They live here, below every capability
 * module, because controllers everywhere (health, metrics, LLM diagnostics, apps, voicebox) declare
 * a policy while only the auth module's guard enforces it. Each writes the guard's metadata and the route's OpenAPI
 * security together, so the docs cannot drift from what the guard enforces. A route with none of
 * them is refused by the global guard (fail closed).
 */
export const AUTH_POLICY = 'voicebox:auth-policy';

export type AuthPolicy =
  | { kind: 'public' }
  /**
   * Voicebox public API: app key bearer, or user JWT + X-Voicebox-App-Key in public-API JWT mode.
   * `userField`: a body field naming the end user when X-Client-Id is absent (OpenAI's `user`);
   * `anyUser`: the route serves the app, not a user (OpenAI's model list), so no end user is needed.
   */
  | { kind: 'voicebox'; userField?: string; anyUser?: boolean }
  /** Admin API: JWT with VOICEBOX_ADMIN_SCOPE, or the static VOICEBOX_ADMIN_TOKEN. */
  | { kind: 'admin' }
  /** Any valid inbound JWT carrying these scopes. */
  | { kind: 'jwt'; scopes: string[] };

const { appKey, userJwt, appKeyHeader, clientId, sdAuthToken, adminToken, adminJwt, jwt } =
  SECURITY;

/** Each combination as one OpenAPI security requirement object (its schemes are ANDed). */
const security = (combinations: readonly SecurityCombination[]) =>
  applyDecorators(
    ...combinations.map((c) => ApiSecurity(Object.fromEntries(c.map((name) => [name, []])))),
  );

const missingToken = {
  code: 'auth.missing_token',
  message: 'Authentication required: send Authorization: Bearer <token>',
};

const insufficientScope = (scope: string) => ({
  code: 'auth.insufficient_scope',
  message: `The token lacks the required scope(s): ${scope}`,
  details: { required_scopes: [scope] },
});

/**
 * The voicebox API's ways in: the app key as the bearer; or, in public-API JWT mode, the user's IdP
 * token as the bearer with the app key in X-Voicebox-App-Key. X-Client-Id names the end user on
 * both; X-SD-Auth-Token may be added to either. The Swagger set-up keeps the ones this deployment
 * accepts (the two bearers never work on the same deployment).
 */
export function voiceboxCombinations(clientIdOptional: boolean): SecurityCombination[] {
  const callers: SecurityCombination[] = [
    [appKey, clientId],
    [userJwt, appKeyHeader, clientId],
  ];
  const withoutClientId = clientIdOptional
    ? callers.map((c) => c.filter((s) => s !== clientId))
    : [];
  const base = [...callers, ...withoutClientId];
  return [...base, ...base.map((c) => [...c, sdAuthToken])];
}

export const ADMIN_COMBINATIONS: SecurityCombination[] = [[adminToken], [adminJwt]];

export const Public = () => SetMetadata(AUTH_POLICY, { kind: 'public' } satisfies AuthPolicy);

export const VoiceboxAuth = (options: { userField?: string; anyUser?: boolean } = {}) =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, { kind: 'voicebox', ...options } satisfies AuthPolicy),
    security(voiceboxCombinations(Boolean(options.userField || options.anyUser))),
    ...(options.anyUser
      ? []
      : [
          ApiErrorResponse(
            400,
            options.userField
              ? `X-Client-Id (or \`${options.userField}\` in the body) is missing or not 1–254 printable ASCII characters, or a body field is invalid: \`errors\` names each`
              : 'X-Client-Id is missing or not 1–254 printable ASCII characters, or a body field is invalid: `errors` names each',
            {
              'X-Client-Id missing': invalidField('X-Client-Id', 'header is required'),
              'X-Client-Id malformed': invalidField(
                'X-Client-Id',
                'must be 1–254 printable ASCII characters',
              ),
            },
          ),
        ]),
    ApiErrorResponse(
      401,
      'No credentials, or an app key or user token that is not valid (see WWW-Authenticate)',
      {
        'no credentials': missingToken,
        'unknown app key': {
          code: 'auth.invalid_app_key',
          message: 'Invalid token: unknown, expired or revoked app key',
        },
      },
    ),
    ApiErrorResponse(403, "Public-API JWT mode: the user's token lacks API_AUTH_REQUIRED_SCOPES", {
      'scope missing': insufficientScope('voicebox:read'),
    }),
  );

export const AdminAuth = () =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, { kind: 'admin' } satisfies AuthPolicy),
    security(ADMIN_COMBINATIONS),
    ApiErrorResponse(401, 'Neither the admin token nor a valid IdP token (see WWW-Authenticate)', {
      'no credentials': missingToken,
      'wrong admin token': {
        code: 'auth.invalid_admin_token',
        message: 'Invalid token: not a valid admin token',
      },
    }),
    ApiErrorResponse(403, 'A valid IdP token without VOICEBOX_ADMIN_SCOPE', {
      'scope missing': insufficientScope('voicebox:admin'),
    }),
  );

export const Scopes = (...scopes: string[]) =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, { kind: 'jwt', scopes } satisfies AuthPolicy),
    security([[jwt]]),
    ApiErrorResponse(401, 'No valid IdP token (see WWW-Authenticate)', {
      'no credentials': missingToken,
    }),
    ApiErrorResponse(403, "The token lacks the route's scopes", {
      'scope missing': insufficientScope(scopes.join(' ')),
    }),
  );
