import { ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto.js';

/** One error body as the exception filter writes it (request_id echoes X-Request-Id). */
export interface ErrorExample {
  code: string;
  message: string;
  /** Extra fields the error carries (`errors`, `required_scopes`, …). */
  details?: Record<string, unknown>;
}

const REQUEST_ID = '3f0c6d0e-3c1b-4c53-9d0f-4f1f1b7f9a10';

/**
 * An error response with examples of its own status. Without them Swagger UI shows the schema's
 * property examples, which are those of a 400, under every status (a 401 "query must be a non-empty
 * string"). Several examples: the keys name the cases in Swagger UI's example picker.
 */
export function ApiErrorResponse(
  status: number,
  description: string,
  examples: Record<string, ErrorExample>,
): MethodDecorator & ClassDecorator {
  const values = Object.entries(examples).map(
    ([name, e]) =>
      [
        name,
        { message: e.message, code: e.code, status, request_id: REQUEST_ID, ...e.details },
      ] as const,
  );
  return ApiResponse({
    status,
    description,
    content: {
      'application/json': {
        schema: { $ref: getSchemaPath(ErrorResponseDto) },
        ...(values.length === 1
          ? { example: values[0][1] }
          : {
              examples: Object.fromEntries(
                values.map(([summary, value]) => [summary, { summary, value }]),
              ),
            }),
      },
    },
  });
}

/** The 400 of a request whose fields fail validation: names each field and why. */
export const invalidField = (field: string, reason: string): ErrorExample => ({
  code: 'request.invalid',
  message: `Invalid request: ${field} ${reason}`,
  details: { errors: [{ field, reason }] },
});
