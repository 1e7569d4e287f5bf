import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateCohort } from '@mosaic/cohort';
import { closeCodecWorker } from '@mosaic/dicom';
import { committedModelDirs, encodeBatch, loadModel, prepareModelInputs } from '@mosaic/inference';
import { explainLabel, runWithOcclusion } from '../explanation/explain-label';
import { VARIANTS } from './evaluation-report';
import { readHeldOutCohort, readPatientInputs } from './held-out-cohort';
import { evaluateModel } from './evaluate-model';
import { writeEvaluationToModelFolder } from './model-folder';

/**
 * `mosaic model evaluate` end to end on the committed model (models/*\/*\/manifest.json) and a
 * small freshly generated cohort: every variant is reported under its stable name, each figure is
 * recomputable from the per-patient predictions, and writing the evaluation into (a copy of) the
 * model folder leaves a manifest that still validates and hashes. No committed model is a failure.
 */
describe('evaluateModel on the committed model', () => {
  let work: string;

  const models = committedModelDirs();
  let cohortDir: string;
  let modelDir: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'mosaic-evaluate-'));
    cohortDir = path.join(work, 'cohort');
    modelDir = path.join(work, 'model');
    await generateCohort({ patients: 24, seed: 777_001, out: cohortDir });
    if (models.length > 0) await cp(models[0], modelDir, { recursive: true });
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('reports every variant, the goals and per-patient predictions, and updates the model folder', async () => {
    expect(models).not.toEqual([]);

    const report = await evaluateModel({ modelDir, cohortDir, batchSize: 8 });
    expect(Object.keys(report.variants)).toEqual([...VARIANTS]);
    expect(report.predictions).toHaveLength(24);
    expect(report.goals.map((g) => g.met)).toHaveLength(8);
    expect(report.calibration.bins).toBe(15);
    // A late-fusion probability is the mean of the unimodal probabilities the patient has.
    const first = report.predictions[0];
    const unimodal = (['text', 'image', 'vitals'] as const)
      .filter((m) => first.modalities[m])
      .map((m) => first.probabilities[`${m}_only`][0]);
    expect(first.probabilities.late_fusion[0]).toBeCloseTo(
      unimodal.reduce((a, b) => a + b, 0) / unimodal.length,
      5,
    );
    // A patient without an image scores the same with and without the image mask.
    const noImage = report.predictions.find((p) => !p.modalities.image);
    if (noImage) expect(noImage.probabilities.fusion_without_image).toEqual(noImage.probabilities.fusion);

    await writeEvaluationToModelFolder(report, modelDir);
    const card = await readFile(path.join(modelDir, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain('### Goals');
    const reloaded = await loadModel(modelDir);
    try {
      expect(reloaded.manifest.evaluation).toMatchObject({ file: 'evaluation.json' });
      expect(reloaded.manifest.files.map((f) => f.path)).toEqual(
        expect.arrayContaining(['evaluation.json', 'evaluation.md']),
      );
    } finally {
      await reloaded.release();
    }
  });

  it('explains a label in the payload shapes of ARCHITECTURE.md §Explanation payload', async () => {
    expect(models).not.toEqual([]);
    const cohort = await readHeldOutCohort(cohortDir);
    const model = await loadModel(modelDir);
    try {
      const raws = await Promise.all(cohort.records.map((record) => readPatientInputs(cohortDir, record)));
      const inputs = [];
      for (const raw of raws) inputs.push(await prepareModelInputs(raw, model.preprocessing));
      await closeCodecWorker();
      const runs = await runWithOcclusion(model, await encodeBatch(model, inputs));
      for (const [row, input] of inputs.entries()) {
        const explanation = explainLabel(model, input, row, 0, runs);
        const shares = explanation.modalityShares;
        expect(shares.map((s) => s.modality)).toEqual(['text', 'image', 'vitals']);
        expect(shares.reduce((a, s) => a + s.attention, 0)).toBeCloseTo(1, 4);
        for (const share of shares) {
          if (!input[share.modality]) {
            expect(share).toMatchObject({ attention: 0, deltaProbability: null });
          }
        }
        const note = raws[row].note?.text ?? '';
        for (const span of explanation.text) {
          expect(span.noteId).toBe(raws[row].note?.id);
          expect(0 <= span.start && span.start < span.end && span.end <= note.length).toBe(true);
          // A span is a whole word: it neither starts nor ends inside a run of letters.
          expect(/\w/.test(note[span.start - 1] ?? ' ') && /\w/.test(note[span.start])).toBe(false);
        }
        if (input.image) {
          expect(explanation.image).toMatchObject({
            instanceId: input.image.instanceId,
            frame: 0,
            grid: { rows: 8, cols: 8 },
          });
          expect(explanation.image?.weights).toHaveLength(64);
          const rects = explanation.image?.toPixel.filter((rect) => rect !== null) ?? [];
          for (const rect of rects) {
            expect(rect.row + rect.height).toBeLessThanOrEqual(input.image.geometry.sourceRows + 1e-9);
            expect(rect.column + rect.width).toBeLessThanOrEqual(input.image.geometry.sourceColumns + 1e-9);
          }
        } else {
          expect(explanation.image).toBeNull();
        }
        for (const window of explanation.vitals) {
          expect(window.start < window.end).toBe(true);
          expect(input.vitals && window.start >= input.vitals.start && window.end <= input.vitals.end).toBe(
            true,
          );
          expect(window.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/);
        }
      }
    } finally {
      await model.release();
    }
  });
});
