import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { statusForCode } from './error-status';
import type { ErrorCode } from './error-status';
import { MosaicError } from './mosaic-error';
import type { ProblemItem } from './mosaic-error';

/** RFC 9457 problem details document. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  requestId?: string;
  errors?: ProblemItem[];
  [extension: string]: unknown;
}

const PROBLEM_BASE = 'https://mosaic.invalid/problems/';

/**
 * The one exception filter: every error leaves the API as `application/problem+json` (RFC 9457),
 * with a stable machine-readable `code`, a human `detail` and, where relevant, one entry per field,
 * file or observation that was refused. Unexpected errors are logged and answered with a 500 that
 * reveals nothing internal.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    const problem = this.toProblem(exception, request);
    if (problem.status >= 500) {
      this.logger.error({ err: exception, requestId: problem.requestId }, 'unhandled error');
    }
    if (problem.status === HttpStatus.SERVICE_UNAVAILABLE && problem['retryAfter'] !== undefined) {
      response.setHeader('Retry-After', String(problem['retryAfter']));
    }
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown, request: Request & { id?: string }): ProblemDocument {
    const base = {
      instance: request.originalUrl ?? request.url,
      requestId: request.id ? String(request.id) : undefined,
    };
    if (exception instanceof MosaicError) {
      const status = statusForCode(exception.code as ErrorCode);
      return {
        ...exception.extensions,
        type: `${PROBLEM_BASE}${exception.code.toLowerCase().replace(/_/g, '-')}`,
        title: titleFor(status),
        status,
        detail: exception.message,
        code: exception.code,
        ...(exception.errors.length > 0 ? { errors: exception.errors } : {}),
        ...base,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message =
        typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      return {
        type: 'about:blank',
        title: titleFor(status),
        status,
        detail: Array.isArray(message) ? message.join('; ') : String(message),
        code: httpCode(status),
        ...base,
      };
    }
    return {
      type: 'about:blank',
      title: titleFor(HttpStatus.INTERNAL_SERVER_ERROR),
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      detail: 'an unexpected error occurred; it has been logged with this request id',
      code: 'INTERNAL_ERROR',
      ...base,
    };
  }
}

function titleFor(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .replace(/_/g, ' ')
        .replace(/^\w/, (c) => c.toUpperCase())
    : 'Error';
}

function httpCode(status: number): string {
  return HttpStatus[status] ?? 'HTTP_ERROR';
}
