import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorResponseDto, FieldProblemDto } from '../common/errors/error-response.dto.js';
import { SECURITY } from '../common/http/security-schemes.js';

export const DOCS_PATH = 'api/v1/docs';

export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Voicebox Service')
    .setDescription(
      'Ask an enterprise knowledge graph in plain language: a cited answer, the SPARQL that produced it, and a chart where one helps.\n\n' +
        'Authenticate the public API with a Voicebox app key (`Authorization: Bearer sdc_…`), or in public-API JWT mode with the ' +
        "user's IdP access token plus `X-Voicebox-App-Key`. `X-Client-Id` names the end user on every voicebox call.",
    )
    .setVersion(version)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'Voicebox app key, `sdc_…`' },
      SECURITY.appKey,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'IdP access token (RS256 JWT)',
      },
      SECURITY.jwt,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Voicebox-App-Key',
        description: 'App key in public-API JWT mode',
      },
      SECURITY.appKeyHeader,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Client-Id',
        description: 'The end user (1–254 printable characters)',
      },
      SECURITY.clientId,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-SD-Auth-Token',
        description: 'Stardog JWT overriding the connection credential',
      },
      SECURITY.sdAuthToken,
    )
    .build();
  return SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorResponseDto, FieldProblemDto],
  });
}

export function mountSwagger(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}/openapi.json`,
    yamlDocumentUrl: `${DOCS_PATH}/openapi.yaml`,
    customSiteTitle: 'Voicebox Service API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
