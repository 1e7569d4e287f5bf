import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  Relation,
} from 'typeorm';
import { ClinicalRecordEntity } from './clinical-record.entity';
import { Patient } from './patient.entity';

/** FHIR R4 DocumentReference with inline text; effectiveAt is the time the note was authored. */
@Entity({ name: 'clinical_notes' })
@Unique('uq_clinical_notes_patient_sha256', ['patientId', 'sha256'])
@Index('ix_clinical_notes_patient_effective', ['patientId', 'effectiveAt'])
export class ClinicalNote extends ClinicalRecordEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_clinical_notes' })
  id: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId: string;

  @ManyToOne(() => Patient, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id', foreignKeyConstraintName: 'fk_clinical_notes_patient' })
  patient: Relation<Patient>;

  /** LOINC document type, default 11506-3 Progress note. */
  @Column({ name: 'loinc_type', type: 'varchar', length: 20, default: '11506-3' })
  loincType: string;

  @Column({ name: 'author', type: 'varchar', length: 200, nullable: true })
  author: string | null;

  @Column({ name: 'text', type: 'text' })
  text: string;

  /** sha256 of the UTF-8 text, hex: the note's identity for idempotent ingest. */
  @Column({ name: 'sha256', type: 'char', length: 64 })
  sha256: string;
}
