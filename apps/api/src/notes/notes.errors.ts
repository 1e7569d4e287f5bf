import { MosaicError } from '../common/errors/mosaic-error';

export enum NoteErrorCode {
  NotFound = 'NOTE_NOT_FOUND',
}

export class NoteError extends MosaicError<NoteErrorCode> {}
