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
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { PAGE_HEADERS, PageQueryDto, pagedList } from '../../common/http/paged-list.js';
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
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Names the invalid field and why' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such app' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The app has this question already' })
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
  @ApiNotFoundResponse({ type: ErrorResponseDto })
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
  @ApiNotFoundResponse({ type: ErrorResponseDto })
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
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Another example has this question' })
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
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async delete(@Param('id') appId: string, @Param('exampleId') exampleId: string): Promise<void> {
    await this.examples.delete(appId, exampleId);
  }
}
