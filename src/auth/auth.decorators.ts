import {
  SetMetadata,
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { SECURITY } from '../bootstrap/swagger.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import type { Identity } from './identity.js';

/**
 * One decorator per kind of caller. Each writes the guard's metadata and the route's OpenAPI
 * security together, so the docs cannot drift from what the guard enforces. A route with none of
 * them is refused by the global guard (fail closed).
 */
export const AUTH_POLICY = 'voicebox:auth-policy';

export type AuthPolicy =
  | { kind: 'public' }
  /** Voicebox public API: app key bearer, or user JWT + X-Voicebox-App-Key in public-API JWT mode. */
  | { kind: 'voicebox' }
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

export const VoiceboxAuth = () =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, { kind: 'voicebox' } satisfies AuthPolicy),
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

/** The caller established by the guard. */
export const CurrentIdentity = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Identity => {
    const request = ctx.switchToHttp().getRequest<FastifyRequest & { identity?: Identity }>();
    if (!request.identity)
      throw new Error('CurrentIdentity used on a route without an auth policy');
    return request.identity;
  },
);
