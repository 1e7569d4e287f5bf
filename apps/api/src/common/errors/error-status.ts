import { HttpStatus } from '@nestjs/common';
import { AssessmentErrorCode } from '../../assessments/assessments.errors';
import { AuthErrorCode } from '../../auth/auth.errors';
import { ImageErrorCode } from '../../images/images.errors';
import { ModelErrorCode } from '../../models/models.errors';
import { NoteErrorCode } from '../../notes/notes.errors';
import { PatientErrorCode } from '../../patients/patients.errors';
import { ReviewErrorCode } from '../../reviews/reviews.errors';
import { PreprocessPoolErrorCode } from '../../assessments/preprocess-pool/preprocess-pool.errors';
import { UserErrorCode } from '../../users/users.errors';
import { VitalErrorCode } from '../../vitals/vitals.errors';
import { assertUnreachable } from './mosaic-error';
import { RequestErrorCode } from './request.errors';

/** Every error code any module can raise. Adding a module's enum here forces a status mapping below. */
export type ErrorCode =
  | RequestErrorCode
  | AuthErrorCode
  | UserErrorCode
  | PatientErrorCode
  | NoteErrorCode
  | ImageErrorCode
  | VitalErrorCode
  | ModelErrorCode
  | AssessmentErrorCode
  | ReviewErrorCode
  | PreprocessPoolErrorCode;

/** The single code → HTTP status mapping (STYLE.md §Errors). */
export function statusForCode(code: ErrorCode): HttpStatus {
  switch (code) {
    case RequestErrorCode.ValidationFailed:
    case ImageErrorCode.NoFiles:
      return HttpStatus.BAD_REQUEST;
    case RequestErrorCode.UnsupportedMediaType:
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case RequestErrorCode.PayloadTooLarge:
    case ImageErrorCode.FileTooLarge:
    case ImageErrorCode.TooManyFiles:
    case VitalErrorCode.BatchTooLarge:
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case RequestErrorCode.NotFound:
    case UserErrorCode.NotFound:
    case PatientErrorCode.NotFound:
    case NoteErrorCode.NotFound:
    case ImageErrorCode.NotFound:
    case ModelErrorCode.NotFound:
    case AssessmentErrorCode.NotFound:
    case AssessmentErrorCode.InputNotFound:
    case AssessmentErrorCode.ExplanationNotFound:
    case ReviewErrorCode.AssessmentNotFound:
      return HttpStatus.NOT_FOUND;
    case AuthErrorCode.MissingToken:
    case AuthErrorCode.InvalidToken:
    case AuthErrorCode.InvalidCredentials:
      return HttpStatus.UNAUTHORIZED;
    case AuthErrorCode.Forbidden:
      return HttpStatus.FORBIDDEN;
    case UserErrorCode.UsernameTaken:
    case PatientErrorCode.IdentifierConflict:
    case ImageErrorCode.PatientIdMismatch:
    case ImageErrorCode.SopInstanceConflict:
    case ImageErrorCode.StudyConflict:
      return HttpStatus.CONFLICT;
    case ImageErrorCode.NotDicom:
    case ImageErrorCode.MissingAttributes:
    case VitalErrorCode.ObservationsRejected:
    case ModelErrorCode.Invalid:
    case AssessmentErrorCode.InputNotUsable:
    case AssessmentErrorCode.NoUsableData:
    case AssessmentErrorCode.InvalidTimeWindow:
    case AssessmentErrorCode.ReplayModelUnavailable:
    case ReviewErrorCode.EvidenceNotFound:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case ModelErrorCode.NotReady:
    case PreprocessPoolErrorCode.Busy:
    case PreprocessPoolErrorCode.Closed:
      return HttpStatus.SERVICE_UNAVAILABLE;
    case PreprocessPoolErrorCode.WorkerFailed:
      return HttpStatus.INTERNAL_SERVER_ERROR;
    default:
      return assertUnreachable(code);
  }
}
