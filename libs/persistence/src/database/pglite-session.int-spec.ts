import { setTimeout as sleep } from 'node:timers/promises';
import { SourceKind } from '@mosaic/domain';
import { Patient } from '../entities';
import { openTestDatabase } from '../testing';
import type { TestDatabase } from '../testing';
import { acquireOwnerLock } from './pglite-session';

/**
 * PGlite is one Postgres session (ARCHITECTURE.md §PGlite). These tests interleave transactions
 * that would corrupt each other if they shared the session unserialised.
 */
describe('embedded PGlite session', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await database.close();
  });

  const patient = (familyName: string) => ({ familyName, sourceKind: SourceKind.Cli, sourceId: 'test' });

  it('keeps interleaved transactions apart: a rollback never takes a neighbour’s writes, a commit never keeps a failed one’s', async () => {
    const { dataSource } = database;
    const runs = Array.from({ length: 12 }, (_, index) =>
      dataSource
        .transaction(async (manager) => {
          await manager.insert(Patient, patient(`interleave-${index}-a`));
          // Yield to the event loop mid-transaction, so the other transactions are queued meanwhile.
          await sleep(5 + ((index * 7) % 11));
          await manager.insert(Patient, patient(`interleave-${index}-b`));
          if (index % 3 === 0) throw new Error(`planned failure ${index}`);
        })
        .then(
          () => 'committed',
          () => 'rolled back',
        ),
    );
    // Plain statements outside any transaction are interleaved too.
    const reads = Array.from({ length: 6 }, () => dataSource.getRepository(Patient).count());
    const outcomes = await Promise.all(runs);
    await Promise.all(reads);

    const rows: { family_name: string }[] = await dataSource.query(
      "SELECT family_name FROM patients WHERE family_name LIKE 'interleave-%' ORDER BY family_name",
    );
    const expected = outcomes.flatMap((outcome, index) =>
      outcome === 'committed' ? [`interleave-${index}-a`, `interleave-${index}-b`] : [],
    );
    expect(outcomes.filter((outcome) => outcome === 'rolled back')).toHaveLength(4);
    expect(rows.map((row) => row.family_name)).toEqual(expected.sort());
  });

  it('refuses a second owner of the data directory with a message naming the holder', () => {
    expect(() => acquireOwnerLock(database.dataDir, 'second server')).toThrow(
      /in use by this process \(test\)/,
    );
  });
});
