import type { LoadedModel, ModelInputs } from '@mosaic/inference';
import {
  BatchedRunner,
  committedModelDirs,
  EmbeddingCache,
  loadModel,
  randomModelInputs,
} from '@mosaic/inference';
import type { AssessmentRun } from './run-assessment';
import { runAssessment } from './run-assessment';

/**
 * The serving runner (micro-batching and the embedding cache) against the replay path (the direct
 * runner: batch 1, no cache), on the committed model with real onnxruntime sessions: concurrent
 * assessments that shared runs, and assessments whose encoder outputs came from the cache, record
 * exactly what a replay computes. Encoder runs are counted by the runner itself.
 */

function recorded(run: AssessmentRun): unknown {
  return { digests: run.digests, outputs: run.outputs, diagnoses: run.diagnoses };
}

describe('serving runner (micro-batching, embedding cache) on the committed model', () => {
  const [dir] = committedModelDirs();
  let model: LoadedModel;
  let inputs: ModelInputs[];
  let replays: AssessmentRun[];

  beforeAll(async () => {
    model = await loadModel(dir);
    inputs = randomModelInputs(model, 12, 7);
    replays = [];
    for (const row of inputs) replays.push(await runAssessment(model, row));
  }, 120_000);

  afterAll(async () => {
    await model?.release();
  });

  it('concurrent assessments share encoder and fusion runs and record the replay bits', async () => {
    const runner = new BatchedRunner({ maxSize: 8, maxWaitMs: 20, cache: null });
    const runs = await Promise.all(inputs.map((row) => runAssessment(model, row, { runner })));
    expect(runs.map(recorded)).toEqual(replays.map(recorded));
    // 12 requests in batches of at most 8 requests; a request's fusion rows are its full run and
    // its 3 occlusion re-runs. How the requests fall into batches depends on timing.
    const fusionBatches = runner.batchers(model).fusion.batchSizes;
    expect(fusionBatches.reduce((a, b) => a + b, 0)).toBe(12);
    expect(Math.max(...fusionBatches)).toBeLessThanOrEqual(8);
    expect(fusionBatches.length).toBeLessThan(12);
    expect(runner.runs.fusion).toEqual({ runs: fusionBatches.length, rows: 48 });
    expect(runner.runs.image.rows).toBe(inputs.filter((row) => row.image).length);
    expect(runner.runs.image.runs).toBeLessThan(runner.runs.image.rows);
  });

  it('with batching off every request runs its graphs alone, with the same bits', async () => {
    const runner = new BatchedRunner({ maxSize: 1, maxWaitMs: 20, cache: null });
    const runs = await Promise.all(inputs.slice(0, 4).map((row) => runAssessment(model, row, { runner })));
    expect(runs.map(recorded)).toEqual(replays.slice(0, 4).map(recorded));
    expect(runner.runs.fusion).toEqual({ runs: 16, rows: 16 });
  });

  it('a re-assessment after new vitals re-runs only the vitals encoder and the fusion', async () => {
    const runner = new BatchedRunner({ maxSize: 8, maxWaitMs: 2, cache: new EmbeddingCache(64 << 20) });
    const patient = inputs.find((row) => row.text && row.image && row.vitals) as ModelInputs;
    const first = await runAssessment(model, patient, { runner });
    expect(first.cached).toEqual({ text: false, image: false, vitals: false });
    const before = structuredClone(runner.runs);

    const vitals = patient.vitals as NonNullable<ModelInputs['vitals']>;
    const values = new Float32Array(vitals.values);
    values[0] += 0.5; // a new observation changes the hourly grid
    values[6] = 1;
    const updated: ModelInputs = { ...patient, vitals: { ...vitals, values } };
    const second = await runAssessment(model, updated, { runner });
    expect(second.cached).toEqual({ text: true, image: true, vitals: false });
    expect(runner.runs.text).toEqual(before.text);
    expect(runner.runs.image).toEqual(before.image);
    expect(runner.runs.vitals.rows).toBe(before.vitals.rows + 1);
    expect(runner.runs.fusion.rows).toBe(before.fusion.rows + 4);
    // What the cache served is what a replay (no cache, batch 1) computes for the new inputs.
    expect(recorded(second)).toEqual(recorded(await runAssessment(model, updated)));
    expect(second.outputs.logits).not.toEqual(first.outputs.logits);

    const third = await runAssessment(model, updated, { runner });
    expect(third.cached).toEqual({ text: true, image: true, vitals: true });
    expect(runner.runs.vitals.rows).toBe(before.vitals.rows + 1);
    expect(runner.cache?.stats()).toMatchObject({ hits: 5, misses: 4 });
  });

  it('a missing modality is neither run nor cached', async () => {
    const runner = new BatchedRunner({ maxSize: 8, maxWaitMs: 2, cache: new EmbeddingCache(64 << 20) });
    const patient = inputs.find((row) => !row.image) as ModelInputs;
    const run = await runAssessment(model, patient, { runner });
    expect(run.cached.image).toBeNull();
    expect(runner.runs.image.runs).toBe(0);
  });
});
