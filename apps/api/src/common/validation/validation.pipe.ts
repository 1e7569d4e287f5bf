import { ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { RequestError, RequestErrorCode } from '../errors/request.errors';
import type { ProblemItem } from '../errors/mosaic-error';

/**
 * The one global ValidationPipe: unknown properties are refused (whitelist + forbidNonWhitelisted),
 * payloads are transformed into DTO instances, and every failing field is reported with its path.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const items = flatten(errors);
      return new RequestError(
        RequestErrorCode.ValidationFailed,
        `the request has ${items.length} invalid field${items.length === 1 ? '' : 's'}: ${items
          .slice(0, 5)
          .map((item) => `${item.pointer} ${item.detail}`)
          .join('; ')}${items.length > 5 ? '; …' : ''}`,
        items,
      );
    },
  });
}

function flatten(errors: ValidationError[], parent = ''): ProblemItem[] {
  return errors.flatMap((error) => {
    const pointer = `${parent}/${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((detail) => ({ pointer, detail }));
    return [...own, ...flatten(error.children ?? [], pointer)];
  });
}
