import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { Patient } from './patient.entity';

/**
 * One assessment, stored once and never changed (a trigger refuses UPDATE, DELETE and TRUNCATE):
 * what went in (input ids, raw-input and tensor digests), which model ran (version, ONNX file
 * hashes, code and runtime versions), what came out (bit-exact logits, ranked diagnoses with their
 * explanations) and how long each stage took. A replay re-derives everything from the inputs it
 * names and compares (docs/assessments.md §Replay).
 */
@Entity({ name: 'assessments' })
@Index('ix_assessments_patient_assessed', ['patientId', 'assessedAt'])
// The auditor's list across patients: newest first, filtered by a time range (GET /assessments).
@Index('ix_assessments_assessed', ['assessedAt'])
export class Assessment {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_assessments' })
  id: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId: string;

  @ManyToOne(() => Patient, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id', foreignKeyConstraintName: 'fk_assessments_patient' })
  patient: Relation<Patient>;

  /** When the assessment ran: inputs recorded after it are never used, so a replay sees the same. */
  @Column({ name: 'assessed_at', type: 'timestamptz' })
  assessedAt: Date;

  /** The clinical time the assessment is about (ARCHITECTURE.md §Time). */
  @Column({ name: 'as_of', type: 'timestamptz' })
  asOf: Date;

  @Column({ name: 'model_id', type: 'varchar', length: 100 })
  modelId: string;

  @Column({ name: 'model_version', type: 'varchar', length: 60 })
  modelVersion: string;

  /** [{ path, sha256 }] of every ONNX graph that ran. */
  @Column({ name: 'onnx_files', type: 'jsonb' })
  onnxFiles: { path: string; sha256: string }[];

  /** Git commit of the serving code (MOSAIC_CODE_VERSION or `git rev-parse HEAD` at start). */
  @Column({ name: 'code_version', type: 'varchar', length: 64 })
  codeVersion: string;

  @Column({ name: 'runtime_version', type: 'varchar', length: 60 })
  runtimeVersion: string;

  /** Inputs used (ids, raw digests, vitals grid), inputs left out with reasons, modalities. */
  @Column({ name: 'inputs', type: 'jsonb' })
  inputs: Record<string, unknown>;

  /** sha256 of each exact input tensor, per modality (null when absent). */
  @Column({ name: 'tensor_digests', type: 'jsonb' })
  tensorDigests: Record<string, string | null>;

  /** Bit-exact outputs: base64 float32 logits of the full and occlusion runs, attention digest. */
  @Column({ name: 'outputs', type: 'jsonb' })
  outputs: Record<string, unknown>;

  /** Ranked diagnoses, each with its explanation, as answered. */
  @Column({ name: 'diagnoses', type: 'jsonb' })
  diagnoses: Record<string, unknown>[];

  /** Milliseconds per stage. */
  @Column({ name: 'latency', type: 'jsonb' })
  /** Milliseconds per stage, and `cached`: per modality, whether the encoder output was cached (null: absent). */
  latency: Record<string, number | Record<string, boolean | null>>;

  @Column({ name: 'requested_by', type: 'varchar', length: 100 })
  requestedBy: string;
}
