import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A signed statement that the audit chain's head was `headHash` at entry `seq`. The signature is
 * HMAC-SHA256 under MOSAIC_AUDIT_KEY, which never reaches the database, so whoever can rewrite
 * audit rows and recompute every later hash still cannot produce a matching checkpoint. Each
 * checkpoint names the one before it, so deleting a checkpoint is detected too. Append-only.
 */
@Entity({ name: 'audit_checkpoints' })
export class AuditCheckpoint {
  /** The audit entry (audit_events.seq) whose hash this checkpoint attests. */
  @PrimaryColumn({ name: 'seq', type: 'bigint', primaryKeyConstraintName: 'pk_audit_checkpoints' })
  seq: string;

  @Column({ name: 'head_hash', type: 'char', length: 64 })
  headHash: string;

  /** The seq of the previous checkpoint; null for the first one. */
  @Column({ name: 'previous_seq', type: 'bigint', nullable: true })
  previousSeq: string | null;

  @Column({ name: 'signed_at', type: 'timestamptz' })
  signedAt: Date;

  /** Names the key without revealing it: the first 16 hex digits of HMAC(key, "mosaic-audit-key-id"). */
  @Column({ name: 'key_id', type: 'char', length: 16 })
  keyId: string;

  /** HMAC-SHA256 over the checkpoint's canonical JSON (docs/audit.md), lowercase hex. */
  @Column({ name: 'signature', type: 'char', length: 64 })
  signature: string;
}
