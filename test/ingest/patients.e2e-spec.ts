import { Role } from '@mosaic/domain';
import { testEngines } from '@mosaic/persistence/testing';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';
import { API } from './support/ingest-fixtures';

// Test names are the rows of the decision table in docs/ingest.md (§Patients).
describe.each(testEngines())('patients on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (body: object) =>
    t.http.post(`${API}/patients`).set('Authorization', t.auth(Role.Integration)).send(body);
  const jane = {
    name: { family: 'Okafor', given: ['Jane', 'Ada'] },
    birthDate: '1970-01-31',
    sex: 'female',
    identifiers: [{ value: 'P-100' }, { system: 'https://hospital.example/mrn', value: '7731', type: 'MR' }],
  };

  it('create a patient with identifiers → 201', async () => {
    const response = await post(jane);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      name: { family: 'Okafor', given: ['Jane', 'Ada'] },
      birthDate: '1970-01-31',
      sex: 'female',
      sourceKind: 'api',
      sourceId: 'integration',
      identifiers: [
        { system: 'https://hospital.example/mrn', value: '7731', type: 'MR' },
        { system: 'urn:mosaic:mrn', value: 'P-100', type: 'MR' },
      ],
    });
    expect(response.body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('identical re-post of a patient → 200 with the existing patient', async () => {
    const first = await post({ ...jane, identifiers: [{ value: 'P-200' }] });
    const again = await post({ ...jane, identifiers: [{ value: 'P-200' }] });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('identifier that already belongs to a patient with other details → 409 naming it', async () => {
    const first = await post({ ...jane, identifiers: [{ value: 'P-300' }] });
    const other = await post({
      name: { family: 'Smith' },
      identifiers: [{ value: 'P-301' }, { value: 'P-300' }],
    });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({
      code: 'PATIENT_IDENTIFIER_CONFLICT',
      existingPatientIds: [first.body.id],
      errors: [{ pointer: '/identifiers/1', detail: expect.stringContaining('urn:mosaic:mrn|P-300') }],
    });
    expect(other.body.detail).toContain('urn:mosaic:mrn|P-300');
  });

  it('patient without identifiers or with a bad birth date → 400 per field', async () => {
    const response = await post({ name: { family: 'X' }, birthDate: '31/01/1970', identifiers: [] });
    expect(response.status).toBe(400);
    const pointers = (response.body.errors as { pointer: string }[]).map((error) => error.pointer).sort();
    expect(pointers).toEqual(['/birthDate', '/identifiers']);
  });

  it('get a patient by id → 200; unknown id → 404; malformed id → 400', async () => {
    const created = await post({ ...jane, identifiers: [{ value: 'P-400' }] });
    const found = await t.http
      .get(`${API}/patients/${created.body.id}`)
      .set('Authorization', t.auth(Role.Clinician));
    expect(found.status).toBe(200);
    expect(found.body).toEqual(created.body);
    const unknown = await t.http
      .get(`${API}/patients/00000000-0000-4000-8000-000000000000`)
      .set('Authorization', t.auth(Role.Clinician));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('PATIENT_NOT_FOUND');
    const malformed = await t.http
      .get(`${API}/patients/not-a-uuid`)
      .set('Authorization', t.auth(Role.Clinician));
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([{ pointer: '/id', detail: 'id must be a patient id (UUID)' }]);
  });

  it('search patients by MRN (optionally with system) and by name prefix → 200 page', async () => {
    const a = await post({ name: { family: 'Nakamura', given: ['Yuki'] }, identifiers: [{ value: 'S-1' }] });
    await post({ name: { family: 'Nakashima', given: ['Kenji'] }, identifiers: [{ value: 'S-2' }] });
    await post({ name: { family: 'Under_score' }, identifiers: [{ value: 'S-3' }] });
    const search = (query: Record<string, string>) =>
      t.http.get(`${API}/patients`).query(query).set('Authorization', t.auth(Role.Clinician));

    const byMrn = await search({ mrn: 'S-1' });
    expect(byMrn.status).toBe(200);
    expect(byMrn.body).toMatchObject({ total: 1, limit: 100, offset: 0, items: [{ id: a.body.id }] });
    expect((await search({ mrn: 'S-1', system: 'urn:other' })).body.total).toBe(0);
    expect((await search({ mrn: 'S-1', system: 'urn:mosaic:mrn' })).body.total).toBe(1);

    const byName = await search({ name: 'naka' });
    expect(byName.body.items.map((p: { name: { family: string } }) => p.name.family)).toEqual([
      'Nakamura',
      'Nakashima',
    ]);
    expect((await search({ name: 'NAKA yu' })).body.items).toHaveLength(1);
    expect((await search({ name: 'yuki' })).body.items[0].id).toBe(a.body.id);
    // LIKE wildcards in the query match literally.
    expect((await search({ name: 'under_' })).body.total).toBe(1);
    expect((await search({ name: '%' })).body.total).toBe(0);

    const paged = await search({ name: 'naka', limit: '1', offset: '1' });
    expect(paged.body).toMatchObject({
      total: 2,
      limit: 1,
      offset: 1,
      items: [{ name: { family: 'Nakashima' } }],
    });
    expect((await search({ system: 'urn:mosaic:mrn' })).status).toBe(400);
  });

  it('clinician or missing token on a patient write → 403 / 401', async () => {
    const forbidden = await t.http
      .post(`${API}/patients`)
      .set('Authorization', t.auth(Role.Clinician))
      .send(jane);
    expect(forbidden.status).toBe(403);
    const anonymous = await t.http.post(`${API}/patients`).send(jane);
    expect(anonymous.status).toBe(401);
  });

  it('audits patient reads and writes with the patient id', async () => {
    const created = await post({ name: { family: 'Audit' }, identifiers: [{ value: 'A-1' }] });
    await t.http.get(`${API}/patients/${created.body.id}`).set('Authorization', t.auth(Role.Clinician));
    const trail = await t.http
      .get(`${API}/audit/events`)
      .query({ patientId: created.body.id })
      .set('Authorization', t.auth(Role.Auditor));
    expect(
      trail.body.items.map((event: { action: string; actor: string }) => [event.action, event.actor]),
    ).toEqual([
      ['patient.read', 'clinician'],
      ['patient.create', 'integration'],
    ]);
  });
});
