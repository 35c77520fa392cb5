import { Readable } from 'node:stream';
import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentIdentity } from '../auth/current-identity.decorator.js';
import { VoiceboxAuth } from '../common/http/route-policy.decorators.js';
import type { Identity } from '../auth/identity.js';
import { DomainError } from '../common/errors/domain-error.js';
import { clientDisconnectSignal } from '../llm/client-disconnect.js';
import { Audit, type RequestAudit } from '../observability/request-audit.js';
import { setServerTiming } from '../observability/server-timing.js';
import { DIRECTIVES_MARKDOWN } from './directives.js';
import type { AskAnswer, AppKeyIdentity } from './ask-types.js';
import { AskRequestDto, StreamAskRequestDto, questionOf } from './dto/ask-request.dto.js';
import { AskEventDto, AskResponseDto } from './dto/ask-response.dto.js';
import { ASK_BODY_EXAMPLES, STREAM_EXAMPLE } from './dto/examples.js';
import { VoiceboxBackend, type VoiceboxCall } from './voicebox-backend.js';

const SERVER_TIMING_HEADER = {
  'Server-Timing': {
    description:
      'What the LLM calls (`llm`, with their count) and the knowledge-graph queries (`kg`) took of the request (`total`), in ms; the rest is the service’s own time.',
    schema: {
      type: 'string',
      example: 'llm;dur=812.4;desc="2 calls", kg;dur=3.1, total;dur=822.9',
    },
  },
};

@ApiTags('voicebox')
@ApiExtraModels(AskEventDto)
@Controller('api/v1/voicebox')
export class VoiceboxController {
  constructor(private readonly backend: VoiceboxBackend) {}

  @Post('ask')
  @HttpCode(200)
  @VoiceboxAuth()
  @ApiOperation({
    summary: 'Answer a question from the knowledge graph',
    description:
      'Rewrites a follow-up into a standalone question, links the entities it names, writes and validates a SPARQL query (repairing it up to three times), runs it and answers from the rows, citing entities as markdown links.\n\n' +
      DIRECTIVES_MARKDOWN,
  })
  @ApiBody({ type: AskRequestDto, examples: ASK_BODY_EXAMPLES })
  @ApiOkResponse({ type: AskResponseDto, headers: SERVER_TIMING_HEADER })
  async ask(
    @Body() body: AskRequestDto,
    @CurrentIdentity() identity: Identity,
    @Audit() audit: RequestAudit,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AskAnswer> {
    const answer = await this.backend.ask(callOf(body, identity, audit, reply));
    setServerTiming(reply, audit);
    return answer;
  }

  @Post('generate-query')
  @HttpCode(200)
  @VoiceboxAuth()
  @ApiOperation({
    summary: 'Write the SPARQL query for a question, without running it',
    description:
      'The same steps as ask up to the validated query; `result` is the SPARQL text. A query still invalid after the repairs gives an explanation in `result` and the problem as an action.\n\n' +
      DIRECTIVES_MARKDOWN,
  })
  @ApiBody({ type: AskRequestDto, examples: ASK_BODY_EXAMPLES })
  @ApiOkResponse({ type: AskResponseDto, headers: SERVER_TIMING_HEADER })
  async generateQuery(
    @Body() body: AskRequestDto,
    @CurrentIdentity() identity: Identity,
    @Audit() audit: RequestAudit,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AskAnswer> {
    const answer = await this.backend.generateQuery(callOf(body, identity, audit, reply));
    setServerTiming(reply, audit);
    return answer;
  }

  @Post('stream/ask')
  @HttpCode(200)
  @VoiceboxAuth()
  @ApiOperation({
    summary: 'Answer a question as a stream of NDJSON lines',
    description:
      'One JSON object per line (`application/x-ndjson`), each of the ask shape plus `pending`: the question understood, the entities linked, the query, the row count, then the answer text as it is written; the last line has `pending: false`. Errors found before the first line are plain JSON errors; a later failure ends the stream with a line carrying an `error` action.\n\n' +
      DIRECTIVES_MARKDOWN,
  })
  @ApiBody({ type: StreamAskRequestDto, examples: ASK_BODY_EXAMPLES })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description: 'NDJSON: one AskEvent per line',
    content: {
      'application/x-ndjson': {
        schema: { $ref: getSchemaPath(AskEventDto) },
        example: STREAM_EXAMPLE,
      },
    },
  })
  async streamAsk(
    @Body() body: StreamAskRequestDto,
    @CurrentIdentity() identity: Identity,
    @Audit() audit: RequestAudit,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Problems found before the first line (bad conversation id, no LLM) still answer as errors.
    const lines = await this.backend.askStream(callOf(body, identity, audit, reply));
    await reply
      .code(200)
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-accel-buffering', 'no')
      .send(Readable.from(lines));
  }
}

function callOf(
  body: AskRequestDto & Partial<Pick<StreamAskRequestDto, 'think_mode'>>,
  identity: Identity,
  audit: RequestAudit,
  reply: FastifyReply,
): VoiceboxCall {
  if (identity.kind !== 'app-key') {
    throw new DomainError('forbidden', 'app.no_app', 'This route needs an app key');
  }
  return {
    question: questionOf(body),
    conversationId: body.conversation_id,
    thinkMode: body.think_mode,
    identity: identity satisfies AppKeyIdentity,
    audit,
    requestId: reply.request.id,
    signal: clientDisconnectSignal(reply),
  };
}
