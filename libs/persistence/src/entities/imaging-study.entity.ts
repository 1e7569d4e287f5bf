import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  Relation,
} from 'typeorm';
import { Patient } from './patient.entity';

/** FHIR R4 ImagingStudy: one DICOM study (Study Instance UID). */
@Entity({ name: 'imaging_studies' })
@Unique('uq_imaging_studies_uid', ['studyInstanceUid'])
@Index('ix_imaging_studies_patient', ['patientId'])
export class ImagingStudy {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_imaging_studies' })
  id: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId: string;

  @ManyToOne(() => Patient, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id', foreignKeyConstraintName: 'fk_imaging_studies_patient' })
  patient: Relation<Patient>;

  @Column({ name: 'study_instance_uid', type: 'varchar', length: 64 })
  studyInstanceUid: string;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'description', type: 'varchar', length: 200, nullable: true })
  description: string | null;

  @Column({ name: 'accession_number', type: 'varchar', length: 64, nullable: true })
  accessionNumber: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
