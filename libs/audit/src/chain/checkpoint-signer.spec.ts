import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditError } from '../audit.errors';
import { canonicalEntry, chainHash, GENESIS_HASH } from './audit-entry';
import { CheckpointSigner, resolveAuditKey } from './checkpoint-signer';

const KEY = 'a-test-audit-key-that-is-long-enough-0001';

describe('chain hash', () => {
  const fields = {
    seq: '1',
    occurredAt: '2026-01-02T03:04:05.678Z',
    actor: 'admin',
    role: 'admin',
    action: 'user.create',
    resourceType: 'User',
    resourceIds: ['b3f1c2a4-0000-4000-8000-000000000001'],
    patientId: null,
    requestId: 'req-1',
    outcome: 'success',
  };

  it('hashes the genesis hash text followed by the canonical JSON, as sha256sum would', () => {
    expect(canonicalEntry(fields)).toBe(
      '{"action":"user.create","actor":"admin","format":"mosaic.audit-entry.v1","occurredAt":"2026-01-02T03:04:05.678Z",' +
        '"outcome":"success","patientId":null,"requestId":"req-1","resourceIds":["b3f1c2a4-0000-4000-8000-000000000001"],' +
        '"resourceType":"User","role":"admin","seq":"1"}',
    );
    const expected = createHash('sha256')
      .update(`${GENESIS_HASH}${canonicalEntry(fields)}`)
      .digest('hex');
    expect(chainHash(GENESIS_HASH, fields)).toBe(expected);
  });

  it('changes with any field, the seq and the predecessor', () => {
    const base = chainHash(GENESIS_HASH, fields);
    expect(chainHash(GENESIS_HASH, { ...fields, seq: '2' })).not.toBe(base);
    expect(chainHash(GENESIS_HASH, { ...fields, resourceIds: [] })).not.toBe(base);
    expect(chainHash('f'.repeat(64), fields)).not.toBe(base);
  });
});

describe('CheckpointSigner', () => {
  const checkpoint = {
    seq: '100',
    headHash: 'a'.repeat(64),
    previousSeq: null,
    signedAt: '2026-01-01T00:00:00.000Z',
  };

  it('verifies its own signature and refuses an altered checkpoint or another key', () => {
    const signer = new CheckpointSigner(KEY);
    const signed = signer.sign(checkpoint);
    expect(signed.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signer.verify(signed)).toBe(true);
    expect(signer.verify({ ...signed, headHash: 'b'.repeat(64) })).toBe(false);
    expect(signer.verify({ ...signed, previousSeq: '0' })).toBe(false);
    const other = new CheckpointSigner(`${KEY}-other`);
    expect(other.keyId).not.toBe(signer.keyId);
    expect(other.verify(signed)).toBe(false);
  });

  it('refuses a short key', () => {
    expect(() => new CheckpointSigner('short')).toThrow(AuditError);
  });
});

describe('resolveAuditKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mosaic-audit-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers MOSAIC_AUDIT_KEY, otherwise generates one 0600 key file and reuses it', () => {
    expect(resolveAuditKey(KEY, dir, { create: true })).toBe(KEY);
    const generated = resolveAuditKey(undefined, dir, { create: true });
    expect(generated.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, 'audit-key')).mode & 0o777).toBe(0o600);
    expect(resolveAuditKey(undefined, dir, { create: false })).toBe(generated);
  });

  it('never generates a key for verification', () => {
    expect(() => resolveAuditKey(undefined, dir, { create: false })).toThrow(/MOSAIC_AUDIT_KEY/);
  });
});
