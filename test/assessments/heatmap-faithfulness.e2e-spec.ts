/**
 * @jest-environment ../libs/inference/jest.environment.js
 */
// onnxruntime-node checks typed arrays against its own realm (see that environment file).
import { rmSync } from 'node:fs';
import { Role } from '@mosaic/domain';
import { decodeMaskPng, unionMasks } from '@mosaic/dicom';
import { pointingGame } from '@mosaic/fusion';
import { API } from '../ingest/support/ingest-fixtures';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';
import {
  generateCohortOnDisk,
  ingestCohortPatient,
  modelsDirWithTwoVersions,
  waitUntilReady,
} from './support/assessment-fixtures';

/** A seed neither the training cohort (1) nor the held-out evaluation cohort (2) used. */
const SEED = 919;
const PATIENTS = 50;
const GOAL = 0.8;

/**
 * Do explanations point at the finding? For 50 positive patients of a freshly generated cohort,
 * ingested through the API and assessed there, whether the most attended image region
 * (`topRegions[0]`, original pixels via toPixel) touches the finding's ground-truth mask. The hit
 * rate must reach 80 %; the chance level (the share of image cells that would hit) is printed beside
 * it. It judges the committed model through the whole serving path. One engine: the figure depends
 * on the model, not on the database.
 */
describe('heatmap faithfulness through the API', () => {
  let t: TestApp;
  let models: ReturnType<typeof modelsDirWithTwoVersions>;
  let cohort: Awaited<ReturnType<typeof generateCohortOnDisk>>;

  beforeAll(async () => {
    models = modelsDirWithTwoVersions();
    t = await startTestApp('pglite', { MOSAIC_MODELS_DIR: models.modelsDir });
    await waitUntilReady(t);
    // About a third of the patients have all modalities and an image finding of a present label.
    cohort = await generateCohortOnDisk(SEED, 220);
  }, 300_000);
  afterAll(async () => {
    await t.close();
    rmSync(models.modelsDir, { recursive: true, force: true });
    rmSync(cohort.dir, { recursive: true, force: true });
  });

  it(`puts the top image region inside the finding for at least ${GOAL * 100} % of ${PATIENTS} positive patients`, async () => {
    const cases: { label: string; hit: boolean; chance: number }[] = [];
    const timing = { ingest: 0, assess: 0 };
    for (const generated of cohort.patients) {
      if (cases.length === PATIENTS) break;
      const { record } = generated;
      if (!record.note || !record.image || !record.vitals) continue;
      const finding = record.image.findings.find(
        (f) => f.evidence && f.label && record.labels.includes(f.label),
      );
      if (!finding?.label) continue;
      const label = finding.label;
      const masks = record.image.findings
        .filter((f) => f.evidence && f.label === label)
        .map((f) =>
          decodeMaskPng(generated.files.find((file) => file.path === f.mask)?.bytes ?? new Uint8Array()),
        );
      const mask = unionMasks(masks);
      if (!mask) continue;
      const t0 = Date.now();
      const patient = await ingestCohortPatient(t, generated);
      const t1 = Date.now();
      const response = await t.http
        .post(`${API}/patients/${patient.patientId}/assessments`)
        .set('Authorization', t.auth(Role.Clinician))
        .send({ asOf: record.note.effectiveAt });
      expect(response.status).toBe(201);
      timing.ingest += t1 - t0;
      timing.assess += Date.now() - t1;
      const diagnosis = response.body.diagnoses.find((d: { label: string }) => d.label === label);
      const image = diagnosis.explanation.image;
      // The top region is the most attended cell that shows image pixels (never padding).
      const showing = image.weights.filter((_: number, cell: number) => image.toPixel[cell] !== null);
      expect(image.weights[image.topRegions[0].cell]).toBe(Math.max(...showing));
      const result = pointingGame(image.toPixel, image.topRegions[0].cell, mask);
      cases.push({ label, hit: result.hit, chance: result.chance });
    }
    const hitRate = cases.filter((c) => c.hit).length / cases.length;
    const chance = cases.reduce((sum, c) => sum + c.chance, 0) / cases.length;
    process.stderr.write(
      `heatmap pointing game: ${cases.length} positive patients, hit rate ${hitRate.toFixed(3)}, chance ${chance.toFixed(3)}, goal ${GOAL}: ${hitRate >= GOAL ? 'met' : 'NOT met'} (ingest ${timing.ingest} ms, assess ${timing.assess} ms)\n`,
    );
    expect(cases).toHaveLength(PATIENTS);
    expect(hitRate).toBeGreaterThanOrEqual(GOAL);
    // A hit rate far above chance: the masks are small against the image (chance about 0.1).
    expect(chance).toBeLessThan(0.3);
  }, 900_000);
});
