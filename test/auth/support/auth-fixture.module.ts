import { Controller, Get, HttpCode, Injectable, Module, Post } from '@nestjs/common';
import { CurrentIdentity } from '../../../src/auth/current-identity.decorator.js';
import {
  AdminAuth,
  Public,
  Scopes,
  VoiceboxAuth,
} from '../../../src/common/http/route-policy.decorators.js';
import type { Identity } from '../../../src/auth/identity.js';

/** What the fixture routes were reached with: a refused call must leave this unchanged. */
@Injectable()
export class CallLog {
  readonly calls: Array<{ route: string; identity?: Identity }> = [];
}

/** One route per policy, recording each call that gets through the guard. */
@Controller('auth-test')
class AuthFixtureController {
  constructor(private readonly log: CallLog) {}

  @Public()
  @Get('public')
  open() {
    return { ok: true };
  }

  @Post('no-policy')
  @HttpCode(200)
  noPolicy() {
    this.log.calls.push({ route: 'no-policy' });
    return { ok: true };
  }

  @Scopes('voicebox:read')
  @Post('read')
  @HttpCode(200)
  read(@CurrentIdentity() identity: Identity) {
    return this.record('read', identity);
  }

  @Scopes('voicebox:read', 'voicebox:write')
  @Post('write')
  @HttpCode(200)
  write(@CurrentIdentity() identity: Identity) {
    return this.record('write', identity);
  }

  @VoiceboxAuth()
  @Post('voicebox')
  @HttpCode(200)
  voicebox(@CurrentIdentity() identity: Identity) {
    return this.record('voicebox', identity);
  }

  @AdminAuth()
  @Post('admin')
  @HttpCode(200)
  admin(@CurrentIdentity() identity: Identity) {
    return this.record('admin', identity);
  }

  private record(route: string, identity: Identity) {
    this.log.calls.push({ route, identity });
    // Echo what the guard established, never the credentials themselves.
    switch (identity.kind) {
      case 'jwt':
        return { route, kind: identity.kind, subject: identity.subject, scopes: identity.scopes };
      case 'app-key':
        return {
          route,
          kind: identity.kind,
          app: identity.app.name,
          keyId: identity.keyId,
          clientId: identity.clientId,
          subject: identity.subject ?? null,
          scopes: identity.scopes,
          hasUserToken: identity.userToken !== undefined,
          hasSdAuthToken: identity.sdAuthToken !== undefined,
        };
      case 'admin-token':
        return { route, kind: identity.kind };
    }
  }
}

@Module({ controllers: [AuthFixtureController], providers: [CallLog], exports: [CallLog] })
export class AuthFixtureModule {}
