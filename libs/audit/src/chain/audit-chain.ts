import type { DataSource, EntityManager } from 'typeorm';
import { chainHash, GENESIS_HASH } from './audit-entry';
import type { AuditEntryFields } from './audit-entry';
import { AuditChainVerifier } from './audit-chain-verifier';
import type { ChainVerification, VerifyOptions } from './audit-chain-verifier';
import type { CheckpointSigner, SignedCheckpoint } from './checkpoint-signer';

/**
 * Key of the transaction-scoped advisory lock that serialises appends (ARCHITECTURE.md §Audit
 * chain). ASCII "MOSAICAU"; the migration lock is "MOSAICMG".
 */
export const AUDIT_CHAIN_LOCK_KEY = '5570762803947716949';

/** A checkpoint is written in the same transaction as every N-th entry (docs/audit.md). */
export const DEFAULT_CHECKPOINT_EVERY = 100;

/** What one audited request did. Never names, identifiers or note text: only resource ids. */
export interface AuditAppend {
  actor: string;
  role: string;
  action: string;
  resourceType: string;
  resourceIds: string[];
  patientId?: string | null;
  requestId: string;
  outcome?: string;
}

export interface AppendedEntry extends AuditEntryFields {
  prevHash: string;
  hash: string;
  /** The checkpoint written with this entry, when it was the N-th since the last one. */
  checkpoint: SignedCheckpoint | null;
}

export interface AuditChainOptions {
  checkpointEvery?: number;
  clock?: () => Date;
}

interface HeadRow {
  seq: string | null;
  hash: string | null;
  checkpoint_seq: string | null;
}

/** Bounded, as before the chain: a search touching thousands of rows is one entry. */
const MAX_RESOURCE_IDS = 1000;

/**
 * The tamper-evident audit log: appends under an advisory lock, signed head checkpoints, and
 * streaming verification. The one writer of audit_events and audit_checkpoints.
 */
export class AuditChain {
  readonly checkpointEvery: number;
  private readonly clock: () => Date;

  constructor(
    private readonly signer: CheckpointSigner,
    options: AuditChainOptions = {},
  ) {
    this.checkpointEvery = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    this.clock = options.clock ?? (() => new Date());
  }

  get keyId(): string {
    return this.signer.keyId;
  }

  /**
   * Appends one entry inside the caller's transaction. The advisory lock is transaction-scoped, so
   * it is held from here to the commit: the next appender reads this entry as its predecessor, or,
   * if this transaction rolls back, the same predecessor this one saw. Taken last, after the
   * request's own work, so the serialised section is as short as possible.
   *
   * The caller's transaction must be READ COMMITTED (the default): each statement after the lock
   * then sees the previous holder's commit. Under a stale snapshot the unique prev_hash refuses
   * the fork instead of committing it.
   */
  async append(manager: EntityManager, entry: AuditAppend): Promise<AppendedEntry> {
    const head = await this.lockAndReadHead(manager);
    const fields: AuditEntryFields = {
      seq: (BigInt(head.seq ?? '0') + 1n).toString(),
      occurredAt: this.clock().toISOString(),
      actor: entry.actor,
      role: entry.role,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceIds: entry.resourceIds.slice(0, MAX_RESOURCE_IDS),
      patientId: entry.patientId ?? null,
      requestId: entry.requestId,
      outcome: entry.outcome ?? 'success',
    };
    const prevHash = head.hash ?? GENESIS_HASH;
    const hash = chainHash(prevHash, fields);
    await manager.query(
      `INSERT INTO audit_events (seq, occurred_at, actor, role, action, resource_type, resource_ids,
         patient_id, request_id, outcome, prev_hash, hash)
       VALUES ($1::bigint, $2::timestamptz, $3, $4, $5, $6,
         ARRAY(SELECT json_array_elements_text($7::json))::varchar[], $8::uuid, $9, $10, $11, $12)`,
      [
        fields.seq,
        fields.occurredAt,
        fields.actor,
        fields.role,
        fields.action,
        fields.resourceType,
        JSON.stringify(fields.resourceIds),
        fields.patientId,
        fields.requestId,
        fields.outcome,
        prevHash,
        hash,
      ],
    );
    const due = BigInt(fields.seq) - BigInt(head.checkpoint_seq ?? '0') >= BigInt(this.checkpointEvery);
    const checkpoint = due
      ? await this.insertCheckpoint(manager, fields.seq, hash, head.checkpoint_seq)
      : null;
    return { ...fields, prevHash, hash, checkpoint };
  }

  /**
   * Signs the current head unless a checkpoint already covers it (then returns that one, with
   * `created: false`); null for an empty chain. Used periodically, at shutdown and on demand.
   */
  async checkpoint(
    dataSource: DataSource,
  ): Promise<{ checkpoint: SignedCheckpoint; created: boolean } | null> {
    return dataSource.transaction(async (manager) => {
      const head = await this.lockAndReadHead(manager);
      if (head.seq === null || head.hash === null) return null;
      if (head.checkpoint_seq === head.seq) {
        const [existing] = await manager.query(
          `SELECT seq::text AS seq, head_hash, previous_seq::text AS previous_seq, key_id, signature,
             to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS signed_at
           FROM audit_checkpoints WHERE seq = $1::bigint`,
          [head.seq],
        );
        return {
          created: false,
          checkpoint: {
            seq: existing.seq,
            headHash: existing.head_hash,
            previousSeq: existing.previous_seq,
            signedAt: existing.signed_at,
            keyId: existing.key_id,
            signature: existing.signature,
          },
        };
      }
      const checkpoint = await this.insertCheckpoint(manager, head.seq, head.hash, head.checkpoint_seq);
      return { checkpoint, created: true };
    });
  }

  /** Checks every link and every checkpoint, reading the chain in batches. */
  async verify(
    dataSource: DataSource,
    options: Omit<VerifyOptions, 'checkpointEvery'> = {},
  ): Promise<ChainVerification> {
    return new AuditChainVerifier(this.signer, { checkpointEvery: this.checkpointEvery, ...options }).verify(
      dataSource,
    );
  }

  private async lockAndReadHead(manager: EntityManager): Promise<HeadRow> {
    await manager.query('SELECT pg_advisory_xact_lock($1::bigint)', [AUDIT_CHAIN_LOCK_KEY]);
    const [head] = (await manager.query(
      `SELECT entry.seq::text AS seq, entry.hash, checkpoint.seq::text AS checkpoint_seq
       FROM (SELECT 1) AS one
       LEFT JOIN LATERAL (SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1) AS entry ON true
       LEFT JOIN LATERAL (SELECT seq FROM audit_checkpoints ORDER BY seq DESC LIMIT 1) AS checkpoint ON true`,
    )) as HeadRow[];
    return head;
  }

  private async insertCheckpoint(
    manager: EntityManager,
    seq: string,
    headHash: string,
    previousSeq: string | null,
  ): Promise<SignedCheckpoint> {
    const checkpoint = this.signer.sign({ seq, headHash, previousSeq, signedAt: this.clock().toISOString() });
    await manager.query(
      `INSERT INTO audit_checkpoints (seq, head_hash, previous_seq, signed_at, key_id, signature)
       VALUES ($1::bigint, $2, $3::bigint, $4::timestamptz, $5, $6)`,
      [
        checkpoint.seq,
        checkpoint.headHash,
        checkpoint.previousSeq,
        checkpoint.signedAt,
        checkpoint.keyId,
        checkpoint.signature,
      ],
    );
    return checkpoint;
  }
}
