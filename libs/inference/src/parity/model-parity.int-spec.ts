import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InferenceErrorCode } from '../inference.errors';
import type { LoadedModel } from '../model/load-model';
import { loadAblations, loadModel } from '../model/load-model';
import { committedModelDirs, REPO_ROOT } from '../testing/committed-models';
import { checkModelParity } from './model-parity';

/**
 * Parity of the committed model(s): onnxruntime-node, through the serving runner, must reproduce
 * the PyTorch outputs recorded at export time (parity/golden.json, 100 held-out samples) within the
 * manifest's tolerance (1e-4), for the served model and each ablation. The golden file names the
 * sha256 of the ONNX files it was recorded for, so a re-exported graph without a new golden file
 * fails. No committed model is a failure, not a skip: the repository must ship one.
 * MOSAIC_TEST_MODELS (paths separated by ":") checks other folders instead, for development.
 */

describe('ONNX parity of the committed models (models/*/*/manifest.json)', () => {
  const models = committedModelDirs();

  it('finds at least one committed model', () => {
    expect(models.map((dir) => path.relative(REPO_ROOT, dir))).not.toEqual([]);
  });

  it.each(models.length > 0 ? models : ['(none committed)'])(
    'onnxruntime-node matches the PyTorch golden outputs within tolerance: %s',
    async (dir) => {
      const model = await loadModel(dir);
      const loaded: LoadedModel[] = [model];
      try {
        for (const ablation of (await loadAblations(model)).values()) loaded.push(ablation);
        for (const each of loaded) {
          const report = await checkModelParity(each);
          expect({ model: each.manifest.variant, failures: report.failures }).toEqual({
            model: each.manifest.variant,
            failures: [],
          });
          expect(report.tolerance).toBeLessThanOrEqual(1e-4);
          expect(Object.keys(report.maxAbsDiff)).toEqual(
            expect.arrayContaining(['logits', 'label_attention']),
          );
          // The parity bar (100 held-out samples) is for the served model; each ablation's
          // golden file holds 16 rows (docs/training.md), checked to the same tolerance.
          if (!each.manifest.smokeTest) {
            expect(report.samples).toBeGreaterThanOrEqual(each === model ? 100 : 16);
          }
        }
      } finally {
        for (const each of loaded) await each.release();
      }
    },
  );

  it('refuses to load a copy of the model whose vocabulary was altered after packaging', async () => {
    expect(models.length).toBeGreaterThan(0);
    const copy = await mkdtemp(path.join(tmpdir(), 'mosaic-tampered-model-'));
    try {
      await cp(models[0], copy, { recursive: true });
      await appendFile(path.join(copy, 'vocab.txt'), 'extra\n');
      await expect(loadModel(copy)).rejects.toMatchObject({ code: InferenceErrorCode.FileIntegrity });
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
