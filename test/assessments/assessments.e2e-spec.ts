/**
 * @jest-environment ../libs/inference/jest.environment.js
 */
// onnxruntime-node checks typed arrays against its own realm (see that environment file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { Role } from '@mosaic/domain';
import { testEngines } from '@mosaic/persistence/testing';
import { API, createPatient } from '../ingest/support/ingest-fixtures';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';
import {
  completeCohortPatients,
  ctSliceFixture,
  ingestCohortPatient,
  modelsDirWithTwoVersions,
  pngSize,
  waitUntilReady,
} from './support/assessment-fixtures';
import type { IngestedCohortPatient } from './support/assessment-fixtures';

interface Rect {
  row: number;
  column: number;
  height: number;
  width: number;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HEX64 = /^[0-9a-f]{64}$/;
// Seed 907: not used in training (901) nor in the evaluation cohorts (903).
const SEED = 907;

describe.each(testEngines())('assessments on %s', (engine) => {
  let t: TestApp;
  let models: ReturnType<typeof modelsDirWithTwoVersions>;
  let patient: IngestedCohortPatient;
  let asOf: string;
  let assessment: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  beforeAll(async () => {
    models = modelsDirWithTwoVersions();
    t = await startTestApp(engine, {
      MOSAIC_MODELS_DIR: models.modelsDir,
      MOSAIC_CODE_VERSION: 'test-commit',
    });
    await waitUntilReady(t);
    const [generated] = await completeCohortPatients(SEED, 1);
    patient = await ingestCohortPatient(t, generated);
    asOf = patient.record.note?.effectiveAt as string;
  });
  afterAll(async () => {
    await t.close();
    rmSync(models.modelsDir, { recursive: true, force: true });
  });

  const clinician = (): string => t.auth(Role.Clinician);

  it('lists both model versions with card summaries, the newest active and warm', async () => {
    const response = await t.http.get(`${API}/models`).set('Authorization', clinician()).expect(200);
    const [model] = response.body.models;
    expect(model).toMatchObject({ modelId: models.modelId, served: true, activeVersion: models.newer });
    expect(model.versions.map((v: { version: string }) => v.version)).toEqual([models.newer, models.older]);
    for (const version of model.versions) {
      expect(version).toMatchObject({ valid: true, notForClinicalUse: true, problem: null });
      expect(version.card.notice).toMatch(/NOT FOR CLINICAL USE/);
    }
    expect(model.versions[0]).toMatchObject({ active: true, warm: true });
  });

  it('assesses a patient with all three modalities, in the payload contract', async () => {
    const response = await t.http
      .post(`${API}/patients/${patient.patientId}/assessments`)
      .set('Authorization', clinician())
      .send({ asOf });
    expect(response.status).toBe(201);
    assessment = response.body;
    expect(assessment).toMatchObject({
      patientId: patient.patientId,
      asOf: new Date(asOf).toISOString(),
      notForClinicalUse: true,
      notice: expect.stringMatching(/NOT FOR CLINICAL USE/),
      model: {
        id: models.modelId,
        version: models.newer,
        codeVersion: 'test-commit',
        runtimeVersion: expect.any(String),
      },
      modalities: { present: ['text', 'image', 'vitals'], absent: [], masked: [] },
    });
    expect(assessment.model.onnxFiles).toHaveLength(4);
    expect(Object.values(assessment.tensorDigests)).toEqual([
      expect.stringMatching(HEX64),
      expect.stringMatching(HEX64),
      expect.stringMatching(HEX64),
    ]);
    const used = assessment.inputs.used;
    expect(used.find((u: { modality: string }) => u.modality === 'text').noteId).toBe(patient.noteId);
    expect(used.find((u: { modality: string }) => u.modality === 'image').instanceId).toBe(patient.imageId);
    const vitals = used.find((u: { modality: string }) => u.modality === 'vitals');
    expect(vitals.observationCount).toBeGreaterThan(0);
    expect(vitals.window.end).toBe(new Date(asOf).toISOString());

    const diagnoses = assessment.diagnoses as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(diagnoses).toHaveLength(8);
    const probabilities = diagnoses.map((d) => d.probability);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    expect(diagnoses.map((d) => d.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const rows = patient.record.image?.rows as number;
    const columns = patient.record.image?.columns as number;
    const gridStart = Date.parse(vitals.window.start);
    const gridEnd = Date.parse(vitals.window.end);
    for (const d of diagnoses) {
      expect(d.snomedCt).toEqual({ system: 'http://snomed.info/sct', code: expect.stringMatching(/^\d+$/) });
      expect(d.icd10).toEqual({
        system: 'http://hl7.org/fhir/sid/icd-10',
        code: expect.stringMatching(/^[A-Z]\d\d/),
      });
      expect(d.probability).toBeGreaterThanOrEqual(0);
      expect(d.probability).toBeLessThanOrEqual(1);
      expect(d.aboveThreshold).toBe(d.probability >= d.threshold);
      const e = d.explanation;
      expect(e.modalityShares.map((s: { modality: string }) => s.modality)).toEqual([
        'text',
        'image',
        'vitals',
      ]);
      const attention = e.modalityShares.reduce(
        (sum: number, s: { attention: number }) => sum + s.attention,
        0,
      );
      expect(attention).toBeCloseTo(1, 4);
      for (const share of e.modalityShares) expect(typeof share.deltaProbability).toBe('number');
      // Text: half-open UTF-16 spans of whole words of the stored note.
      expect(e.text.length).toBeGreaterThan(0);
      for (const span of e.text) {
        expect(span.noteId).toBe(patient.noteId);
        const word = patient.noteText.slice(span.start, span.end);
        expect(word).toMatch(/^(\p{L}|\p{N})[\p{L}\p{N}'-]*$|^[^\s\p{L}\p{N}]$/u);
        expect(
          /[\p{L}\p{N}]/u.test(patient.noteText[span.start - 1] ?? ' ') && /[\p{L}\p{N}]/u.test(word[0]),
        ).toBe(false);
      }
      // Image: 8×8 grid, toPixel rectangles inside the original image, top regions, overlay URL.
      expect(e.image).toMatchObject({ instanceId: patient.imageId, frame: 0, grid: { rows: 8, cols: 8 } });
      expect(e.image.weights).toHaveLength(64);
      expect(e.image.overlayUrl).toBe(
        `/api/v1/assessments/${assessment.id}/explanations/${d.label}/image.png`,
      );
      for (const rect of e.image.toPixel.filter((r: Rect | null): r is Rect => r !== null)) {
        expect(rect.row).toBeGreaterThanOrEqual(0);
        expect(rect.column).toBeGreaterThanOrEqual(0);
        expect(rect.row + rect.height).toBeLessThanOrEqual(rows + 1e-9);
        expect(rect.column + rect.width).toBeLessThanOrEqual(columns + 1e-9);
      }
      expect(e.image.topRegions.length).toBeGreaterThan(0);
      expect(e.image.topRegions[0].rect).toEqual(e.image.toPixel[e.image.topRegions[0].cell]);
      // Vitals: ISO 8601 UTC half-open windows inside the grid.
      for (const w of e.vitals) {
        expect(w.start).toMatch(ISO_UTC);
        expect(w.end).toMatch(ISO_UTC);
        expect(Date.parse(w.start)).toBeGreaterThanOrEqual(gridStart);
        expect(Date.parse(w.end)).toBeLessThanOrEqual(gridEnd);
        expect(Date.parse(w.start)).toBeLessThan(Date.parse(w.end));
      }
      expect(e.narrative).toMatch(
        new RegExp(`^${d.display.replace(/[()]/g, '.')}: calibrated probability .*\\.$`),
      );
    }
  });

  it('stores the assessment once: it reads back identically, is listed, and cannot be changed', async () => {
    const read = await t.http
      .get(`${API}/assessments/${assessment.id}`)
      .set('Authorization', t.auth(Role.Auditor))
      .expect(200);
    const { latencyMs: _written, ...written } = assessment;
    const { latencyMs, ...stored } = read.body;
    expect(stored).toEqual(written);
    expect(Object.keys(latencyMs)).toEqual(
      expect.arrayContaining(['collectMs', 'preprocessMs', 'encodersMs', 'fusionMs', 'explanationMs']),
    );
    const list = await t.http
      .get(`${API}/patients/${patient.patientId}/assessments`)
      .query({ limit: 10 })
      .set('Authorization', clinician())
      .expect(200);
    expect(list.body).toMatchObject({
      total: 1,
      limit: 10,
      offset: 0,
      items: [{ id: assessment.id, notForClinicalUse: true }],
    });
    await t.http
      .get(`${API}/assessments/00000000-0000-4000-8000-000000000000`)
      .set('Authorization', clinician())
      .expect(404);
    await t.http.get(`${API}/assessments/not-a-uuid`).set('Authorization', clinician()).expect(400);
    await t.http
      .post(`${API}/patients/00000000-0000-4000-8000-000000000000/assessments`)
      .set('Authorization', clinician())
      .send({})
      .expect(404);
    await t.http
      .post(`${API}/patients/${patient.patientId}/assessments`)
      .set('Authorization', clinician())
      .send({ asOf: '2999-01-01T00:00:00Z' })
      .expect(422);
    const db = t.app.get(DataSource);
    await expect(
      db.query(`UPDATE assessments SET as_of = now() WHERE id = $1`, [assessment.id]),
    ).rejects.toThrow(/immutable/);
    await expect(db.query(`DELETE FROM assessments WHERE id = $1`, [assessment.id])).rejects.toThrow(
      /immutable/,
    );
  });

  it('renders the image explanation as a PNG of the original frame', async () => {
    const label = assessment.diagnoses[0].label as string;
    const response = await t.http
      .get(`${API}/assessments/${assessment.id}/explanations/${label}/image.png`)
      .set('Authorization', clinician())
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(pngSize(response.body as Buffer)).toEqual({
      width: patient.record.image?.columns,
      height: patient.record.image?.rows,
    });
    await t.http
      .get(`${API}/assessments/${assessment.id}/explanations/no_such_label/image.png`)
      .set('Authorization', clinician())
      .expect(404);
  });

  it('replays bit for bit', async () => {
    const response = await t.http
      .post(`${API}/assessments/${assessment.id}/replay`)
      .set('Authorization', t.auth(Role.Auditor))
      .expect(200);
    expect(response.body).toMatchObject({ assessmentId: assessment.id, match: true, firstMismatch: null });
    const stages = new Set(response.body.checks.map((c: { stage: string }) => c.stage));
    expect([...stages]).toEqual(['model', 'raw-input', 'tensor', 'output']);
    expect(response.body.checks.every((c: { match: boolean }) => c.match)).toBe(true);
  });

  it('reuses the prepared image on a repeat assessment: the same tensors, outputs and replay', async () => {
    expect(assessment.latencyMs.inputCached).toEqual({ image: false });
    const again = await t.http
      .post(`${API}/patients/${patient.patientId}/assessments`)
      .set('Authorization', clinician())
      .send({ asOf })
      .expect(201);
    expect(again.body.id).not.toBe(assessment.id);
    expect(again.body.latencyMs.inputCached).toEqual({ image: true });
    expect(again.body.latencyMs.cached).toEqual({ text: true, image: true, vitals: true });
    expect(again.body.tensorDigests).toEqual(assessment.tensorDigests);
    // The same outputs; only the overlay URLs name the other assessment.
    expect(JSON.stringify(again.body.diagnoses)).toBe(
      JSON.stringify(assessment.diagnoses).replaceAll(assessment.id, again.body.id),
    );
    const replay = await t.http
      .post(`${API}/assessments/${again.body.id}/replay`)
      .set('Authorization', t.auth(Role.Auditor))
      .expect(200);
    expect(replay.body).toMatchObject({ match: true, firstMismatch: null });
  });

  it('reports a tampered vitals row and a rewritten note as replay mismatches', async () => {
    const db = t.app.get(DataSource);
    const vitalsId = assessment.inputs.used.find((u: { modality: string }) => u.modality === 'vitals')
      .observationIds[0];
    await db.query('UPDATE vital_observations SET value = value + 7 WHERE id = $1', [vitalsId]);
    let report = (
      await t.http
        .post(`${API}/assessments/${assessment.id}/replay`)
        .set('Authorization', t.auth(Role.Auditor))
        .expect(200)
    ).body;
    expect(report.match).toBe(false);
    expect(report.firstMismatch).toMatchObject({ stage: 'raw-input', name: 'vitals', match: false });
    expect(report.checks).toEqual(
      expect.arrayContaining([expect.objectContaining({ stage: 'tensor', name: 'vitals', match: false })]),
    );

    await db.query(`UPDATE clinical_notes SET text = 'Patient well, no complaints.' WHERE id = $1`, [
      patient.noteId,
    ]);
    report = (
      await t.http
        .post(`${API}/assessments/${assessment.id}/replay`)
        .set('Authorization', t.auth(Role.Auditor))
        .expect(200)
    ).body;
    expect(report.firstMismatch).toMatchObject({ stage: 'raw-input', name: 'text', match: false });
    expect(report.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stage: 'tensor', name: 'text', match: false }),
        expect.objectContaining({
          stage: 'output',
          name: 'logits',
          match: false,
          detail: expect.stringMatching(/first differing value at index \d/),
        }),
      ]),
    );
  });

  it('runs with the missing modalities masked, and says so', async () => {
    const only = await createPatient(t, 'NoteOnly', ['Pat']);
    await t.http
      .post(`${API}/patients/${only.id}/notes`)
      .set('Authorization', t.auth(Role.Integration))
      .send({
        text: 'Productive cough and fever since yesterday. Crackles at the right base.',
        authoredAt: '2024-03-15T08:00:00Z',
      })
      .expect(201);
    const response = await t.http
      .post(`${API}/patients/${only.id}/assessments`)
      .set('Authorization', t.auth(Role.Integration))
      .send({ asOf: '2024-03-15T10:00:00Z' })
      .expect(201);
    expect(response.body.modalities).toEqual({
      present: ['text'],
      absent: ['image', 'vitals'],
      masked: ['image', 'vitals'],
    });
    expect(response.body.inputs.leftOut).toEqual([
      { modality: 'image', id: null, reason: expect.stringMatching(/^no image/) },
      { modality: 'vitals', id: null, reason: expect.stringMatching(/^no vital signs/) },
    ]);
    for (const d of response.body.diagnoses) {
      expect(d.explanation.image).toBeNull();
      expect(d.explanation.vitals).toEqual([]);
      expect(
        d.explanation.modalityShares.map((s: { deltaProbability: number | null }) => s.deltaProbability),
      ).toEqual([expect.any(Number), null, null]);
    }
  });

  it('leaves out a CT and a stale note with reasons, and answers 422 naming what is missing', async () => {
    const p = await createPatient(t, 'NotApplicable', ['Pat']);
    await t.http
      .post(`${API}/patients/${p.id}/images`)
      .set('Authorization', t.auth(Role.Integration))
      .attach('files', await ctSliceFixture('20240314'), 'ct.dcm')
      .expect(201);
    await t.http
      .post(`${API}/patients/${p.id}/notes`)
      .set('Authorization', t.auth(Role.Integration))
      .send({ text: 'Old clinic letter.', authoredAt: '2024-01-02T08:00:00Z' })
      .expect(201);
    const response = await t.http
      .post(`${API}/patients/${p.id}/assessments`)
      .set('Authorization', clinician())
      .send({ asOf: '2024-03-15T10:00:00Z' })
      .expect(422);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body.code).toBe('ASSESSMENT_NO_USABLE_DATA');
    expect(response.body.detail).toMatch(/text: stale/);
    expect(response.body.detail).toMatch(/image: modality CT/);
    expect(response.body.detail).toMatch(/vitals: no vital signs/);

    const empty = await createPatient(t, 'Empty', ['Pat']);
    const none = await t.http
      .post(`${API}/patients/${empty.id}/assessments`)
      .set('Authorization', clinician())
      .send({})
      .expect(422);
    expect(none.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      '/text',
      '/image',
      '/vitals',
    ]);
  });

  it('does not see records effective after asOf (the time contract)', async () => {
    const before = new Date(Date.parse(asOf) - 3_600_000).toISOString();
    const response = await t.http
      .post(`${API}/patients/${patient.patientId}/assessments`)
      .set('Authorization', clinician())
      .send({ asOf: before })
      .expect(201);
    expect(response.body.inputs.used.map((u: { modality: string }) => u.modality)).not.toContain('text');
    expect(response.body.inputs.leftOut[0]).toMatchObject({ modality: 'text', id: null });
  });

  it('activates another version with an audited switch; assessments then run on it', async () => {
    await t.http
      .post(`${API}/models/${models.modelId}/versions/${models.older}/activate`)
      .set('Authorization', clinician())
      .expect(403);
    const activation = await t.http
      .post(`${API}/models/${models.modelId}/versions/${models.older}/activate`)
      .set('Authorization', t.auth(Role.Admin))
      .expect(200);
    expect(activation.body).toMatchObject({
      modelId: models.modelId,
      version: models.older,
      previousVersion: models.newer,
      activatedBy: 'admin',
    });
    await t.http.get(`${API}/health/ready`).expect(200);
    const response = await t.http
      .post(`${API}/patients/${patient.patientId}/assessments`)
      .set('Authorization', clinician())
      .send({ asOf })
      .expect(201);
    expect(response.body.model.version).toBe(models.older);
    const audit = await t.http
      .get(`${API}/audit/events`)
      .query({ limit: 1000 })
      .set('Authorization', t.auth(Role.Auditor))
      .expect(200);
    const entries = (audit.body.items ?? audit.body) as {
      action: string;
      resourceIds: string[];
      actor: string;
    }[];
    expect(entries.filter((e) => e.action === 'model.activate')).toEqual([
      expect.objectContaining({ actor: 'admin', resourceIds: [`${models.modelId}@${models.older}`] }),
    ]);
    await t.http
      .post(`${API}/models/${models.modelId}/versions/9.9.9/activate`)
      .set('Authorization', t.auth(Role.Admin))
      .expect(404);
  });

  it('follows an activation written by another replica: the version is read from the database', async () => {
    const db = t.app.get(DataSource);
    await db.query(`UPDATE active_models SET version = $1, activated_by = 'replica-b' WHERE model_id = $2`, [
      models.newer,
      models.modelId,
    ]);
    const response = await t.http
      .post(`${API}/patients/${patient.patientId}/assessments`)
      .set('Authorization', clinician())
      .send({ asOf })
      .expect(201);
    expect(response.body.model.version).toBe(models.newer);
    const list = await t.http.get(`${API}/models`).set('Authorization', clinician()).expect(200);
    expect(list.body.models[0].activeVersion).toBe(models.newer);
  });
});

describe('without a model', () => {
  let t: TestApp;
  let empty: string;

  beforeAll(async () => {
    empty = mkdtempSync(path.join(tmpdir(), 'mosaic-no-models-'));
    t = await startTestApp('pglite', { MOSAIC_MODELS_DIR: empty });
  });
  afterAll(async () => {
    await t.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('is not ready, and answers assessments with 503 and Retry-After', async () => {
    await t.http.get(`${API}/health/ready`).expect(503);
    const p = await createPatient(t, 'Waiting', ['Pat']);
    const response = await t.http
      .post(`${API}/patients/${p.id}/assessments`)
      .set('Authorization', t.auth(Role.Clinician))
      .send({})
      .expect(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body.code).toBe('MODEL_NOT_READY');
  });
});
