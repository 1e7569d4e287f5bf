import { modelInputGeometry } from '@mosaic/dicom';
import type { ModelInputs } from '../inputs/model-inputs';
import { VITALS_FEATURES } from '../inputs/model-inputs';
import { MODALITIES } from '../manifest/model-manifest';
import type { Modality } from '../manifest/model-manifest';
import type { LoadedModel } from '../model/load-model';
import { loadModel } from '../model/load-model';
import type { EncodedBatch, FusionMasks } from '../run/model-runner';
import { encodeBatch, fuseBatch, withoutModalities } from '../run/model-runner';
import { committedModelDirs } from '../testing/committed-models';

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

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInputs(model: LoadedModel, rows: number, seed: number): ModelInputs[] {
  const rand = random(seed);
  const { maxTokens, imageSize, hours, vocab } = model.preprocessing;
  const out: ModelInputs[] = [];
  for (let r = 0; r < rows; r++) {
    // Every third row misses one modality (masked), so batches mix present and absent rows.
    const missing: Modality | null = r % 3 === 2 ? MODALITIES[r % MODALITIES.length] : null;
    const length = 2 + Math.floor(rand() * (maxTokens - 2));
    const ids = new Int32Array(maxTokens);
    const mask = new Uint8Array(maxTokens);
    for (let i = 0; i < length; i++) {
      ids[i] = 1 + Math.floor(rand() * (vocab.tokens.length - 1));
      mask[i] = 1;
    }
    const tensor = new Float32Array(imageSize * imageSize);
    for (let i = 0; i < tensor.length; i++) tensor[i] = rand() * 2 - 1;
    const values = new Float32Array(hours * VITALS_FEATURES);
    const half = VITALS_FEATURES / 2;
    for (let h = 0; h < hours; h++) {
      for (let c = 0; c < half; c++) {
        const observed = rand() < 0.6;
        values[h * VITALS_FEATURES + c] = observed ? rand() * 6 - 3 : 0;
        values[h * VITALS_FEATURES + half + c] = observed ? 1 : 0;
      }
    }
    out.push({
      text: missing === 'text' ? null : { noteId: `n${r}`, ids, mask, tokens: [], truncated: false },
      image:
        missing === 'image'
          ? null
          : {
              instanceId: `i${r}`,
              frame: 0,
              tensor,
              geometry: modelInputGeometry(imageSize, imageSize, imageSize),
            },
      vitals:
        missing === 'vitals'
          ? null
          : {
              values,
              start: new Date(0).toISOString(),
              end: new Date(hours * 3_600_000).toISOString(),
              hours,
            },
    });
  }
  return out;
}

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
      inputs = randomInputs(model, ROWS, 20261130);
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
