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
import { Patient } from './patient.entity';

/** FHIR R4 Identifier: a (system, value) pair, unique together across all patients. */
@Entity({ name: 'patient_identifiers' })
@Unique('uq_patient_identifiers_system_value', ['system', 'value'])
@Index('ix_patient_identifiers_patient', ['patientId'])
@Index('ix_patient_identifiers_value', ['value'])
export class PatientIdentifier {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_patient_identifiers' })
  id: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId: string;

  @ManyToOne(() => Patient, (patient) => patient.identifiers, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'patient_id', foreignKeyConstraintName: 'fk_patient_identifiers_patient' })
  patient: Relation<Patient>;

  /** The issuer's namespace URI, e.g. a hospital's MRN system. */
  @Column({ name: 'system', type: 'varchar', length: 300 })
  system: string;

  @Column({ name: 'value', type: 'varchar', length: 100 })
  value: string;

  /** HL7 v2 table 0203 type code, e.g. MR for a medical record number. */
  @Column({ name: 'type_code', type: 'varchar', length: 10, nullable: true })
  typeCode: string | null;
}
