import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorResponseDto, FieldProblemDto } from '../common/errors/error-response.dto.js';
import { SECURITY, type SecurityScheme } from '../common/http/security-schemes.js';
import type { AppConfig } from '../config/app-config.js';

export const DOCS_PATH = 'api/v1/docs';

type SecuritySchemeObject = Extract<
  NonNullable<NonNullable<OpenAPIObject['components']>['securitySchemes']>[string],
  { type: string }
>;

const header = (name: string, description: string): SecuritySchemeObject => ({
  type: 'apiKey',
  in: 'header',
  name,
  description,
});

/** Every scheme, in the order of SECURITY (the Authorize dialog's order). */
const SCHEMES: Record<SecurityScheme, SecuritySchemeObject> = {
  [SECURITY.appKey]: {
    type: 'http',
    scheme: 'bearer',
    description:
      'Voicebox app key (`sdc_…`), sent as `Authorization: Bearer`. Voicebox routes; add X-Client-Id.',
  },
  [SECURITY.userJwt]: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "Public-API JWT mode: the end user's IdP access token, sent as `Authorization: Bearer`. Add the app key in X-Voicebox-App-Key and X-Client-Id.",
  },
  [SECURITY.appKeyHeader]: header(
    'X-Voicebox-App-Key',
    'Public-API JWT mode: the Voicebox app key (`sdc_…`), beside the user token.',
  ),
  [SECURITY.clientId]: header(
    'X-Client-Id',
    'The end user (1–254 printable ASCII characters); required on voicebox routes.',
  ),
  [SECURITY.sdAuthToken]: header(
    'X-SD-Auth-Token',
    "Optional: a Stardog JWT used instead of the credential stored for the app's connection.",
  ),
  [SECURITY.adminToken]: {
    type: 'http',
    scheme: 'bearer',
    description:
      'The static admin token (VOICEBOX_ADMIN_TOKEN), sent as `Authorization: Bearer`. Admin routes only.',
  },
  [SECURITY.adminJwt]: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An IdP access token (JWT_*) carrying VOICEBOX_ADMIN_SCOPE, sent as `Authorization: Bearer`. Admin routes only.',
  },
  [SECURITY.jwt]: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "An IdP access token (JWT_*) carrying the route's scopes.",
  },
};

/**
 * The schemes this deployment accepts. The app key and the user's token are both bearers and never
 * work on the same deployment; listing both would also make Swagger UI send whichever it applies
 * last, since every authorized bearer scheme of a route writes the one Authorization header.
 */
function acceptedSchemes(config: AppConfig): Set<SecurityScheme> {
  const userJwtMode = config.apiAuth.enabled || config.jwt.required;
  const inboundJwt = Boolean(config.jwt.jwksUri && config.jwt.issuer);
  const accepted = new Set<SecurityScheme>([SECURITY.clientId, SECURITY.sdAuthToken]);
  if (userJwtMode) accepted.add(SECURITY.userJwt).add(SECURITY.appKeyHeader);
  else accepted.add(SECURITY.appKey);
  if (config.admin.token) accepted.add(SECURITY.adminToken);
  if (inboundJwt) accepted.add(SECURITY.adminJwt).add(SECURITY.jwt);
  return accepted;
}

/**
 * Keeps each route's combinations that this deployment accepts (all of them when none is, so that a
 * disabled API still says what it would take), and defines exactly the schemes the routes use.
 */
function restrictSecurity(document: OpenAPIObject, accepted: Set<SecurityScheme>): void {
  const used = new Set<string>();
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, unknown>)) {
      const op = operation as { security?: Array<Record<string, string[]>> };
      if (!op.security?.length) continue;
      const usable = op.security.filter((r) =>
        Object.keys(r).every((s) => accepted.has(s as SecurityScheme)),
      );
      if (usable.length > 0) op.security = usable;
      for (const requirement of op.security) for (const s of Object.keys(requirement)) used.add(s);
    }
  }
  document.components = {
    ...document.components,
    securitySchemes: Object.fromEntries(Object.entries(SCHEMES).filter(([name]) => used.has(name))),
  };
}

export function buildOpenApiDocument(
  app: INestApplication,
  version: string,
  config: AppConfig,
): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Voicebox Service')
    .setDescription(
      'Ask an enterprise knowledge graph in plain language: a cited answer, the SPARQL that produced it, and a chart where one helps.\n\n' +
        'Authenticate the public API with a Voicebox app key (`Authorization: Bearer sdc_…`), or in public-API JWT mode with the ' +
        "user's IdP access token plus `X-Voicebox-App-Key`. `X-Client-Id` names the end user on every voicebox call. " +
        'The admin API takes the admin token or an IdP token with the admin scope. ' +
        "Each route's lock lists the combinations this deployment accepts; authorize one of them.",
    )
    .setVersion(version)
    .build();
  const document = SwaggerModule.createDocument(app, builder, {
    extraModels: [ErrorResponseDto, FieldProblemDto],
  });
  restrictSecurity(document, acceptedSchemes(config));
  return document;
}

export function mountSwagger(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}/openapi.json`,
    yamlDocumentUrl: `${DOCS_PATH}/openapi.yaml`,
    customSiteTitle: 'Voicebox Service API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
