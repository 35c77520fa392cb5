/**
 * Names of the OpenAPI security schemes. The route-policy decorators refer to them and the Swagger
 * set-up defines them; both live below every capability module so that none imports the other.
 *
 * The order is the order of the Authorize dialog (Swagger UI lists `components.securitySchemes` as
 * they come): the credential a caller starts with, then what goes with it, then the admin ones.
 */
export const SECURITY = {
  /** `Authorization: Bearer sdc_…` — the app key, when the public API is not in JWT mode. */
  appKey: 'app-key',
  /** `Authorization: Bearer <user's IdP token>` — public-API JWT mode (API_AUTH_* or JWT_*). */
  userJwt: 'user-jwt',
  /** The app key's header in public-API JWT mode. */
  appKeyHeader: 'X-Voicebox-App-Key',
  clientId: 'X-Client-Id',
  sdAuthToken: 'X-SD-Auth-Token',
  /** `Authorization: Bearer <VOICEBOX_ADMIN_TOKEN>` — admin routes. */
  adminToken: 'admin-token',
  /** `Authorization: Bearer <IdP token with VOICEBOX_ADMIN_SCOPE>` (JWT_*) — admin routes. */
  adminJwt: 'admin-jwt',
  /** `Authorization: Bearer <IdP token>` (JWT_*) carrying a @Scopes route's scopes. */
  jwt: 'jwt',
} as const;

export type SecurityScheme = (typeof SECURITY)[keyof typeof SECURITY];

/**
 * One way to call a route: schemes that must all be sent together (an OpenAPI security requirement
 * object with several schemes means AND; the route's list of them means OR).
 */
export type SecurityCombination = readonly SecurityScheme[];
