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
import { ImagingSeries } from './imaging-series.entity';
import { Patient } from './patient.entity';

/**
 * One DICOM SOP instance. effectiveAt is the acquisition date-time (falling back to the content,
 * series and study date-times), read in the facility time zone unless the file carries
 * TimezoneOffsetFromUTC (0008,0201).
 */
@Entity({ name: 'imaging_instances' })
@Unique('uq_imaging_instances_sop_uid', ['sopInstanceUid'])
@Index('ix_imaging_instances_patient_effective', ['patientId', 'effectiveAt'])
@Index('ix_imaging_instances_series', ['seriesId'])
export class ImagingInstance extends ClinicalRecordEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_imaging_instances' })
  id: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId: string;

  @ManyToOne(() => Patient, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id', foreignKeyConstraintName: 'fk_imaging_instances_patient' })
  patient: Relation<Patient>;

  @Column({ name: 'series_id', type: 'uuid' })
  seriesId: string;

  @ManyToOne(() => ImagingSeries, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'series_id', foreignKeyConstraintName: 'fk_imaging_instances_series' })
  series: Relation<ImagingSeries>;

  @Column({ name: 'sop_instance_uid', type: 'varchar', length: 64 })
  sopInstanceUid: string;

  @Column({ name: 'sop_class_uid', type: 'varchar', length: 64 })
  sopClassUid: string;

  @Column({ name: 'view_position', type: 'varchar', length: 16, nullable: true })
  viewPosition: string | null;

  @Column({ name: 'rows', type: 'integer' })
  rows: number;

  @Column({ name: 'columns', type: 'integer' })
  columns: number;

  @Column({ name: 'number_of_frames', type: 'integer', default: 1 })
  numberOfFrames: number;

  @Column({ name: 'transfer_syntax_uid', type: 'varchar', length: 64 })
  transferSyntaxUid: string;

  /** sha256 of the whole Part 10 file, hex; also its key in the blob store. */
  @Column({ name: 'sha256', type: 'char', length: 64 })
  sha256: string;

  @Column({ name: 'blob_key', type: 'varchar', length: 200 })
  blobKey: string;

  @Column({ name: 'byte_size', type: 'bigint' })
  byteSize: string;

  /** The PatientID (0010,0020) the file carried, kept as received even when overridden on upload. */
  @Column({ name: 'dicom_patient_id', type: 'varchar', length: 64, nullable: true })
  dicomPatientId: string | null;
}
