import { createHash } from 'node:crypto';
import { Role } from '@mosaic/domain';
import { testEngines } from '@mosaic/persistence/testing';
import { DataSource } from 'typeorm';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';
import { API, createPatient, dicomFixture, testUid } from './support/ingest-fixtures';

const MAX_UPLOAD_BYTES = 4096;
const MAX_UPLOAD_FILES = 4;

// Test names are the rows of the decision table in docs/ingest.md (§Images).
describe.each(testEngines())('images on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, {
      MOSAIC_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      MOSAIC_MAX_UPLOAD_FILES: String(MAX_UPLOAD_FILES),
      MOSAIC_TIMEZONE: 'Europe/Paris',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (patientId: string, files: Array<[string, Buffer]>, query = '') => {
    const request = t.http
      .post(`${API}/patients/${patientId}/images${query}`)
      .set('Authorization', t.auth(Role.Integration));
    for (const [name, bytes] of files)
      request.attach('files', bytes, { filename: name, contentType: 'application/dicom' });
    return request;
  };
  const instanceCount = async (patientId: string): Promise<number> => {
    const rows = await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM imaging_instances WHERE patient_id = $1', [patientId]);
    return rows[0].n as number;
  };

  it('upload one DICOM file → 201 with its metadata; effectiveAt read in MOSAIC_TIMEZONE', async () => {
    const patient = await createPatient(t);
    const sop = testUid();
    const bytes = await dicomFixture({ sopInstanceUid: sop, patientId: patient.mrn });
    const response = await upload(patient.id, [['chest.dcm', bytes]]);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ created: 1, existing: 0 });
    expect(response.body.instances[0]).toMatchObject({
      fileName: 'chest.dcm',
      outcome: 'created',
      patientId: patient.id,
      sopInstanceUid: sop,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
      modality: 'DX',
      bodyPart: 'CHEST',
      viewPosition: 'PA',
      seriesDescription: 'PA chest',
      rows: 16,
      columns: 16,
      numberOfFrames: 1,
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      byteSize: bytes.byteLength,
      dicomPatientId: patient.mrn,
      // 2024-03-15 10:15 in Paris (UTC+1 in March before the DST change).
      effectiveAt: '2024-03-15T09:15:00.000Z',
      status: 'final',
      sourceKind: 'api',
      sourceId: 'integration',
    });
  });

  it('TimezoneOffsetFromUTC in the file wins over MOSAIC_TIMEZONE', async () => {
    const patient = await createPatient(t);
    const bytes = await dicomFixture({
      sopInstanceUid: testUid(),
      patientId: patient.mrn,
      timezoneOffset: '-0500',
    });
    const response = await upload(patient.id, [['ny.dcm', bytes]]);
    expect(response.status).toBe(201);
    expect(response.body.instances[0].effectiveAt).toBe('2024-03-15T15:15:00.000Z');
  });

  it('upload several DICOM files → 201; study and series are shared by UID', async () => {
    const patient = await createPatient(t);
    const study = testUid();
    const series = testUid();
    const files: Array<[string, Buffer]> = [];
    for (let i = 0; i < 3; i += 1) {
      files.push([
        `img${i}.dcm`,
        await dicomFixture({
          sopInstanceUid: testUid(),
          studyInstanceUid: study,
          seriesInstanceUid: series,
          patientId: patient.mrn,
        }),
      ]);
    }
    const response = await upload(patient.id, files);
    expect(response.status).toBe(201);
    expect(response.body.created).toBe(3);
    const rows = await t.app
      .get(DataSource)
      .query(
        'SELECT count(DISTINCT i.series_id)::int AS series, count(DISTINCT s.study_id)::int AS studies FROM imaging_instances i JOIN imaging_series s ON s.id = i.series_id WHERE i.patient_id = $1',
        [patient.id],
      );
    expect(rows[0]).toEqual({ series: 1, studies: 1 });
  });

  it('wrong Content-Type → 415', async () => {
    const patient = await createPatient(t);
    const response = await t.http
      .post(`${API}/patients/${patient.id}/images`)
      .set('Authorization', t.auth(Role.Integration))
      .set('Content-Type', 'application/dicom')
      .send(await dicomFixture({ sopInstanceUid: testUid() }));
    expect(response.status).toBe(415);
    expect(response.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(response.body.detail).toContain('multipart/form-data');
  });

  it('a file that is not DICOM → 422 naming the file and the reason', async () => {
    const patient = await createPatient(t);
    const response = await upload(patient.id, [['notes.txt', Buffer.from('x'.repeat(300))]]);
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('IMAGE_NOT_DICOM');
    expect(response.body.detail).toContain('notes.txt');
    expect(response.body.errors).toEqual([
      {
        pointer: 'notes.txt',
        detail: expect.stringContaining('no "DICM" prefix after the 128-byte preamble'),
      },
    ]);
  });

  it('one bad file among good ones → 422 for the whole upload, a reason per bad file, nothing stored', async () => {
    const patient = await createPatient(t);
    const good = await dicomFixture({ sopInstanceUid: testUid(), patientId: patient.mrn });
    const truncated = (await dicomFixture({ sopInstanceUid: testUid(), patientId: patient.mrn })).subarray(
      0,
      700,
    );
    const response = await upload(patient.id, [
      ['good.dcm', good],
      ['truncated.dcm', truncated],
      ['empty.dcm', Buffer.alloc(0)],
    ]);
    expect(response.status).toBe(422);
    expect(response.body.detail).toMatch(/^2 of 3 files refused, so nothing was stored/);
    expect(response.body.files.map((file: { name: string; code: string }) => [file.name, file.code])).toEqual(
      [
        ['truncated.dcm', 'IMAGE_NOT_DICOM'],
        ['empty.dcm', 'IMAGE_NOT_DICOM'],
      ],
    );
    expect(await instanceCount(patient.id)).toBe(0);
  });

  it('DICOM without a date or a UID Mosaic needs → 422 naming what is missing', async () => {
    const patient = await createPatient(t);
    const response = await upload(patient.id, [
      [
        'undated.dcm',
        await dicomFixture({ sopInstanceUid: testUid(), patientId: patient.mrn, withoutDates: true }),
      ],
    ]);
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('IMAGE_MISSING_ATTRIBUTES');
    expect(response.body.errors[0]).toEqual({
      pointer: 'undated.dcm',
      detail: expect.stringContaining('Acquisition DateTime (0008,002A)'),
    });
  });

  it('file larger than MOSAIC_MAX_UPLOAD_BYTES → 413', async () => {
    const patient = await createPatient(t);
    const big = await dicomFixture({
      sopInstanceUid: testUid(),
      patientId: patient.mrn,
      rows: 64,
      columns: 64,
    });
    expect(big.byteLength).toBeGreaterThan(MAX_UPLOAD_BYTES);
    const response = await upload(patient.id, [['big.dcm', big]]);
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ code: 'IMAGE_FILE_TOO_LARGE', maxBytes: MAX_UPLOAD_BYTES });
  });

  it('more files than MOSAIC_MAX_UPLOAD_FILES → 413', async () => {
    const patient = await createPatient(t);
    const files: Array<[string, Buffer]> = [];
    for (let i = 0; i <= MAX_UPLOAD_FILES; i += 1) {
      files.push([`f${i}.dcm`, await dicomFixture({ sopInstanceUid: testUid(), patientId: patient.mrn })]);
    }
    const response = await upload(patient.id, files);
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ code: 'IMAGE_TOO_MANY_FILES', maxFiles: MAX_UPLOAD_FILES });
    expect(await instanceCount(patient.id)).toBe(0);
  });

  it("no file, or files in another field than 'files' → 400", async () => {
    const patient = await createPatient(t);
    const empty = await t.http
      .post(`${API}/patients/${patient.id}/images`)
      .set('Authorization', t.auth(Role.Integration))
      .field('note', 'nothing attached');
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('IMAGE_NO_FILES');
    const wrongField = await t.http
      .post(`${API}/patients/${patient.id}/images`)
      .set('Authorization', t.auth(Role.Integration))
      .attach('file', await dicomFixture({ sopInstanceUid: testUid() }), 'a.dcm');
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.detail).toContain("field 'files'");
  });

  it("PatientID contradicting the patient's MRN → 409 explaining both values", async () => {
    const patient = await createPatient(t);
    const response = await upload(patient.id, [
      ['other.dcm', await dicomFixture({ sopInstanceUid: testUid(), patientId: 'SOMEONE-ELSE' })],
    ]);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('IMAGE_PATIENT_ID_MISMATCH');
    expect(response.body.errors[0].pointer).toBe('other.dcm');
    expect(response.body.errors[0].detail).toContain("'SOMEONE-ELSE'");
    expect(response.body.errors[0].detail).toContain(`'${patient.mrn}'`);
    expect(response.body.errors[0].detail).toContain('overridePatientId=true');
    expect(await instanceCount(patient.id)).toBe(0);
  });

  it('the same with ?overridePatientId=true → 201, PatientID kept as received', async () => {
    const patient = await createPatient(t);
    const response = await upload(
      patient.id,
      [['other.dcm', await dicomFixture({ sopInstanceUid: testUid(), patientId: 'SOMEONE-ELSE' })]],
      '?overridePatientId=true',
    );
    expect(response.status).toBe(201);
    expect(response.body.instances[0].dicomPatientId).toBe('SOMEONE-ELSE');
    const bad = await upload(patient.id, [['x.dcm', Buffer.alloc(10)]], '?overridePatientId=maybe');
    expect(bad.status).toBe(400);
  });

  it('known SOPInstanceUID with the same bytes → 200 with the existing record', async () => {
    const patient = await createPatient(t);
    const bytes = await dicomFixture({ sopInstanceUid: testUid(), patientId: patient.mrn });
    const first = await upload(patient.id, [['a.dcm', bytes]]);
    const again = await upload(patient.id, [['a-again.dcm', bytes]]);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: 0, existing: 1 });
    expect(again.body.instances[0]).toMatchObject({ id: first.body.instances[0].id, outcome: 'existing' });
    expect(await instanceCount(patient.id)).toBe(1);
  });

  it('known SOPInstanceUID with different bytes → 409', async () => {
    const patient = await createPatient(t);
    const sop = testUid();
    await upload(patient.id, [
      ['a.dcm', await dicomFixture({ sopInstanceUid: sop, patientId: patient.mrn })],
    ]);
    const changed = await dicomFixture({ sopInstanceUid: sop, patientId: patient.mrn, pixelSeed: 7 });
    const response = await upload(patient.id, [['a-changed.dcm', changed]]);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('IMAGE_SOP_INSTANCE_CONFLICT');
    expect(response.body.errors[0]).toEqual({
      pointer: 'a-changed.dcm',
      detail: expect.stringContaining(`SOP Instance UID ${sop} is already stored`),
    });
    const otherPatient = await createPatient(t);
    const elsewhere = await upload(
      otherPatient.id,
      [['a.dcm', await dicomFixture({ sopInstanceUid: sop, patientId: patient.mrn })]],
      '?overridePatientId=true',
    );
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.errors[0].detail).toContain('another patient');
  });

  it('images for an unknown patient → 404', async () => {
    const response = await upload('00000000-0000-4000-8000-000000000000', [
      ['a.dcm', await dicomFixture({ sopInstanceUid: testUid() })],
    ]);
    expect(response.status).toBe(404);
  });

  it('list images by time window, get one and download the file → 200', async () => {
    const patient = await createPatient(t);
    const files: Array<[string, Buffer]> = [];
    for (const date of ['20240310', '20240311', '20240312']) {
      files.push([
        `${date}.dcm`,
        await dicomFixture({ sopInstanceUid: testUid(), patientId: patient.mrn, acquisitionDate: date }),
      ]);
    }
    expect((await upload(patient.id, files)).status).toBe(201);
    const list = await t.http
      .get(`${API}/patients/${patient.id}/images`)
      .query({ from: '2024-03-11T00:00:00Z' })
      .set('Authorization', t.auth(Role.Clinician));
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((item: { effectiveAt: string }) => item.effectiveAt)).toEqual([
      '2024-03-12T09:15:00.000Z',
      '2024-03-11T09:15:00.000Z',
    ]);
    const id = list.body.items[0].id as string;
    const one = await t.http
      .get(`${API}/patients/${patient.id}/images/${id}`)
      .set('Authorization', t.auth(Role.Clinician));
    expect(one.status).toBe(200);
    expect(one.body).toEqual(list.body.items[0]);
    const file = await t.http
      .get(`${API}/patients/${patient.id}/images/${id}/file`)
      .set('Authorization', t.auth(Role.Clinician))
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/dicom');
    expect(Buffer.compare(file.body as Buffer, files[2][1])).toBe(0);
  });
});
