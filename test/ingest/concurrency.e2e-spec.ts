import { Role } from '@mosaic/domain';
import { testEngines } from '@mosaic/persistence/testing';
import { DataSource } from 'typeorm';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';
import { API, createPatient } from './support/ingest-fixtures';

const DAY = 24 * 3600 * 1000;
const BASE = Date.parse('2024-01-01T00:00:00Z');
/** A heart rate that is valid for the API but makes the injected trigger fail inside the transaction. */
const POISON_VALUE = 123.456;

/** Deterministic shuffle (mulberry32, seeded) so the interleaving is the same on every run. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

type Kind = 'valid' | 'rolled-back' | 'rejected' | 'note';

/**
 * ARCHITECTURE.md §PGlite: the embedded engine is one session, so concurrent requests must never share
 * a transaction. Many batches run at once; some fail inside their transaction after thousands of their
 * rows were inserted (a trigger fails their last row), so a mixed-up session would either keep their
 * rows or lose a neighbour's. Every valid batch must be stored completely, every failed one not at all,
 * with audit entries to match.
 */
describe.each(testEngines())('interleaved ingestion on %s', (engine) => {
  let t: TestApp;
  let dataSource: DataSource;
  beforeAll(async () => {
    t = await startTestApp(engine);
    dataSource = t.app.get(DataSource);
    await dataSource.query(`
      CREATE FUNCTION test_fail_on_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.received_value = ${POISON_VALUE} THEN RAISE EXCEPTION 'injected failure for the concurrency test'; END IF;
        RETURN NEW;
      END $$`);
    await dataSource.query(
      'CREATE TRIGGER test_fail_on_poison BEFORE INSERT ON vital_observations FOR EACH ROW EXECUTE FUNCTION test_fail_on_poison()',
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('interleaved vitals batches and notes: no partial batch persisted, every valid one complete', async () => {
    const patient = await createPatient(t);
    const batch = (index: number, size: number, last?: object) =>
      Array.from({ length: size }, (_, i) =>
        i === size - 1 && last
          ? { ...last, effectiveAt: new Date(BASE + index * DAY + i * 1000).toISOString() }
          : {
              code: '8867-4',
              value: 50 + (i % 100),
              unit: '/min',
              effectiveAt: new Date(BASE + index * DAY + i * 1000).toISOString(),
            },
      );
    const jobs: Array<{ kind: Kind; index: number; size: number; body: object; path: string }> = [];
    for (let index = 0; index < 16; index += 1) {
      jobs.push({
        kind: 'valid',
        index,
        size: 600,
        path: 'vitals',
        body: { observations: batch(index, 600) },
      });
    }
    for (let index = 16; index < 20; index += 1) {
      const observations = batch(index, 6000, { code: '8867-4', value: POISON_VALUE, unit: '/min' });
      jobs.push({ kind: 'rolled-back', index, size: 6000, path: 'vitals', body: { observations } });
    }
    for (let index = 20; index < 23; index += 1) {
      const observations = batch(index, 300, { code: '59408-5', value: 101, unit: '%' });
      jobs.push({ kind: 'rejected', index, size: 300, path: 'vitals', body: { observations } });
    }
    for (let index = 0; index < 10; index += 1) {
      const body = {
        text: `note ${index} written concurrently`,
        authoredAt: new Date(BASE + index * DAY).toISOString(),
      };
      jobs.push({ kind: 'note', index, size: 1, path: 'notes', body });
    }

    const responses = await Promise.all(
      shuffle(jobs, 42).map(async (job) => ({
        job,
        response: await t.http
          .post(`${API}/patients/${patient.id}/${job.path}`)
          .set('Authorization', t.auth(Role.Integration))
          .send(job.body),
      })),
    );

    const expectedStatus: Record<Kind, number> = { valid: 201, 'rolled-back': 500, rejected: 422, note: 201 };
    for (const { job, response } of responses) {
      expect({ kind: job.kind, index: job.index, status: response.status }).toEqual({
        kind: job.kind,
        index: job.index,
        status: expectedStatus[job.kind],
      });
    }
    const perDay: { day: number; n: number }[] = await dataSource.query(
      `SELECT floor(extract(epoch FROM effective_at - $2::timestamptz) / 86400)::int AS day, count(*)::int AS n
         FROM vital_observations WHERE patient_id = $1 GROUP BY 1 ORDER BY 1`,
      [patient.id, new Date(BASE).toISOString()],
    );
    expect(perDay).toEqual(Array.from({ length: 16 }, (_, day) => ({ day, n: 600 })));

    const notes: { n: number }[] = await dataSource.query(
      'SELECT count(*)::int AS n FROM clinical_notes WHERE patient_id = $1',
      [patient.id],
    );
    expect(notes[0].n).toBe(10);
    const audit: { action: string; n: number }[] = await dataSource.query(
      `SELECT action, count(*)::int AS n FROM audit_events WHERE patient_id = $1 AND action <> 'patient.create'
        GROUP BY action ORDER BY action`,
      [patient.id],
    );
    expect(audit).toEqual([
      { action: 'note.create', n: 10 },
      { action: 'vitals.create', n: 16 },
    ]);
  });
});
