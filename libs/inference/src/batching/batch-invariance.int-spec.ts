import type { ModelInputs } from '../inputs/model-inputs';
import { MODALITIES } from '../manifest/model-manifest';
import type { Modality } from '../manifest/model-manifest';
import type { LoadedModel } from '../model/load-model';
import { loadModel } from '../model/load-model';
import type { EncodedBatch, FusionMasks } from '../run/model-runner';
import { encodeBatch, fuseBatch, withoutModalities } from '../run/model-runner';
import { committedModelDirs } from '../testing/committed-models';
import { randomModelInputs } from './random-inputs';

/**
 * Batch invariance of the committed model's graphs on onnxruntime-node (ARCHITECTURE.md §Replay):
 * a row's outputs — encoder tokens, fusion logits and label attention, and the logits of every
 * occlusion re-run — computed inside a batch of N must equal, bit for bit, those of the same row
 * run alone (batch 1, the replay path). Only then may recorded assessments come from a shared
 * (micro-batched) run. Inputs are random and distinct per row, some rows miss a modality, and the
 * fusion batches mix full and occluded rows of different patients, as the serving batcher does.
 */

const BATCH_SIZES = [2, 3, 5, 8, 16];
const ROWS = Math.max(...BATCH_SIZES);

function bytes(array: Float32Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** Index of the first differing float32 (bit pattern), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const x = bytes(a);
  const y = bytes(b);
  for (let i = 0; i < a.length; i++) if (x.readUInt32LE(i * 4) !== y.readUInt32LE(i * 4)) return i;
  return -1;
}

interface RowOutputs {
  tokens: Record<Modality, Float32Array>;
  logits: Float32Array;
  labelAttention: Float32Array;
  occludedLogits: Record<Modality, Float32Array>;
}

function rowSlice(data: Float32Array, row: number, perRow: number): Float32Array {
  return data.slice(row * perRow, (row + 1) * perRow);
}

function perRow(model: LoadedModel, m: Modality): number {
  return (model.positions[m].end - model.positions[m].start) * model.tokenDim;
}

/** A fusion batch of the given (source row, occluded modality or null) pairs. */
function fusionRows(
  model: LoadedModel,
  encoded: EncodedBatch,
  picks: readonly { row: number; without: Modality | null }[],
): { batch: EncodedBatch; masks: FusionMasks } {
  const tokens = {} as Record<Modality, Float32Array>;
  const masks = {} as FusionMasks;
  for (const m of MODALITIES) {
    const len = model.positions[m].end - model.positions[m].start;
    tokens[m] = new Float32Array(picks.length * len * model.tokenDim);
    masks[m] = new Float32Array(picks.length * len);
    picks.forEach(({ row, without }, i) => {
      tokens[m].set(rowSlice(encoded.tokens[m], row, len * model.tokenDim), i * len * model.tokenDim);
      if (without !== m) masks[m].set(rowSlice(encoded.masks[m], row, len), i * len);
    });
  }
  return { batch: { rows: picks.length, tokens, masks }, masks };
}

describe('batch invariance of the committed model on onnxruntime-node', () => {
  const dirs = committedModelDirs();

  it('finds a committed model', () => {
    expect(dirs.length).toBeGreaterThan(0);
  });

  describe.each(dirs)('%s', (dir) => {
    let model: LoadedModel;
    let inputs: ModelInputs[];
    const alone: RowOutputs[] = [];

    beforeAll(async () => {
      model = await loadModel(dir);
      inputs = randomModelInputs(model, ROWS, 20261130);
      // The replay path: every row alone, batch size 1, one fusion run per occlusion.
      for (const row of inputs) {
        const encoded = await encodeBatch(model, [row], { batchSize: 1 });
        const full = await fuseBatch(model, encoded, { batchSize: 1 });
        const occludedLogits = {} as Record<Modality, Float32Array>;
        for (const m of MODALITIES) {
          occludedLogits[m] = (
            await fuseBatch(model, encoded, { batchSize: 1, masks: withoutModalities(encoded.masks, [m]) })
          ).logits;
        }
        alone.push({
          tokens: encoded.tokens,
          logits: full.logits,
          labelAttention: full.labelAttention,
          occludedLogits,
        });
      }
    }, 120_000);

    afterAll(async () => {
      await model?.release();
    });

    it('the random rows are distinct and give distinct outputs', () => {
      const seen = new Set(alone.map((row) => bytes(row.logits).toString('base64')));
      expect(seen.size).toBe(ROWS);
    });

    it.each(BATCH_SIZES)(
      'encoder tokens of each row in a batch of %i equal batch 1 bit for bit',
      async (n) => {
        const encoded = await encodeBatch(model, inputs.slice(0, n), { batchSize: n });
        const differences: string[] = [];
        for (let r = 0; r < n; r++) {
          for (const m of MODALITIES) {
            const at = firstDifference(rowSlice(encoded.tokens[m], r, perRow(model, m)), alone[r].tokens[m]);
            if (at >= 0) differences.push(`row ${r} ${m} tokens at ${at}`);
          }
        }
        expect(differences).toEqual([]);
      },
    );

    it.each(BATCH_SIZES)(
      'fusion logits, label attention and occluded logits of each row in a batch of %i equal batch 1',
      async (n) => {
        const encoded = await encodeBatch(model, inputs.slice(0, n), { batchSize: n });
        const differences: string[] = [];
        const k = model.labels.length;
        const p = model.totalPositions;
        // The whole batch at once, full masks, then each occlusion for every row.
        const full = await fuseBatch(model, encoded, { batchSize: n });
        for (let r = 0; r < n; r++) {
          if (firstDifference(rowSlice(full.logits, r, k), alone[r].logits) >= 0)
            differences.push(`row ${r} logits`);
          if (firstDifference(rowSlice(full.labelAttention, r, k * p), alone[r].labelAttention) >= 0) {
            differences.push(`row ${r} label attention`);
          }
        }
        for (const m of MODALITIES) {
          const occluded = await fuseBatch(model, encoded, {
            batchSize: n,
            masks: withoutModalities(encoded.masks, [m]),
          });
          for (let r = 0; r < n; r++) {
            if (firstDifference(rowSlice(occluded.logits, r, k), alone[r].occludedLogits[m]) >= 0) {
              differences.push(`row ${r} without ${m} logits`);
            }
          }
        }
        // Mixed: full and occluded rows of different patients in one fusion batch, as served.
        const picks = Array.from({ length: n }, (_, i) => ({
          row: (i * 7) % n,
          without: i % 4 === 0 ? null : MODALITIES[i % 3],
        }));
        const mixed = fusionRows(model, encoded, picks);
        const out = await fuseBatch(model, mixed.batch, { batchSize: n, masks: mixed.masks });
        picks.forEach(({ row, without }, i) => {
          const expected = without ? alone[row].occludedLogits[without] : alone[row].logits;
          if (firstDifference(rowSlice(out.logits, i, k), expected) >= 0) {
            differences.push(`mixed row ${i} (patient ${row} without ${without ?? 'nothing'}) logits`);
          }
        });
        expect(differences).toEqual([]);
      },
    );
  });
});
