import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentIdentity } from '../auth/current-identity.decorator.js';
import { VoiceboxAuth } from '../common/http/route-policy.decorators.js';
import type { Identity } from '../auth/identity.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppSettingsDto } from './dto/app.dto.js';

@ApiTags('voicebox')
@Controller('api/v1/app')
export class AppSettingsController {
  @Get()
  @VoiceboxAuth()
  @ApiOperation({ summary: 'Settings of the app the key belongs to' })
  @ApiOkResponse({ type: AppSettingsDto })
  settings(@CurrentIdentity() identity: Identity): AppSettingsDto {
    if (identity.kind !== 'app-key') {
      throw new DomainError('forbidden', 'app.no_app', 'This route needs an app key');
    }
    const { app } = identity;
    return {
      name: app.name,
      database: app.database,
      model: app.model ?? '',
      named_graphs: app.namedGraphs,
      reasoning: app.reasoning,
    };
  }
}
