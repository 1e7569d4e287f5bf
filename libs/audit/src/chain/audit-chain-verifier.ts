import type { DataSource } from 'typeorm';
import { AUDIT_ENTRY_COLUMNS, chainHash, entryFromRow, GENESIS_HASH } from './audit-entry';
import type { AuditEntryRow, ChainedAuditEntry } from './audit-entry';
import type { CheckpointSigner, SignedCheckpoint } from './checkpoint-signer';

export interface VerifyOptions {
  /** Entries read per query; the chain is never loaded whole. */
  batchSize?: number;
  /** The append policy's N: at most N entries may follow a checkpoint without a new one. */
  checkpointEvery: number;
  /** Checkpoint failures listed in full (all are counted). */
  maxListedFailures?: number;
  /** Called after each batch with the number of entries checked so far. */
  onBatch?: (entriesChecked: number) => void;
}

/**
 * `prev_hash`: the entry does not point at the entry before it (an entry deleted, inserted or
 * moved). `hash`: the entry's fields no longer produce its stored hash (an entry edited).
 */
export type BrokenLinkKind = 'prev_hash' | 'hash';

export interface BrokenLink {
  seq: string;
  kind: BrokenLinkKind;
  expected: string;
  found: string;
}

/**
 * `signature`: the checkpoint's HMAC does not match (forged, edited, or another key).
 * `head_hash`: the entry at the checkpoint's seq is not the one that was signed (history rewritten).
 * `entry_missing`: no entry at the checkpoint's seq (entries deleted, tail truncated).
 * `previous_missing`: the checkpoint names a predecessor that is not the previous checkpoint.
 * `overdue`: more entries follow a checkpoint than the append policy allows (checkpoints deleted).
 */
export type CheckpointFailureKind =
  'signature' | 'head_hash' | 'entry_missing' | 'previous_missing' | 'overdue';

export interface CheckpointFailure {
  seq: string;
  kind: CheckpointFailureKind;
  expected: string | null;
  found: string | null;
}

export interface ChainVerification {
  ok: boolean;
  entries: number;
  head: { seq: string; hash: string } | null;
  firstBrokenLink: BrokenLink | null;
  brokenLinks: number;
  checkpoints: {
    checked: number;
    valid: number;
    latestValidSeq: string | null;
    /** Entries after the latest checkpoint: attested only once the next one is signed. */
    entriesAfterLatest: number;
  };
  checkpointFailures: CheckpointFailure[];
  checkpointFailureCount: number;
  keyId: string;
}

interface CheckpointRow {
  seq: string;
  head_hash: string;
  previous_seq: string | null;
  signed_at: string;
  key_id: string;
  signature: string;
}

const CHECKPOINT_COLUMNS = `seq::text AS seq, head_hash, previous_seq::text AS previous_seq,
  to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS signed_at, key_id, signature`;

/**
 * Walks the chain in seq order, batch by batch (keyset pagination, so memory stays flat however
 * long the chain), checking each link and each checkpoint met on the way. It keeps walking past a
 * break so that every checkpoint is still checked, and reports the first break.
 *
 * It reads outside any transaction: on PGlite a long transaction would hold the one session and
 * stall every request. Appends only ever add at the tail, so the batches stay consistent.
 */
export class AuditChainVerifier {
  private readonly batchSize: number;
  private readonly maxListed: number;

  constructor(
    private readonly signer: CheckpointSigner,
    private readonly options: VerifyOptions,
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.maxListed = options.maxListedFailures ?? 100;
  }

  async verify(dataSource: DataSource): Promise<ChainVerification> {
    const state = new VerificationState(this.signer, this.options.checkpointEvery, this.maxListed);
    let after = '0';
    for (;;) {
      const rows = (await dataSource.query(
        `SELECT ${AUDIT_ENTRY_COLUMNS} FROM audit_events WHERE seq > $1::bigint ORDER BY audit_events.seq LIMIT $2`,
        [after, this.batchSize],
      )) as AuditEntryRow[];
      if (rows.length === 0) break;
      const entries = rows.map(entryFromRow);
      const last = entries[entries.length - 1].seq;
      const checkpoints = (await dataSource.query(
        `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints
         WHERE seq > $1::bigint AND seq <= $2::bigint ORDER BY audit_checkpoints.seq`,
        [after, last],
      )) as CheckpointRow[];
      state.walk(entries, checkpoints.map(checkpointFromRow));
      after = last;
      this.options.onBatch?.(state.entries);
      if (rows.length < this.batchSize) break;
    }
    // Checkpoints beyond the last entry attest entries that are gone: the tail was truncated.
    for (;;) {
      const beyond = (await dataSource.query(
        `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE seq > $1::bigint ORDER BY audit_checkpoints.seq LIMIT $2`,
        [after, this.batchSize],
      )) as CheckpointRow[];
      if (beyond.length === 0) break;
      state.walk([], beyond.map(checkpointFromRow));
      after = beyond[beyond.length - 1].seq;
    }
    return state.result();
  }
}

function checkpointFromRow(row: CheckpointRow): SignedCheckpoint {
  return {
    seq: row.seq,
    headHash: row.head_hash,
    previousSeq: row.previous_seq,
    signedAt: row.signed_at,
    keyId: row.key_id,
    signature: row.signature,
  };
}

class VerificationState {
  entries = 0;
  private previousHash = GENESIS_HASH;
  private head: { seq: string; hash: string } | null = null;
  private firstBrokenLink: BrokenLink | null = null;
  private brokenLinks = 0;
  private checked = 0;
  private valid = 0;
  private latestValidSeq: string | null = null;
  private lastCheckpointSeq: string | null = null;
  /** Entries since the last checkpoint (or since the start, before the first one). */
  private sinceCheckpoint = 0;
  private failures: CheckpointFailure[] = [];
  private failureCount = 0;

  constructor(
    private readonly signer: CheckpointSigner,
    private readonly checkpointEvery: number,
    private readonly maxListed: number,
  ) {}

  /** Merges a batch of entries with the checkpoints in the same seq range, in seq order. */
  walk(entries: ChainedAuditEntry[], checkpoints: SignedCheckpoint[]): void {
    let c = 0;
    for (const entry of entries) {
      const seq = BigInt(entry.seq);
      while (c < checkpoints.length && BigInt(checkpoints[c].seq) < seq) {
        this.checkCheckpoint(checkpoints[c], null);
        c += 1;
      }
      this.checkLink(entry);
      if (c < checkpoints.length && BigInt(checkpoints[c].seq) === seq) {
        this.checkCheckpoint(checkpoints[c], entry);
        c += 1;
      }
    }
    for (; c < checkpoints.length; c += 1) this.checkCheckpoint(checkpoints[c], null);
  }

  result(): ChainVerification {
    if (this.head && this.sinceCheckpoint >= this.checkpointEvery) {
      this.fail({
        seq: this.head.seq,
        kind: 'overdue',
        expected: `at most ${this.checkpointEvery - 1} entries after ${this.lastCheckpointSeq === null ? 'the start' : `checkpoint ${this.lastCheckpointSeq}`} without a checkpoint`,
        found: `${this.sinceCheckpoint} entries`,
      });
    }
    return {
      ok: this.brokenLinks === 0 && this.failureCount === 0,
      entries: this.entries,
      head: this.head,
      firstBrokenLink: this.firstBrokenLink,
      brokenLinks: this.brokenLinks,
      checkpoints: {
        checked: this.checked,
        valid: this.valid,
        latestValidSeq: this.latestValidSeq,
        entriesAfterLatest: this.sinceCheckpoint,
      },
      checkpointFailures: this.failures,
      checkpointFailureCount: this.failureCount,
      keyId: this.signer.keyId,
    };
  }

  private checkLink(entry: ChainedAuditEntry): void {
    this.entries += 1;
    this.sinceCheckpoint += 1;
    if (entry.prevHash !== this.previousHash) {
      this.breakAt({ seq: entry.seq, kind: 'prev_hash', expected: this.previousHash, found: entry.prevHash });
    }
    const recomputed = chainHash(entry.prevHash, entry);
    if (recomputed !== entry.hash) {
      this.breakAt({ seq: entry.seq, kind: 'hash', expected: recomputed, found: entry.hash });
    }
    // Continue from the stored hash, so one edit is one break rather than a cascade.
    this.previousHash = entry.hash;
    this.head = { seq: entry.seq, hash: entry.hash };
  }

  private checkCheckpoint(checkpoint: SignedCheckpoint, entry: ChainedAuditEntry | null): void {
    this.checked += 1;
    let ok = true;
    if (checkpoint.keyId !== this.signer.keyId || !this.signer.verify(checkpoint)) {
      ok = this.fail({
        seq: checkpoint.seq,
        kind: 'signature',
        expected: `a valid HMAC under key ${this.signer.keyId}`,
        found: `${checkpoint.signature} (key ${checkpoint.keyId})`,
      });
    }
    if (checkpoint.previousSeq !== this.lastCheckpointSeq) {
      ok = this.fail({
        seq: checkpoint.seq,
        kind: 'previous_missing',
        expected: checkpoint.previousSeq,
        found: this.lastCheckpointSeq,
      });
    }
    if (!entry) {
      ok = this.fail({
        seq: checkpoint.seq,
        kind: 'entry_missing',
        expected: checkpoint.headHash,
        found: null,
      });
    } else if (entry.hash !== checkpoint.headHash) {
      ok = this.fail({
        seq: checkpoint.seq,
        kind: 'head_hash',
        expected: checkpoint.headHash,
        found: entry.hash,
      });
    }
    // The first checkpoint attests everything before it (entries chained before checkpoints
    // existed); after that, the append policy bounds the gap.
    if (this.lastCheckpointSeq !== null && this.sinceCheckpoint > this.checkpointEvery) {
      ok = this.fail({
        seq: checkpoint.seq,
        kind: 'overdue',
        expected: `at most ${this.checkpointEvery} entries after checkpoint ${this.lastCheckpointSeq}`,
        found: `${this.sinceCheckpoint} entries`,
      });
    }
    if (ok) {
      this.valid += 1;
      this.latestValidSeq = checkpoint.seq;
    }
    this.lastCheckpointSeq = checkpoint.seq;
    this.sinceCheckpoint = 0;
  }

  private breakAt(link: BrokenLink): void {
    this.brokenLinks += 1;
    this.firstBrokenLink ??= link;
  }

  private fail(failure: CheckpointFailure): false {
    this.failureCount += 1;
    if (this.failures.length < this.maxListed) this.failures.push(failure);
    return false;
  }
}
