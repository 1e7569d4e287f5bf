import { MosaicError } from '../common/errors/mosaic-error';

export enum UserErrorCode {
  UsernameTaken = 'USERNAME_TAKEN',
  NotFound = 'USER_NOT_FOUND',
}

export class UserError extends MosaicError<UserErrorCode> {}
