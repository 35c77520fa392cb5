import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { RequestValidationError, type FieldProblem } from '../common/errors/domain-error.js';

/**
 * DTO validation for every route; a failure is a 400 naming each bad field and the reason. A field
 * the DTO does not declare is refused rather than dropped: `PATCH {"namedGraphs": …}` used to answer
 * 200 and change nothing.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
  });
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, msg]) => ({
      field,
      reason:
        rule === 'whitelistValidation'
          ? 'is not a known field'
          : // class-validator prefixes the property name; keep the reason only.
            msg.startsWith(`${e.property} `)
            ? msg.slice(e.property.length + 1)
            : msg,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}
