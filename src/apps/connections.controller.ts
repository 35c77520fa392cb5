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
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PAGE_HEADERS, PageQueryDto, pagedList } from '../common/http/paged-list.js';
import { AdminAuth } from '../common/http/route-policy.decorators.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
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
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The name is taken' })
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
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id') id: string): Promise<ConnectionDto> {
    return toConnectionDto(await this.connections.get(id));
  }

  @Patch(':id')
  @AdminAuth()
  @ApiOperation({ summary: 'Change a connection; a given credential replaces the stored one' })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The name is taken' })
  async update(@Param('id') id: string, @Body() body: UpdateConnectionDto): Promise<ConnectionDto> {
    return toConnectionDto(await this.connections.update(id, connectionPatch(body)));
  }

  @Delete(':id')
  @AdminAuth()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a connection no app uses' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Apps use it (named in `apps`)' })
  async delete(@Param('id') id: string): Promise<void> {
    await this.connections.delete(id);
  }
}
