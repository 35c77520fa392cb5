import { SetMetadata, applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response.dto.js';
import { SECURITY } from './security-schemes.js';

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

const unauthorized = () =>
  applyDecorators(
    ApiUnauthorizedResponse({
      type: ErrorResponseDto,
      description: 'Missing or invalid credentials (see WWW-Authenticate)',
    }),
    ApiForbiddenResponse({
      type: ErrorResponseDto,
      description: 'Valid credentials without the required scope',
    }),
  );

export const Public = () => SetMetadata(AUTH_POLICY, { kind: 'public' } satisfies AuthPolicy);

export const VoiceboxAuth = (options: { userField?: string; anyUser?: boolean } = {}) =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, { kind: 'voicebox', ...options } satisfies AuthPolicy),
    ApiBearerAuth(SECURITY.appKey),
    ApiSecurity(SECURITY.clientId),
    ApiSecurity(SECURITY.sdAuthToken),
    ApiSecurity(SECURITY.jwt),
    ApiSecurity(SECURITY.appKeyHeader),
    unauthorized(),
  );

export const AdminAuth = () =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, { kind: 'admin' } satisfies AuthPolicy),
    ApiBearerAuth(SECURITY.jwt),
    unauthorized(),
  );

export const Scopes = (...scopes: string[]) =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, { kind: 'jwt', scopes } satisfies AuthPolicy),
    ApiBearerAuth(SECURITY.jwt),
    unauthorized(),
  );
