import type { DataSource } from 'typeorm';
import { MIGRATIONS } from '@mosaic/migrations';
import { openTestDatabase, testEngines } from '@mosaic/persistence/testing';
import type { TestDatabase } from '@mosaic/persistence/testing';
import { AuditChain } from './audit-chain';
import { chainHash, GENESIS_HASH } from './audit-entry';
import { CheckpointSigner } from './checkpoint-signer';

const KEY = 'integration-test-audit-key-0123456789abcdef';
const CHECKPOINT_EVERY = 5;

function entry(i: number) {
  return {
    actor: `user-${i % 3}`,
    role: 'clinician',
    action: i % 2 === 0 ? 'patient.read' : 'note.create',
    resourceType: 'Patient',
    resourceIds: [`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`],
    patientId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    requestId: `req-${i}`,
  };
}

/** What an attacker with owner rights does first: switch the append-only triggers off. */
async function asAttacker(dataSource: DataSource, sql: string[]): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await manager.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await manager.query('ALTER TABLE audit_checkpoints DISABLE TRIGGER USER');
    for (const statement of sql) await manager.query(statement);
    await manager.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    await manager.query('ALTER TABLE audit_checkpoints ENABLE TRIGGER USER');
  });
}

describe.each(testEngines())('audit chain on %s', (engine) => {
  let db: TestDatabase;
  let chain: AuditChain;
  let tick = 0;

  async function appendMany(count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      await db.dataSource.transaction((manager) => chain.append(manager, entry(i)));
    }
  }

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    // A deterministic clock, one second per call.
    chain = new AuditChain(new CheckpointSigner(KEY), {
      checkpointEvery: CHECKPOINT_EVERY,
      clock: () => new Date(Date.UTC(2026, 0, 1) + 1000 * tick++),
    });
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await asAttacker(db.dataSource, ['TRUNCATE audit_events, audit_checkpoints']);
  });

  it('links each entry to the one before, from the genesis hash, with a checkpoint every N entries', async () => {
    await appendMany(12);
    const rows = await db.dataSource.query(
      'SELECT seq::text AS seq, prev_hash, hash FROM audit_events ORDER BY audit_events.seq',
    );
    expect(rows.map((row: { seq: string }) => row.seq)).toEqual(
      Array.from({ length: 12 }, (_, i) => String(i + 1)),
    );
    expect(rows[0].prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i += 1) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    const checkpoints = await db.dataSource.query(
      'SELECT seq::text AS seq, previous_seq::text AS previous_seq FROM audit_checkpoints ORDER BY audit_checkpoints.seq',
    );
    expect(checkpoints).toEqual([
      { seq: '5', previous_seq: null },
      { seq: '10', previous_seq: '5' },
    ]);
    const report = await chain.verify(db.dataSource);
    expect(report).toMatchObject({
      ok: true,
      entries: 12,
      brokenLinks: 0,
      firstBrokenLink: null,
      checkpoints: { checked: 2, valid: 2, latestValidSeq: '10', entriesAfterLatest: 2 },
      checkpointFailureCount: 0,
    });
  });

  it('signs the head on demand only when it moved', async () => {
    await appendMany(3);
    const first = await chain.checkpoint(db.dataSource);
    expect(first).toMatchObject({ created: true, checkpoint: { seq: '3', previousSeq: null } });
    const again = await chain.checkpoint(db.dataSource);
    expect(again).toEqual({ created: false, checkpoint: first?.checkpoint });
    await appendMany(1);
    expect((await chain.verify(db.dataSource)).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on both audit tables', async () => {
    await appendMany(5);
    for (const statement of [
      "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 1",
      'DELETE FROM audit_events WHERE seq = 2',
      'TRUNCATE audit_events, audit_checkpoints',
      "UPDATE audit_checkpoints SET head_hash = repeat('0', 64)",
      'DELETE FROM audit_checkpoints',
    ]) {
      await expect(db.dataSource.query(statement)).rejects.toThrow(/append-only/);
    }
    expect((await chain.verify(db.dataSource)).ok).toBe(true);
  });

  it('detects an edited entry at its seq', async () => {
    await appendMany(8);
    await asAttacker(db.dataSource, ["UPDATE audit_events SET actor = 'nobody' WHERE seq = 4"]);
    const report = await chain.verify(db.dataSource);
    expect(report.ok).toBe(false);
    expect(report.firstBrokenLink).toMatchObject({ seq: '4', kind: 'hash' });
    expect(report.firstBrokenLink?.expected).not.toBe(report.firstBrokenLink?.found);
  });

  it('detects a deleted entry at the entry after it', async () => {
    await appendMany(8);
    const [third] = await db.dataSource.query('SELECT hash FROM audit_events WHERE seq = 3');
    await asAttacker(db.dataSource, ['DELETE FROM audit_events WHERE seq = 4']);
    const report = await chain.verify(db.dataSource);
    expect(report.firstBrokenLink).toMatchObject({ seq: '5', kind: 'prev_hash', expected: third.hash });
  });

  it('detects reordered entries', async () => {
    await appendMany(8);
    await asAttacker(db.dataSource, [
      'UPDATE audit_events SET seq = -1 WHERE seq = 6',
      'UPDATE audit_events SET seq = 6 WHERE seq = 7',
      'UPDATE audit_events SET seq = 7 WHERE seq = -1',
    ]);
    const report = await chain.verify(db.dataSource);
    expect(report.ok).toBe(false);
    expect(report.firstBrokenLink).toMatchObject({ seq: '6' });
  });

  it('catches a rewritten entry with every later hash recomputed by its signed checkpoint', async () => {
    await appendMany(12);
    // The attacker edits entry 3 and re-links the rest: every link then checks out.
    const rows = await db.dataSource.query(
      `SELECT seq::text AS seq, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
         actor, role, action, resource_type, to_json(resource_ids) AS resource_ids, patient_id::text AS patient_id,
         request_id, outcome FROM audit_events ORDER BY audit_events.seq`,
    );
    let prev = GENESIS_HASH;
    const statements: string[] = [];
    for (const row of rows) {
      const fields = {
        seq: row.seq,
        occurredAt: row.occurred_at,
        actor: row.seq === '3' ? 'innocent-bystander' : row.actor,
        role: row.role,
        action: row.action,
        resourceType: row.resource_type,
        resourceIds: row.resource_ids,
        patientId: row.patient_id,
        requestId: row.request_id,
        outcome: row.outcome,
      };
      const hash = chainHash(prev, fields);
      statements.push(
        `UPDATE audit_events SET actor = '${fields.actor}', prev_hash = '${prev}', hash = '${hash}' WHERE seq = ${row.seq}`,
      );
      prev = hash;
    }
    await asAttacker(db.dataSource, statements);
    const report = await chain.verify(db.dataSource);
    expect(report.brokenLinks).toBe(0);
    expect(report.ok).toBe(false);
    expect(report.checkpointFailures).toEqual([
      expect.objectContaining({ seq: '5', kind: 'head_hash' }),
      expect.objectContaining({ seq: '10', kind: 'head_hash' }),
    ]);
    // Re-signing needs the key: a checkpoint written with another key is refused too.
    const forger = new AuditChain(new CheckpointSigner('a-guessed-key-that-is-long-enough-000'), {
      checkpointEvery: CHECKPOINT_EVERY,
    });
    await forger.checkpoint(db.dataSource);
    expect((await chain.verify(db.dataSource)).checkpointFailures).toContainEqual(
      expect.objectContaining({ seq: '12', kind: 'signature' }),
    );
  });

  it('detects a forged, a deleted and a truncated-away checkpoint', async () => {
    await appendMany(17);
    await asAttacker(db.dataSource, [
      "UPDATE audit_checkpoints SET head_hash = repeat('a', 64) WHERE seq = 5",
      'DELETE FROM audit_checkpoints WHERE seq = 10',
      'DELETE FROM audit_events WHERE seq > 15',
    ]);
    const report = await chain.verify(db.dataSource);
    const kinds = report.checkpointFailures.map((failure) => `${failure.seq}:${failure.kind}`);
    expect(kinds).toEqual(expect.arrayContaining(['5:signature', '5:head_hash', '15:previous_missing']));
    // Deleting the checkpoints after the last kept entry leaves too many unattested entries.
    await asAttacker(db.dataSource, ['DELETE FROM audit_checkpoints WHERE seq >= 15']);
    const truncated = await chain.verify(db.dataSource);
    expect(truncated.checkpointFailures).toContainEqual(expect.objectContaining({ kind: 'overdue' }));
  });

  it('verifies in batches and reports the same as one pass', async () => {
    await appendMany(23);
    const batches: number[] = [];
    const batched = await chain.verify(db.dataSource, { batchSize: 4, onBatch: (n) => batches.push(n) });
    expect(batches).toEqual([4, 8, 12, 16, 20, 23]);
    expect(batched).toEqual(await chain.verify(db.dataSource));
    expect(batched.ok).toBe(true);
  });

  it('serialises concurrent appends into one chain without forks', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        db.dataSource.transaction((manager) => chain.append(manager, entry(i))),
      ),
    );
    const report = await chain.verify(db.dataSource);
    expect(report).toMatchObject({ ok: true, entries: 40, head: { seq: '40' } });
  });

  it('chains the entries that predate the migration', async () => {
    const ChainMigration = MIGRATIONS.find((migration) => migration.name.startsWith('AuditChain'));
    if (!ChainMigration) throw new Error('the audit chain migration is not registered');
    const runner = db.dataSource.createQueryRunner();
    try {
      await new ChainMigration().down(runner);
      for (let i = 0; i < 7; i += 1) {
        const e = entry(i);
        // occurred_at with microseconds and seq gaps, as the pre-chain trail had.
        await runner.query(
          `INSERT INTO audit_events (seq, occurred_at, actor, role, action, resource_type, resource_ids, patient_id, request_id)
           VALUES ($1, now() - interval '1 day' + $2 * interval '1.234567 second', $3, $4, $5, $6, ARRAY[$7]::varchar[], $8, $9)`,
          [
            i * 3 + 1,
            i,
            e.actor,
            e.role,
            e.action,
            e.resourceType,
            e.resourceIds[0],
            e.patientId,
            e.requestId,
          ],
        );
      }
      await new ChainMigration().up(runner);
    } finally {
      await runner.release();
    }
    await appendMany(1);
    const report = await chain.verify(db.dataSource);
    expect(report).toMatchObject({ ok: true, entries: 8, head: { seq: '20' } });
    expect(report.checkpoints.checked).toBe(1);
  });
});
