import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { RequestValidationError, type FieldProblem } from '../common/errors/domain-error.js';

/** DTO validation for every route; a failure is a 400 naming each bad field and the reason. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
  });
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((msg) => ({
      field,
      // class-validator prefixes the property name; keep the reason only.
      reason: msg.startsWith(`${e.property} `) ? msg.slice(e.property.length + 1) : msg,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}
