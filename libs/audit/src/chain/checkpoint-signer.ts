import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AuditError, AuditErrorCode } from '../audit.errors';
import { canonicalJson } from '../canonical/canonical-json';

export const AUDIT_CHECKPOINT_FORMAT = 'mosaic.audit-checkpoint.v1';

/** The key file the embedded mode generates when MOSAIC_AUDIT_KEY is unset. */
export const AUDIT_KEY_FILE = 'audit-key';

const MIN_KEY_LENGTH = 32;

/** What a checkpoint signs: the chain head at `seq`, and the checkpoint before it. */
export interface CheckpointFields {
  seq: string;
  headHash: string;
  previousSeq: string | null;
  /** ISO 8601 UTC with milliseconds. */
  signedAt: string;
}

export interface SignedCheckpoint extends CheckpointFields {
  keyId: string;
  signature: string;
}

export function canonicalCheckpoint(fields: CheckpointFields): string {
  return canonicalJson({
    format: AUDIT_CHECKPOINT_FORMAT,
    seq: fields.seq,
    headHash: fields.headHash,
    previousSeq: fields.previousSeq,
    signedAt: fields.signedAt,
  });
}

/**
 * HMAC-SHA256 (RFC 2104) over a checkpoint's canonical JSON, under MOSAIC_AUDIT_KEY. The key lives
 * only in the environment (or, embedded, a 0600 file beside the data), never in the database, so
 * database access alone cannot forge a checkpoint.
 */
export class CheckpointSigner {
  private readonly key: Buffer;
  /** Identifies the key in reports without revealing it. */
  readonly keyId: string;

  constructor(key: string) {
    if (key.length < MIN_KEY_LENGTH) {
      throw new AuditError(
        AuditErrorCode.KeyUnavailable,
        `MOSAIC_AUDIT_KEY must be at least ${MIN_KEY_LENGTH} characters`,
      );
    }
    this.key = Buffer.from(key, 'utf8');
    this.keyId = createHmac('sha256', this.key).update('mosaic-audit-key-id').digest('hex').slice(0, 16);
  }

  sign(fields: CheckpointFields): SignedCheckpoint {
    return { ...fields, keyId: this.keyId, signature: this.mac(fields) };
  }

  verify(checkpoint: SignedCheckpoint): boolean {
    const expected = Buffer.from(this.mac(checkpoint), 'hex');
    const found = Buffer.from(checkpoint.signature, 'hex');
    return found.length === expected.length && timingSafeEqual(found, expected);
  }

  private mac(fields: CheckpointFields): string {
    return createHmac('sha256', this.key).update(canonicalCheckpoint(fields), 'utf8').digest('hex');
  }
}

/**
 * The checkpoint key: MOSAIC_AUDIT_KEY when set; otherwise the key kept in `<dataDir>/audit-key`,
 * generated (mode 0600) on first use when `create` is true. Verification never creates one: a new
 * random key would only make every existing checkpoint look forged.
 */
export function resolveAuditKey(
  secret: string | undefined,
  dataDir: string,
  { create }: { create: boolean },
): string {
  if (secret) return secret;
  const path = join(resolve(dataDir), AUDIT_KEY_FILE);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!create) {
    throw new AuditError(
      AuditErrorCode.KeyUnavailable,
      `MOSAIC_AUDIT_KEY is not set and ${path} does not exist: checkpoints cannot be checked without the key that signed them`,
    );
  }
  mkdirSync(resolve(dataDir), { recursive: true });
  const key = randomBytes(48).toString('base64url');
  try {
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch {
    // Another process created it first: use theirs.
    return readFileSync(path, 'utf8').trim();
  }
}
