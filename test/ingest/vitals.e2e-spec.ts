import { Role } from '@mosaic/domain';
import { testEngines } from '@mosaic/persistence/testing';
import { DataSource } from 'typeorm';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';
import { API, createPatient } from './support/ingest-fixtures';

// Test names are the rows of the decision table in docs/ingest.md (§Vitals).
describe.each(testEngines())('vitals on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  const postVitals = (patientId: string, observations: unknown[]) =>
    t.http
      .post(`${API}/patients/${patientId}/vitals`)
      .set('Authorization', t.auth(Role.Integration))
      .send({ observations });
  const rowCount = async (patientId: string): Promise<number> => {
    const rows = await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM vital_observations WHERE patient_id = $1', [patientId]);
    return rows[0].n as number;
  };
  const heartRates = (count: number, start = Date.parse('2024-03-15T00:00:00Z')) =>
    Array.from({ length: count }, (_, i) => ({
      code: '8867-4',
      value: 60 + (i % 40),
      unit: '/min',
      effectiveAt: new Date(start + i * 60_000).toISOString(),
    }));

  it('post a batch of vitals → 201 with counts; °F and kPa converted, received value and unit kept', async () => {
    const patient = await createPatient(t);
    const response = await postVitals(patient.id, [
      { code: '8310-5', value: 100.4, unit: '[degF]', effectiveAt: '2024-03-15T10:00:00+02:00' },
      { code: '8480-6', value: 16, unit: 'kPa', effectiveAt: '2024-03-15T08:00:00Z' },
      {
        code: '8867-4',
        value: 88,
        unit: '{beats}/min',
        effectiveAt: '2024-03-15T08:00:00Z',
        status: 'amended',
      },
    ]);
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ received: 3, created: 3, existing: 0 });
    const list = await t.http
      .get(`${API}/patients/${patient.id}/vitals`)
      .set('Authorization', t.auth(Role.Clinician));
    expect(list.status).toBe(200);
    const byCode = Object.fromEntries(list.body.items.map((item: { code: string }) => [item.code, item]));
    expect(byCode['8310-5']).toMatchObject({
      unit: 'Cel',
      receivedValue: 100.4,
      receivedUnit: '[degF]',
      effectiveAt: '2024-03-15T08:00:00.000Z',
      status: 'final',
      sourceKind: 'api',
      sourceId: 'integration',
    });
    expect(byCode['8310-5'].value).toBeCloseTo(38, 10);
    expect(byCode['8480-6']).toMatchObject({ unit: 'mm[Hg]', receivedValue: 16, receivedUnit: 'kPa' });
    expect(byCode['8480-6'].value).toBeCloseTo(120.01, 2);
    expect(byCode['8867-4']).toMatchObject({ value: 88, unit: '/min', status: 'amended' });
  });

  it('re-post the same batch → 200 with created 0 and every observation existing', async () => {
    const patient = await createPatient(t);
    const batch = heartRates(1200);
    expect((await postVitals(patient.id, batch)).body).toEqual({
      received: 1200,
      created: 1200,
      existing: 0,
    });
    const again = await postVitals(patient.id, [
      ...batch,
      ...heartRates(3, Date.parse('2024-04-01T00:00:00Z')),
    ]);
    expect(again.status).toBe(201);
    expect(again.body).toEqual({ received: 1203, created: 3, existing: 1200 });
    const third = await postVitals(patient.id, batch);
    expect(third.status).toBe(200);
    expect(third.body).toEqual({ received: 1200, created: 0, existing: 1200 });
    expect(await rowCount(patient.id)).toBe(1203);
  });

  it('a batch of 10,000 observations is stored in one request → 201', async () => {
    const patient = await createPatient(t);
    const response = await postVitals(patient.id, heartRates(10_000));
    expect(response.status).toBe(201);
    expect(response.body.created).toBe(10_000);
    expect(await rowCount(patient.id)).toBe(10_000);
  });

  it('unit not accepted for the code, unknown code or out-of-range value → 422 listing each index; nothing stored', async () => {
    const patient = await createPatient(t);
    const batch: object[] = heartRates(20);
    batch[3] = { code: '8867-4', value: 72, unit: 'Hz', effectiveAt: '2024-03-15T10:00:00Z' };
    batch[7] = { code: '1234-5', value: 1, unit: '/min', effectiveAt: '2024-03-15T10:00:00Z' };
    batch[12] = { code: '59408-5', value: 140, unit: '%', effectiveAt: '2024-03-15T10:00:00Z' };
    batch[13] = { code: '8310-5', value: 212, unit: '[degF]', effectiveAt: '2024-03-15T10:00:00Z' };
    const response = await postVitals(patient.id, batch);
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('VITALS_REJECTED');
    expect(response.body.rejectedCount).toBe(4);
    expect(response.body.errors.map((error: { pointer: string }) => error.pointer)).toEqual([
      '/observations/3/unit',
      '/observations/7/code',
      '/observations/12/value',
      '/observations/13/value',
    ]);
    expect(response.body.errors[0].detail).toContain("'/min', '{beats}/min', 'bpm'");
    expect(response.body.errors[2].detail).toContain('outside the physiological range 0–100 %');
    expect(await rowCount(patient.id)).toBe(0);
  });

  it('more than 10,000 observations → 413 with a clear message', async () => {
    const patient = await createPatient(t);
    const response = await postVitals(patient.id, heartRates(10_001));
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({
      code: 'VITALS_BATCH_TOO_LARGE',
      maxObservations: 10_000,
      received: 10_001,
    });
    expect(response.body.detail).toContain('at most 10,000 observations');
  });

  it('malformed observation (missing value, time without offset, unknown field) → 400 per field', async () => {
    const patient = await createPatient(t);
    const response = await postVitals(patient.id, [
      { code: '8867-4', unit: '/min', effectiveAt: '2024-03-15T10:00:00Z' },
      { code: '8867-4', value: '72', unit: '/min', effectiveAt: '2024-03-15 10:00' },
      { code: '8867-4', value: 72, unit: '/min', effectiveAt: '2024-03-15T10:00:00Z', device: 'x' },
      'not an object',
    ]);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { pointer: string }) => error.pointer)).toEqual([
      '/observations/0/value',
      '/observations/1/value',
      '/observations/1/effectiveAt',
      '/observations/2/device',
      '/observations/3',
    ]);
    expect((await postVitals(patient.id, [])).status).toBe(400);
  });

  it('vitals for an unknown patient → 404', async () => {
    const response = await postVitals('00000000-0000-4000-8000-000000000000', heartRates(1));
    expect(response.status).toBe(404);
  });

  it('list vitals by code and time window, ascending → 200 page', async () => {
    const patient = await createPatient(t);
    await postVitals(patient.id, [
      ...heartRates(10),
      { code: '9279-1', value: 18, unit: '/min', effectiveAt: '2024-03-15T00:03:00Z' },
    ]);
    const list = await t.http
      .get(`${API}/patients/${patient.id}/vitals`)
      .query({ code: '8867-4', from: '2024-03-15T00:02:00Z', to: '2024-03-15T00:05:00Z' })
      .set('Authorization', t.auth(Role.Clinician));
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(3);
    expect(list.body.items.map((item: { effectiveAt: string }) => item.effectiveAt)).toEqual([
      '2024-03-15T00:02:00.000Z',
      '2024-03-15T00:03:00.000Z',
      '2024-03-15T00:04:00.000Z',
    ]);
    const both = await t.http
      .get(`${API}/patients/${patient.id}/vitals`)
      .query({ code: '8867-4,9279-1', limit: '2', offset: '3' })
      .set('Authorization', t.auth(Role.Clinician));
    expect(both.body).toMatchObject({ total: 11, limit: 2, offset: 3 });
    expect(both.body.items.map((item: { code: string }) => item.code)).toEqual(['8867-4', '9279-1']);
  });
});
