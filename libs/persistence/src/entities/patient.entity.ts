import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  Relation,
} from 'typeorm';
import { AdministrativeSex, SourceKind } from '@mosaic/domain';
import { PatientIdentifier } from './patient-identifier.entity';

/** FHIR R4 Patient: name, birthDate, gender, identifier[]. */
@Entity({ name: 'patients' })
@Index('ix_patients_family_name', ['familyName'])
export class Patient {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_patients' })
  id: string;

  @Column({ name: 'family_name', type: 'varchar', length: 200 })
  familyName: string;

  @Column({ name: 'given_names', type: 'varchar', length: 200, array: true, default: () => "'{}'" })
  givenNames: string[];

  @Column({ name: 'birth_date', type: 'date', nullable: true })
  birthDate: string | null;

  @Column({ name: 'sex', type: 'varchar', length: 10, default: AdministrativeSex.Unknown })
  sex: AdministrativeSex;

  @Column({ name: 'source_kind', type: 'varchar', length: 10 })
  sourceKind: SourceKind;

  @Column({ name: 'source_id', type: 'varchar', length: 200 })
  sourceId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @OneToMany(() => PatientIdentifier, (identifier) => identifier.patient, { cascade: ['insert'] })
  identifiers: Relation<PatientIdentifier[]>;
}
