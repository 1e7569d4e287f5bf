import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * One audited request: who did what to which resource, when, under which request id. Written in the
 * same transaction as the data it describes, so a committed change always has its audit row.
 * Never holds PHI beyond resource ids.
 *
 * Rows form a hash chain (docs/audit.md): `hash = sha256(prevHash ‖ JCS(entry))`, appended under an
 * advisory lock by @mosaic/audit only, and a trigger refuses UPDATE, DELETE and TRUNCATE. The
 * unique prev_hash makes a fork (two entries claiming one predecessor) impossible to commit.
 */
@Entity({ name: 'audit_events' })
@Index('ix_audit_events_occurred', ['occurredAt'])
@Index('ix_audit_events_patient', ['patientId'])
@Unique('uq_audit_events_prev_hash', ['prevHash'])
export class AuditEvent {
  @PrimaryGeneratedColumn('identity', {
    name: 'seq',
    type: 'bigint',
    primaryKeyConstraintName: 'pk_audit_events',
  })
  seq: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  @Column({ name: 'actor', type: 'varchar', length: 100 })
  actor: string;

  @Column({ name: 'role', type: 'varchar', length: 100 })
  role: string;

  /** e.g. patient.read, note.create, image.create, vitals.create, user.create. */
  @Column({ name: 'action', type: 'varchar', length: 60 })
  action: string;

  @Column({ name: 'resource_type', type: 'varchar', length: 60 })
  resourceType: string;

  /** Resource ids touched (uuid or query label); never names or identifiers. */
  @Column({ name: 'resource_ids', type: 'varchar', length: 64, array: true, default: () => "'{}'" })
  resourceIds: string[];

  @Column({ name: 'patient_id', type: 'uuid', nullable: true })
  patientId: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 100 })
  requestId: string;

  /** success, or the HTTP status of a refused request that still touched patient data. */
  @Column({ name: 'outcome', type: 'varchar', length: 20, default: 'success' })
  outcome: string;

  /** The previous entry's hash; 64 zeros for the first entry (the genesis). Lowercase hex. */
  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash: string;

  /** sha256(prevHash ‖ JCS(entry)), lowercase hex. */
  @Column({ name: 'hash', type: 'char', length: 64 })
  hash: string;
}
