import { createHash } from 'node:crypto';
import { Role } from '@mosaic/domain';
import { testEngines } from '@mosaic/persistence/testing';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';
import { API, createPatient } from './support/ingest-fixtures';

// Test names are the rows of the decision table in docs/ingest.md (§Notes).
describe.each(testEngines())('notes on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  const postNote = (patientId: string, body: object) =>
    t.http
      .post(`${API}/patients/${patientId}/notes`)
      .set('Authorization', t.auth(Role.Integration))
      .send(body);

  it('post a new note → 201 with sha256, effectiveAt in UTC and the default LOINC type', async () => {
    const patient = await createPatient(t);
    const text = 'Progress note: cough for 3 days, febrile 38.6 °C, crackles right base.';
    const response = await postNote(patient.id, {
      text,
      authoredAt: '2024-03-15T11:15:00+01:00',
      author: 'Dr. Lee',
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      patientId: patient.id,
      text,
      author: 'Dr. Lee',
      loincType: '11506-3',
      status: 'final',
      sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
      effectiveAt: '2024-03-15T10:15:00.000Z',
      sourceKind: 'api',
      sourceId: 'integration',
    });
    expect(Date.parse(response.body.recordedAt)).toBeGreaterThan(Date.parse('2024-03-15T10:15:00Z'));
  });

  it('same note text again for the same patient → 200 with the existing note', async () => {
    const patient = await createPatient(t);
    const first = await postNote(patient.id, { text: 'Same words.', authoredAt: '2024-03-15T10:00:00Z' });
    const again = await postNote(patient.id, {
      text: 'Same words.',
      authoredAt: '2024-03-16T10:00:00Z',
      loincType: '34117-2',
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await createPatient(t);
    expect(
      (await postNote(other.id, { text: 'Same words.', authoredAt: '2024-03-15T10:00:00Z' })).status,
    ).toBe(201);
  });

  it('note for an unknown patient → 404', async () => {
    const response = await postNote('00000000-0000-4000-8000-000000000000', {
      text: 'x',
      authoredAt: '2024-03-15T10:00:00Z',
    });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('PATIENT_NOT_FOUND');
  });

  it('note without text, with a local time without offset or an unknown field → 400 per field', async () => {
    const patient = await createPatient(t);
    const response = await postNote(patient.id, {
      text: '',
      authoredAt: '2024-03-15T10:00:00',
      status: 'draft',
      mood: 'good',
    });
    expect(response.status).toBe(400);
    const pointers = (response.body.errors as { pointer: string }[]).map((error) => error.pointer);
    expect([...new Set(pointers)].sort()).toEqual(['/authoredAt', '/mood', '/status', '/text']);
  });

  it('list notes between from and to, newest first, and get one → 200', async () => {
    const patient = await createPatient(t);
    for (const [day, text] of [
      ['10', 'day ten'],
      ['11', 'day eleven'],
      ['12', 'day twelve'],
    ]) {
      expect((await postNote(patient.id, { text, authoredAt: `2024-03-${day}T08:00:00Z` })).status).toBe(201);
    }
    const list = await t.http
      .get(`${API}/patients/${patient.id}/notes`)
      .query({ from: '2024-03-11T00:00:00Z', to: '2024-03-13T00:00:00Z' })
      .set('Authorization', t.auth(Role.Clinician));
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((note: { text: string }) => note.text)).toEqual(['day twelve', 'day eleven']);

    const one = await t.http
      .get(`${API}/patients/${patient.id}/notes/${list.body.items[0].id}`)
      .set('Authorization', t.auth(Role.Clinician));
    expect(one.status).toBe(200);
    expect(one.body).toEqual(list.body.items[0]);
  });

  it("get a note through another patient's path → 404", async () => {
    const owner = await createPatient(t);
    const stranger = await createPatient(t);
    const note = await postNote(owner.id, { text: 'private', authoredAt: '2024-03-15T10:00:00Z' });
    const response = await t.http
      .get(`${API}/patients/${stranger.id}/notes/${note.body.id}`)
      .set('Authorization', t.auth(Role.Clinician));
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('NOTE_NOT_FOUND');
  });
});
