import { Readable } from 'node:stream';
import { Body, Controller, Get, HttpCode, Post, Res, UseFilters } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentIdentity } from '../auth/current-identity.decorator.js';
import type { Identity } from '../auth/identity.js';
import { DomainError } from '../common/errors/domain-error.js';
import { VoiceboxAuth } from '../common/http/route-policy.decorators.js';
import { clientDisconnectSignal } from '../llm/client-disconnect.js';
import { Audit, type RequestAudit } from '../observability/request-audit.js';
import type { AppKeyIdentity } from '../voicebox/ask-types.js';
import { DIRECTIVES_MARKDOWN } from '../voicebox/directives.js';
import { ChatCompletions } from './chat-completions.js';
import { ChatCompletionRequestDto } from './dto/chat-completion-request.dto.js';
import { ChatCompletionResponseDto, ModelListDto } from './dto/chat-completion-response.dto.js';
import { OpenAiErrorFilter } from './openai-error.filter.js';

const STREAM_EXAMPLE =
  'data: {"id":"chatcmpl-…","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n' +
  'data: {"id":"chatcmpl-…","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Ms. Brant works in"},"finish_reason":null}]}\n\n' +
  'data: {"id":"chatcmpl-…","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n' +
  'data: [DONE]\n\n';

/** OpenAI's chat-completions protocol, so chat front ends that speak it reach the graph unchanged. */
@ApiTags('openai-compatible')
@Controller('v1')
@UseFilters(OpenAiErrorFilter)
export class ChatCompletionsController {
  constructor(private readonly chat: ChatCompletions) {}

  @Post('chat/completions')
  @HttpCode(200)
  @VoiceboxAuth({ userField: 'user' })
  @ApiOperation({
    summary: 'Answer the last user message (OpenAI chat-completions protocol)',
    description:
      'Authenticated with an app key (`Authorization: Bearer sdc_…`). The end user is `X-Client-Id`, or the body’s `user` field for clients that cannot set headers. The last user message goes through the ask pipeline with the earlier messages as the conversation; the reply is the cited answer followed by the SPARQL in a fenced block, and `voicebox` carries the actions. `stream: true` answers with server-sent events (`chat.completion.chunk`, then `[DONE]`). Sampling fields (temperature, top_p, max_tokens, …) are accepted and ignored.\n\n' +
      DIRECTIVES_MARKDOWN,
  })
  @ApiBody({ type: ChatCompletionRequestDto })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({
    description: 'A chat completion, or with `stream: true` server-sent events',
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/ChatCompletionResponseDto' },
        example: {
          id: 'chatcmpl-3f1c2b7e',
          object: 'chat.completion',
          created: 1764691200,
          model: 'ck25-demo',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content:
                  'Ms. Brant works in the [Engineering](http://ld.company.org/prod-instances/dept-73191) department.\n\n```sparql\nSELECT ?dept WHERE { … }\n```',
              },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        },
      },
      'text/event-stream': { schema: { type: 'string' }, example: STREAM_EXAMPLE },
    },
  })
  async completions(
    @Body() body: ChatCompletionRequestDto,
    @CurrentIdentity() identity: Identity,
    @Audit() audit: RequestAudit,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChatCompletionResponseDto | undefined> {
    const call = {
      identity: appKeyIdentity(identity),
      audit,
      requestId: reply.request.id,
      signal: clientDisconnectSignal(reply),
    };
    if (!body.stream) return this.chat.complete(body, call);
    const events = await this.chat.stream(body, call);
    await reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-accel-buffering', 'no')
      .send(Readable.from(events));
    return undefined;
  }

  @Get('models')
  @VoiceboxAuth({ anyUser: true })
  @ApiOperation({
    summary: 'The model of this key: its app (OpenAI models protocol)',
    description: 'One entry, named after the app the key belongs to.',
  })
  @ApiOkResponse({ type: ModelListDto })
  models(@CurrentIdentity() identity: Identity): ModelListDto {
    const { app } = appKeyIdentity(identity);
    return {
      object: 'list',
      data: [{ id: app.name, object: 'model', created: 0, owned_by: 'voicebox' }],
    };
  }
}

function appKeyIdentity(identity: Identity): AppKeyIdentity {
  if (identity.kind !== 'app-key') {
    throw new DomainError('forbidden', 'app.no_app', 'This route needs an app key');
  }
  return identity;
}
