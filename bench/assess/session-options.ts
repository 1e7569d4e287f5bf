/**
 * Session option comparison for bench:assess: per configuration, the raw session.run time of one
 * assessment (3 encoders + 4 fusion runs at batch 1) and of a batch of 8, median of N, all
 * configurations interleaved in the same run so machine noise hits them alike.
 */
import { performance } from 'node:perf_hooks';
import type { LoadedModel, ModelInputs, ModelSessionOptions } from '@mosaic/inference';
import {
  encodeBatch,
  fuseBatch,
  loadModel,
  MODALITIES,
  randomModelInputs,
  warmUp,
  withoutModalities,
} from '@mosaic/inference';
import { median } from '../support/stats';

export interface SessionVariant {
  name: string;
  options: ModelSessionOptions;
}

export const SESSION_VARIANTS: SessionVariant[] = [
  { name: 'all (default)', options: {} },
  { name: 'extended', options: { graphOptimizationLevel: 'extended' } },
  { name: 'basic', options: { graphOptimizationLevel: 'basic' } },
  { name: 'disabled', options: { graphOptimizationLevel: 'disabled' } },
  { name: 'all, no mem pattern', options: { enableMemPattern: false } },
  { name: 'all, no CPU arena', options: { enableCpuMemArena: false } },
  { name: 'all, parallel execution', options: { executionMode: 'parallel' } },
];

/** Raw session.run time of one assessment's graphs for `rows` patients in one batch (full + 3 occlusions). */
export async function rawRunMs(model: LoadedModel, inputs: readonly ModelInputs[]): Promise<number> {
  const t0 = performance.now();
  const encoded = await encodeBatch(model, inputs, { batchSize: inputs.length });
  await fuseBatch(model, encoded, { batchSize: inputs.length });
  for (const m of MODALITIES) {
    await fuseBatch(model, encoded, {
      batchSize: inputs.length,
      masks: withoutModalities(encoded.masks, [m]),
    });
  }
  return performance.now() - t0;
}

export async function compareSessionOptions(
  dir: string,
  reps: number,
): Promise<{ name: string; batch1Ms: number; batch8PerRowMs: number }[]> {
  const models: LoadedModel[] = [];
  for (const variant of SESSION_VARIANTS) {
    const model = await loadModel(dir, { session: variant.options });
    await warmUp(model);
    models.push(model);
  }
  const inputs = randomModelInputs(models[0], 8, 11).map((row) => ({
    ...row,
    text: row.text ?? randomModelInputs(models[0], 1, 12)[0].text,
  }));
  const one: number[][] = models.map(() => []);
  const eight: number[][] = models.map(() => []);
  for (let rep = 0; rep < reps; rep++) {
    for (let v = 0; v < models.length; v++) {
      one[v].push(await rawRunMs(models[v], [inputs[rep % 8]]));
      eight[v].push((await rawRunMs(models[v], inputs)) / 8);
    }
  }
  for (const model of models) await model.release();
  return SESSION_VARIANTS.map((variant, v) => ({
    name: variant.name,
    batch1Ms: median(one[v]),
    batch8PerRowMs: median(eight[v]),
  }));
}

if (require.main === module) {
  void (async () => {
    const { committedModelDirs } = await import('@mosaic/inference');
    const rows = await compareSessionOptions(committedModelDirs()[0], Number(process.argv[2] ?? 30));
    for (const row of rows)
      console.log(
        `${row.name.padEnd(28)} ${row.batch1Ms.toFixed(2)} ms  ${row.batch8PerRowMs.toFixed(2)} ms/row`,
      );
  })();
}
