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
import { ConnectionsService } from './connections.service.js';
import {
  ConnectionDto,
  CreateConnectionDto,
  UpdateConnectionDto,
  connectionInput,
  connectionPatch,
  toConnectionDto,
} from './dto/connection.dto.js';

@ApiTags('admin')
@Controller('api/v1/admin/connections')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Post()
  @AdminAuth()
  @ApiOperation({ summary: 'Create a knowledge-graph connection (secrets stored encrypted)' })
  @ApiCreatedResponse({ type: ConnectionDto })
  @ApiErrorResponse(400, 'Names each invalid field and why', {
    'invalid field': invalidField(
      'kind',
      'must be one of the following values: stardog, sparql, embedded',
    ),
  })
  @ApiErrorResponse(409, 'The name is taken', {
    'name taken': {
      code: 'connection.name_taken',
      message: 'A connection named "prod-stardog" already exists',
    },
  })
  async create(@Body() body: CreateConnectionDto): Promise<ConnectionDto> {
    return toConnectionDto(await this.connections.create(connectionInput(body)));
  }

  @Get()
  @AdminAuth()
  @ApiOperation({ summary: 'List connections (never their secrets)' })
  @ApiOkResponse({ type: [ConnectionDto], headers: PAGE_HEADERS })
  async list(
    @Query() query: PageQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConnectionDto[]> {
    return pagedList(
      query,
      request,
      reply,
      (page) => this.connections.listPage(page),
      toConnectionDto,
    );
  }

  @Get(':id')
  @AdminAuth()
  @ApiOperation({ summary: 'One connection' })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiErrorResponse(404, 'No connection with this id', {
    'not found': {
      code: 'connection.not_found',
      message: 'No connection with id 5a1d7c3e-2b4f-4e8a-9c61-7f0e2d3b4a59',
    },
  })
  async get(@Param('id') id: string): Promise<ConnectionDto> {
    return toConnectionDto(await this.connections.get(id));
  }

  @Patch(':id')
  @AdminAuth()
  @ApiOperation({ summary: 'Change a connection; a given credential replaces the stored one' })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiErrorResponse(400, 'Names each invalid field and why', {
    'invalid field': invalidField(
      'kind',
      'must be one of the following values: stardog, sparql, embedded',
    ),
  })
  @ApiErrorResponse(404, 'No connection with this id', {
    'not found': {
      code: 'connection.not_found',
      message: 'No connection with id 5a1d7c3e-2b4f-4e8a-9c61-7f0e2d3b4a59',
    },
  })
  @ApiErrorResponse(409, 'The name is taken', {
    'name taken': {
      code: 'connection.name_taken',
      message: 'A connection named "prod-stardog" already exists',
    },
  })
  async update(@Param('id') id: string, @Body() body: UpdateConnectionDto): Promise<ConnectionDto> {
    return toConnectionDto(await this.connections.update(id, connectionPatch(body)));
  }

  @Delete(':id')
  @AdminAuth()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a connection no app uses' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrorResponse(404, 'No connection with this id', {
    'not found': {
      code: 'connection.not_found',
      message: 'No connection with id 5a1d7c3e-2b4f-4e8a-9c61-7f0e2d3b4a59',
    },
  })
  @ApiErrorResponse(409, 'Apps use it (named in `apps`)', {
    'in use': {
      code: 'connection.in_use',
      message:
        'Connection 5a1d7c3e-2b4f-4e8a-9c61-7f0e2d3b4a59 is used by app(s) hr-assistant: change or delete them first',
      details: { apps: ['hr-assistant'] },
    },
  })
  async delete(@Param('id') id: string): Promise<void> {
    await this.connections.delete(id);
  }
}
