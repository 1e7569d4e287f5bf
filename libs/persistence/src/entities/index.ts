import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditEvent } from './audit-event.entity';
import { ClinicalNote } from './clinical-note.entity';
import { ImagingInstance } from './imaging-instance.entity';
import { ImagingSeries } from './imaging-series.entity';
import { ImagingStudy } from './imaging-study.entity';
import { Patient } from './patient.entity';
import { PatientIdentifier } from './patient-identifier.entity';
import { User } from './user.entity';
import { VitalObservation } from './vital-observation.entity';

export {
  AuditCheckpoint,
  AuditEvent,
  ClinicalNote,
  ImagingInstance,
  ImagingSeries,
  ImagingStudy,
  Patient,
  PatientIdentifier,
  User,
  VitalObservation,
};

/** Every entity, for the DataSource. */
export const ENTITIES = [
  AuditCheckpoint,
  AuditEvent,
  ClinicalNote,
  ImagingInstance,
  ImagingSeries,
  ImagingStudy,
  Patient,
  PatientIdentifier,
  User,
  VitalObservation,
];
