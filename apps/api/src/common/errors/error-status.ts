import { HttpStatus } from '@nestjs/common';
import { AuthErrorCode } from '../../auth/auth.errors';
import { UserErrorCode } from '../../users/users.errors';
import { assertUnreachable } from './mosaic-error';
import { RequestErrorCode } from './request.errors';

/** Every error code any module can raise. Adding a module's enum here forces a status mapping below. */
export type ErrorCode = RequestErrorCode | AuthErrorCode | UserErrorCode;

/** The single code → HTTP status mapping (STYLE.md §Errors). */
export function statusForCode(code: ErrorCode): HttpStatus {
  switch (code) {
    case RequestErrorCode.ValidationFailed:
      return HttpStatus.BAD_REQUEST;
    case RequestErrorCode.UnsupportedMediaType:
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case RequestErrorCode.PayloadTooLarge:
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case RequestErrorCode.NotFound:
    case UserErrorCode.NotFound:
      return HttpStatus.NOT_FOUND;
    case AuthErrorCode.MissingToken:
    case AuthErrorCode.InvalidToken:
    case AuthErrorCode.InvalidCredentials:
      return HttpStatus.UNAUTHORIZED;
    case AuthErrorCode.Forbidden:
      return HttpStatus.FORBIDDEN;
    case UserErrorCode.UsernameTaken:
      return HttpStatus.CONFLICT;
    default:
      return assertUnreachable(code);
  }
}
