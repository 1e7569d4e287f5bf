import { MosaicError } from '../common/errors/mosaic-error';

export enum AuthErrorCode {
  MissingToken = 'MISSING_TOKEN',
  InvalidToken = 'INVALID_TOKEN',
  InvalidCredentials = 'INVALID_CREDENTIALS',
  Forbidden = 'FORBIDDEN',
}

export class AuthError extends MosaicError<AuthErrorCode> {}
