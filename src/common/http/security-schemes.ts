/**
 * Names of the OpenAPI security schemes. The route-policy decorators refer to them and the Swagger
 * set-up defines them; both live below every capability module so that none imports the other.
 */
export const SECURITY = {
  appKey: 'app-key',
  jwt: 'jwt',
  appKeyHeader: 'X-Voicebox-App-Key',
  clientId: 'X-Client-Id',
  sdAuthToken: 'X-SD-Auth-Token',
} as const;
