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
import { ImagingStudy } from './imaging-study.entity';

/** FHIR R4 ImagingStudy.series: one DICOM series (Series Instance UID). */
@Entity({ name: 'imaging_series' })
@Unique('uq_imaging_series_uid', ['seriesInstanceUid'])
@Index('ix_imaging_series_study', ['studyId'])
export class ImagingSeries {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_imaging_series' })
  id: string;

  @Column({ name: 'study_id', type: 'uuid' })
  studyId: string;

  @ManyToOne(() => ImagingStudy, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'study_id', foreignKeyConstraintName: 'fk_imaging_series_study' })
  study: Relation<ImagingStudy>;

  @Column({ name: 'series_instance_uid', type: 'varchar', length: 64 })
  seriesInstanceUid: string;

  /** DICOM Modality (0008,0060), e.g. CR, DX, CT. */
  @Column({ name: 'modality', type: 'varchar', length: 16 })
  modality: string;

  @Column({ name: 'body_part', type: 'varchar', length: 64, nullable: true })
  bodyPart: string | null;

  @Column({ name: 'series_description', type: 'varchar', length: 200, nullable: true })
  seriesDescription: string | null;
}
