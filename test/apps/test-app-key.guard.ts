import { Injectable, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppKeyVerifier } from '../../src/auth/app-key-verifier.js';
import { AUTH_POLICY, type AuthPolicy } from '../../src/auth/auth.decorators.js';
import type { Identity } from '../../src/auth/identity.js';
import { DomainError } from '../../src/common/errors/domain-error.js';

/**
 * TEST ONLY, until the real AuthGuard (src/auth) is merged: on voicebox routes, turns
 * `Authorization: Bearer sdc_…` into an 'app-key' identity through the real AppKeyVerifier. Admin
 * routes pass unchecked here. The lead deletes this file on merge.
 */
@Injectable()
class TestAppKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: AppKeyVerifier,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (policy?.kind !== 'voicebox') return true;
    const request = ctx.switchToHttp().getRequest<FastifyRequest & { identity?: Identity }>();
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    const verified = match ? await this.verifier.verify(match[1]) : null;
    if (!verified) {
      throw new DomainError('unauthenticated', 'auth.invalid_app_key', 'Invalid app key', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    }
    const clientId = request.headers['x-client-id'];
    request.identity = {
      kind: 'app-key',
      app: verified.app,
      keyId: verified.keyId,
      clientId: typeof clientId === 'string' ? clientId : 'test-client',
      scopes: [],
    };
    return true;
  }
}

@Module({ providers: [{ provide: APP_GUARD, useClass: TestAppKeyGuard }] })
export class TestAppKeyAuthModule {}
