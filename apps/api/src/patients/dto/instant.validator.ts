import { registerDecorator } from 'class-validator';
import type { ValidationOptions } from 'class-validator';

/**
 * ISO 8601 date-time with seconds optional and an explicit offset (`Z` or `±hh:mm`), as FHIR R4
 * `instant`/`dateTime` with a time. A local time without an offset is refused: ARCHITECTURE.md §Time
 * stores every instant in UTC, and guessing the sender's zone would shift the clinical time.
 */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function isInstant(value: unknown): value is string {
  return typeof value === 'string' && INSTANT.test(value) && !Number.isNaN(Date.parse(value));
}

export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `$property must be an ISO 8601 date-time with a time zone offset, e.g. 2024-03-15T10:15:00Z`,
        ...options,
      },
      validator: { validate: (value: unknown) => isInstant(value) },
    });
}
