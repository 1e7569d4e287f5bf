import { Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import type { Observable } from 'rxjs';
import { RequestError, RequestErrorCode } from '../common/errors/request.errors';
import { AppConfig } from '../config/app-config';
import { ImageError, ImageErrorCode } from './images.errors';

/** The multipart field that carries the DICOM files. */
export const UPLOAD_FIELD = 'files';

/**
 * Reads a multipart/form-data upload into memory with the configured limits
 * (MOSAIC_MAX_UPLOAD_BYTES per file, MOSAIC_MAX_UPLOAD_FILES per request) and maps every refusal to
 * a problem code: another Content-Type is 415, a file or count over the limit 413.
 */
@Injectable()
export class DicomUploadInterceptor implements NestInterceptor {
  private readonly upload: RequestHandler;

  constructor(private readonly config: AppConfig) {
    this.upload = multer({
      storage: multer.memoryStorage(),
      limits: {
        fileSize: config.MOSAIC_MAX_UPLOAD_BYTES,
        files: config.MOSAIC_MAX_UPLOAD_FILES,
        fields: 20,
        parts: config.MOSAIC_MAX_UPLOAD_FILES + 20,
      },
    }).array(UPLOAD_FIELD);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    if (!request.is('multipart/form-data')) {
      throw new RequestError(
        RequestErrorCode.UnsupportedMediaType,
        `DICOM files are uploaded as multipart/form-data with the files in field '${UPLOAD_FIELD}', ` +
          `not as ${request.headers['content-type'] ?? 'a body without Content-Type'}`,
      );
    }
    await new Promise<void>((resolve, reject) =>
      this.upload(request, http.getResponse<Response>(), (error: unknown) =>
        error ? reject(this.toProblem(error)) : resolve(),
      ),
    );
    return next.handle();
  }

  private toProblem(error: unknown): Error {
    if (!(error instanceof MulterError)) {
      return new RequestError(
        RequestErrorCode.ValidationFailed,
        `the multipart body could not be read: ${(error as Error).message}`,
      );
    }
    const file = error.field ? ` (field ${error.field})` : '';
    switch (error.code) {
      case 'LIMIT_FILE_SIZE':
        return new ImageError(
          ImageErrorCode.FileTooLarge,
          `a file${file} exceeds the limit of ${this.config.MOSAIC_MAX_UPLOAD_BYTES} bytes (MOSAIC_MAX_UPLOAD_BYTES)`,
          [],
          { maxBytes: this.config.MOSAIC_MAX_UPLOAD_BYTES },
        );
      case 'LIMIT_FILE_COUNT':
        return new ImageError(
          ImageErrorCode.TooManyFiles,
          `an upload holds at most ${this.config.MOSAIC_MAX_UPLOAD_FILES} files (MOSAIC_MAX_UPLOAD_FILES); split it into several requests`,
          [],
          { maxFiles: this.config.MOSAIC_MAX_UPLOAD_FILES },
        );
      case 'LIMIT_UNEXPECTED_FILE':
        return new ImageError(
          ImageErrorCode.NoFiles,
          `files must be sent in the multipart field '${UPLOAD_FIELD}', not '${error.field ?? ''}'`,
        );
      case 'LIMIT_PART_COUNT':
      case 'LIMIT_FIELD_KEY':
      case 'LIMIT_FIELD_VALUE':
      case 'LIMIT_FIELD_COUNT':
      case 'MISSING_FIELD_NAME':
        return new RequestError(
          RequestErrorCode.ValidationFailed,
          `the multipart body is refused: ${error.message}${file}`,
        );
    }
  }
}
