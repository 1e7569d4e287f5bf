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

/**
 * FHIR R4 Observation (vital-signs profile). The value is stored in the canonical UCUM unit of its
 * LOINC code, with the value and unit as received kept beside it.
 */
@Entity({ name: 'vital_observations' })
@Unique('uq_vital_observations_identity', ['patientId', 'code', 'effectiveAt', 'value'])
@Index('ix_vital_observations_patient_code_effective', ['patientId', 'code', 'effectiveAt'])
@Index('ix_vital_observations_patient_effective', ['patientId', 'effectiveAt'])
export class VitalObservation extends ClinicalRecordEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_vital_observations' })
  id: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId: string;

  @ManyToOne(() => Patient, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id', foreignKeyConstraintName: 'fk_vital_observations_patient' })
  patient: Relation<Patient>;

  /** LOINC code, e.g. 8867-4 heart rate. */
  @Column({ name: 'code', type: 'varchar', length: 20 })
  code: string;

  @Column({ name: 'value', type: 'double precision' })
  value: number;

  /** Canonical UCUM unit for the code. */
  @Column({ name: 'unit', type: 'varchar', length: 20 })
  unit: string;

  @Column({ name: 'received_value', type: 'double precision' })
  receivedValue: number;

  @Column({ name: 'received_unit', type: 'varchar', length: 20 })
  receivedUnit: string;
}
