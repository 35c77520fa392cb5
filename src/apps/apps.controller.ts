import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PAGE_HEADERS, PageQueryDto, pagedList } from '../common/http/paged-list.js';
import { AdminAuth } from '../common/http/route-policy.decorators.js';
import { ApiErrorResponse, invalidField } from '../common/errors/api-error-response.decorator.js';
import { AppKeysService } from './app-keys.service.js';
import { AppsService } from './apps.service.js';
import { AppDto, CreateAppDto, UpdateAppDto, appInput, appPatch, toAppDto } from './dto/app.dto.js';
import { AppKeyDto, CreateAppKeyDto, IssuedAppKeyDto, toAppKeyDto } from './dto/app-key.dto.js';

@ApiTags('admin')
@Controller('api/v1/admin/apps')
export class AppsController {
  constructor(
    private readonly apps: AppsService,
    private readonly keys: AppKeysService,
  ) {}

  @Post()
  @AdminAuth()
  @ApiOperation({ summary: 'Create a Voicebox app' })
  @ApiCreatedResponse({ type: AppDto })
  @ApiErrorResponse(400, 'Names each invalid field and why', {
    'invalid field': invalidField('name', 'should not be empty'),
  })
  @ApiErrorResponse(409, 'The name is taken', {
    'name taken': { code: 'app.name_taken', message: 'An app named "hr-assistant" already exists' },
  })
  async create(@Body() body: CreateAppDto): Promise<AppDto> {
    return toAppDto(await this.apps.create(appInput(body)));
  }

  @Get()
  @AdminAuth()
  @ApiOperation({ summary: 'List apps, a page at a time (oldest first)' })
  @ApiOkResponse({ type: [AppDto], headers: PAGE_HEADERS })
  async list(
    @Query() query: PageQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AppDto[]> {
    return pagedList(query, request, reply, (page) => this.apps.listPage(page), toAppDto);
  }

  @Get(':id')
  @AdminAuth()
  @ApiOperation({ summary: 'One app' })
  @ApiOkResponse({ type: AppDto })
  @ApiErrorResponse(404, 'No app with this id', {
    'not found': {
      code: 'app.not_found',
      message: 'No app with id 0b9f3c1e-8d2a-4f4e-9a51-2c7d1e6b5a40',
    },
  })
  async get(@Param('id') id: string): Promise<AppDto> {
    return toAppDto(await this.apps.get(id));
  }

  @Patch(':id')
  @AdminAuth()
  @ApiOperation({ summary: 'Change an app' })
  @ApiOkResponse({ type: AppDto })
  @ApiErrorResponse(400, 'Names each invalid field and why', {
    'invalid field': invalidField('name', 'should not be empty'),
  })
  @ApiErrorResponse(404, 'No app with this id', {
    'not found': {
      code: 'app.not_found',
      message: 'No app with id 0b9f3c1e-8d2a-4f4e-9a51-2c7d1e6b5a40',
    },
  })
  @ApiErrorResponse(409, 'The name is taken', {
    'name taken': { code: 'app.name_taken', message: 'An app named "hr-assistant" already exists' },
  })
  async update(@Param('id') id: string, @Body() body: UpdateAppDto): Promise<AppDto> {
    return toAppDto(await this.apps.update(id, appPatch(body)));
  }

  @Delete(':id')
  @AdminAuth()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an app and its keys' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrorResponse(404, 'No app with this id', {
    'not found': {
      code: 'app.not_found',
      message: 'No app with id 0b9f3c1e-8d2a-4f4e-9a51-2c7d1e6b5a40',
    },
  })
  async delete(@Param('id') id: string): Promise<void> {
    await this.apps.delete(id);
  }

  @Post(':id/keys')
  @AdminAuth()
  @ApiOperation({ summary: 'Issue an app key (sdc_…), shown in this response only' })
  @ApiCreatedResponse({ type: IssuedAppKeyDto })
  @ApiErrorResponse(400, 'Names each invalid field and why', {
    'invalid field': invalidField('expires_at', 'must be a valid ISO 8601 date string'),
  })
  @ApiErrorResponse(404, 'No app with this id', {
    'not found': {
      code: 'app.not_found',
      message: 'No app with id 0b9f3c1e-8d2a-4f4e-9a51-2c7d1e6b5a40',
    },
  })
  async issueKey(@Param('id') id: string, @Body() body: CreateAppKeyDto): Promise<IssuedAppKeyDto> {
    const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
    const issued = await this.keys.issue(id, body.name, expiresAt);
    return { ...toAppKeyDto(issued.key), key: issued.raw };
  }

  @Get(':id/keys')
  @AdminAuth()
  @ApiOperation({ summary: "List an app's keys (prefix, name, dates; never the key)" })
  @ApiOkResponse({ type: [AppKeyDto], headers: PAGE_HEADERS })
  @ApiErrorResponse(404, 'No app with this id', {
    'not found': {
      code: 'app.not_found',
      message: 'No app with id 0b9f3c1e-8d2a-4f4e-9a51-2c7d1e6b5a40',
    },
  })
  async listKeys(
    @Param('id') id: string,
    @Query() query: PageQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AppKeyDto[]> {
    return pagedList(query, request, reply, (page) => this.keys.listPage(id, page), toAppKeyDto);
  }

  @Delete(':id/keys/:keyId')
  @AdminAuth()
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a key: refused on every replica within a second' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrorResponse(404, 'No app with this id', {
    'not found': {
      code: 'app.not_found',
      message: 'No app with id 0b9f3c1e-8d2a-4f4e-9a51-2c7d1e6b5a40',
    },
  })
  async revokeKey(@Param('id') id: string, @Param('keyId') keyId: string): Promise<void> {
    await this.keys.revoke(id, keyId);
  }
}
