import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateCohort } from '@mosaic/cohort';
import { committedModelDirs, loadModel } from '@mosaic/inference';
import { VARIANTS } from './evaluation-report';
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

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'mosaic-evaluate-'));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('reports every variant, the goals and per-patient predictions, and updates the model folder', async () => {
    const models = committedModelDirs();
    expect(models).not.toEqual([]);
    const cohortDir = path.join(work, 'cohort');
    await generateCohort({ patients: 24, seed: 777_001, out: cohortDir });
    const modelDir = path.join(work, 'model');
    await cp(models[0], modelDir, { recursive: true });

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
});
