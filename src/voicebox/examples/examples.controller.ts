import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PAGE_HEADERS, PageQueryDto, pagedList } from '../../common/http/paged-list.js';
import {
  ApiErrorResponse,
  invalidField,
} from '../../common/errors/api-error-response.decorator.js';
import { AdminAuth } from '../../common/http/route-policy.decorators.js';
import type { KgRequestContext } from '../../knowledge-graph/kg-connection.js';
import {
  CreateExampleDto,
  ExampleDto,
  ReplaceExampleDto,
  toExampleDto,
} from './dto/example.dto.js';
import { ExamplesService } from './examples.service.js';

const SD_AUTH_TOKEN = ApiHeader({
  name: 'X-SD-Auth-Token',
  required: false,
  description:
    "A Stardog token to validate the query with instead of the connection's stored credential (required for single sign-on connections)",
});

const kgOf = (sdAuthToken?: string): KgRequestContext => (sdAuthToken ? { sdAuthToken } : {});

@ApiTags('admin')
@Controller('api/v1/admin/apps/:id/examples')
export class ExamplesController {
  constructor(private readonly examples: ExamplesService) {}

  @Post()
  @AdminAuth()
  @SD_AUTH_TOKEN
  @ApiOperation({
    summary: 'Store an example question with its SPARQL (validated against the app’s graph)',
  })
  @ApiCreatedResponse({ type: ExampleDto })
  @ApiErrorResponse(400, 'Names the invalid field and why', {
    'invalid field': invalidField('sparql', 'must be a non-empty string'),
  })
  @ApiErrorResponse(404, 'No such app', {
    'no app': {
      code: 'app.not_found',
      message: 'No app with id 0b9f3c1e-8d2a-4f4e-9a51-2c7d1e6b5a40',
    },
  })
  @ApiErrorResponse(409, 'The app has this question already', {
    'question taken': {
      code: 'example.question_taken',
      message: 'The app already has an example for the question "Who manages Karen Brant?"',
    },
  })
  async create(
    @Param('id') appId: string,
    @Body() body: CreateExampleDto,
    @Headers('x-sd-auth-token') sdAuthToken?: string,
  ): Promise<ExampleDto> {
    return toExampleDto(await this.examples.create(appId, body, kgOf(sdAuthToken)));
  }

  @Get()
  @AdminAuth()
  @ApiOperation({ summary: "List an app's examples, a page at a time (oldest first)" })
  @ApiOkResponse({ type: [ExampleDto], headers: PAGE_HEADERS })
  @ApiErrorResponse(404, 'No such app, or no such example in it', {
    'no app': {
      code: 'app.not_found',
      message: 'No app with id 0b9f3c1e-8d2a-4f4e-9a51-2c7d1e6b5a40',
    },
    'no example': {
      code: 'example.not_found',
      message: 'No example with id 9c2e4b7a-1f3d-4a6e-8b50-3d7f1a2c6e84 in this app',
    },
  })
  async list(
    @Param('id') appId: string,
    @Query() query: PageQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExampleDto[]> {
    return pagedList(
      query,
      request,
      reply,
      (page) => this.examples.listPage(appId, page),
      toExampleDto,
    );
  }

  @Get(':exampleId')
  @AdminAuth()
  @ApiOperation({ summary: 'One example' })
  @ApiOkResponse({ type: ExampleDto })
  @ApiErrorResponse(404, 'No such app, or no such example in it', {
    'no app': {
      code: 'app.not_found',
      message: 'No app with id 0b9f3c1e-8d2a-4f4e-9a51-2c7d1e6b5a40',
    },
    'no example': {
      code: 'example.not_found',
      message: 'No example with id 9c2e4b7a-1f3d-4a6e-8b50-3d7f1a2c6e84 in this app',
    },
  })
  async get(
    @Param('id') appId: string,
    @Param('exampleId') exampleId: string,
  ): Promise<ExampleDto> {
    return toExampleDto(await this.examples.get(appId, exampleId));
  }

  @Put(':exampleId')
  @AdminAuth()
  @SD_AUTH_TOKEN
  @ApiOperation({ summary: 'Replace an example’s question and SPARQL (validated again)' })
  @ApiOkResponse({ type: ExampleDto })
  @ApiErrorResponse(400, 'Names the invalid field and why', {
    'invalid field': invalidField('sparql', 'must be a non-empty string'),
  })
  @ApiErrorResponse(404, 'No such app, or no such example in it', {
    'no app': {
      code: 'app.not_found',
      message: 'No app with id 0b9f3c1e-8d2a-4f4e-9a51-2c7d1e6b5a40',
    },
    'no example': {
      code: 'example.not_found',
      message: 'No example with id 9c2e4b7a-1f3d-4a6e-8b50-3d7f1a2c6e84 in this app',
    },
  })
  @ApiErrorResponse(409, 'Another example has this question', {
    'question taken': {
      code: 'example.question_taken',
      message: 'The app already has an example for the question "Who manages Karen Brant?"',
    },
  })
  async replace(
    @Param('id') appId: string,
    @Param('exampleId') exampleId: string,
    @Body() body: ReplaceExampleDto,
    @Headers('x-sd-auth-token') sdAuthToken?: string,
  ): Promise<ExampleDto> {
    return toExampleDto(await this.examples.replace(appId, exampleId, body, kgOf(sdAuthToken)));
  }

  @Delete(':exampleId')
  @AdminAuth()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an example' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrorResponse(404, 'No such app, or no such example in it', {
    'no app': {
      code: 'app.not_found',
      message: 'No app with id 0b9f3c1e-8d2a-4f4e-9a51-2c7d1e6b5a40',
    },
    'no example': {
      code: 'example.not_found',
      message: 'No example with id 9c2e4b7a-1f3d-4a6e-8b50-3d7f1a2c6e84 in this app',
    },
  })
  async delete(@Param('id') appId: string, @Param('exampleId') exampleId: string): Promise<void> {
    await this.examples.delete(appId, exampleId);
  }
}
