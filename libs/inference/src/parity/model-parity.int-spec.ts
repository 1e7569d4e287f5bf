import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { LoadedModel } from '../model/load-model';
import { loadAblations, loadModel } from '../model/load-model';
import { checkModelParity } from './model-parity';

/**
 * Parity of the committed model(s): onnxruntime-node, through the serving runner, must reproduce
 * the PyTorch outputs recorded at export time (parity/golden.json, 100 held-out samples) within the
 * manifest's tolerance (1e-4), for the served model and each ablation. The golden file names the
 * sha256 of the ONNX files it was recorded for, so a re-exported graph without a new golden file
 * fails. No committed model is a failure, not a skip: the repository must ship one.
 * MOSAIC_PARITY_MODELS (paths separated by ":") checks other folders instead, for development.
 */

const REPO = path.resolve(__dirname, '../../../..');

function committedModels(): string[] {
  const override = process.env.MOSAIC_PARITY_MODELS;
  if (override) return override.split(':').filter((dir) => dir.length > 0);
  const root = path.join(REPO, 'models');
  const dirs: string[] = [];
  for (const id of readdirSync(root, { withFileTypes: true })) {
    if (!id.isDirectory()) continue;
    for (const version of readdirSync(path.join(root, id.name), { withFileTypes: true })) {
      const dir = path.join(root, id.name, version.name);
      if (version.isDirectory() && existsSync(path.join(dir, 'manifest.json'))) dirs.push(dir);
    }
  }
  return dirs.sort();
}

describe('ONNX parity of the committed models (models/*/*/manifest.json)', () => {
  const models = committedModels();

  it('finds at least one committed model', () => {
    expect(models.map((dir) => path.relative(REPO, dir))).not.toEqual([]);
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
          if (!each.manifest.smokeTest) expect(report.samples).toBeGreaterThanOrEqual(100);
        }
      } finally {
        for (const each of loaded) await each.release();
      }
    },
  );
});
