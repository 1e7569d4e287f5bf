import { ActiveModel } from './active-model.entity';
import { Assessment } from './assessment.entity';
import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditEvent } from './audit-event.entity';
import { ClinicalNote } from './clinical-note.entity';
import { ImagingInstance } from './imaging-instance.entity';
import { ImagingSeries } from './imaging-series.entity';
import { ImagingStudy } from './imaging-study.entity';
import { Patient } from './patient.entity';
import { PatientIdentifier } from './patient-identifier.entity';
import { Review } from './review.entity';
import { User } from './user.entity';
import { VitalObservation } from './vital-observation.entity';

export type { EvidenceKind, EvidenceReference, ReviewVerdict } from './review.entity';

export {
  ActiveModel,
  Assessment,
  AuditCheckpoint,
  AuditEvent,
  ClinicalNote,
  ImagingInstance,
  ImagingSeries,
  ImagingStudy,
  Patient,
  PatientIdentifier,
  Review,
  User,
  VitalObservation,
};

/** Every entity, for the DataSource. */
export const ENTITIES = [
  ActiveModel,
  Assessment,
  AuditCheckpoint,
  AuditEvent,
  ClinicalNote,
  ImagingInstance,
  ImagingSeries,
  ImagingStudy,
  Patient,
  PatientIdentifier,
  Review,
  User,
  VitalObservation,
];
