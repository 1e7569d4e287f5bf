import { readFileSync } from 'node:fs';
import { InferenceError, InferenceErrorCode } from '../inference.errors';
import type { ModelInputs } from '../inputs/model-inputs';
import { MODALITIES, modelFilePath, sha256Hex } from '../manifest/model-manifest';
import type { LoadedModel } from '../model/load-model';
import { encodeBatch, fuseBatch, selectRows } from '../run/model-runner';
import type { GoldenTensor } from './golden-file';
import { readGoldenFile } from './golden-file';

/**
 * ONNX Runtime (node) against PyTorch: runs the golden inputs through the serving runner
 * (encodeBatch + fuseBatch, the code evaluation and assessments use) and compares every recorded
 * output. Encoder tokens are compared where the modality is present and used: the runner feeds a
 * missing modality as masked zeros instead of encoding an empty input.
 */

export interface ParityReport {
  ok: boolean;
  tolerance: number;
  samples: number;
  /** Largest absolute difference per compared output. */
  maxAbsDiff: Record<string, number>;
  failures: string[];
}

function tensor(tensors: Map<string, GoldenTensor>, name: string): GoldenTensor {
  const t = tensors.get(name);
  if (!t) throw new InferenceError(InferenceErrorCode.ParityGolden, `golden file lacks ${name}`);
  return t;
}

function floats(t: GoldenTensor): Float32Array {
  if (!(t.data instanceof Float32Array))
    throw new InferenceError(InferenceErrorCode.ParityGolden, 'expected floats');
  return t.data;
}

function maxAbsDiff(
  actual: Float32Array,
  expected: Float32Array,
  rowFilter?: (row: number) => boolean,
  perRow = 1,
): number {
  let max = 0;
  for (let i = 0; i < expected.length; i++) {
    if (rowFilter && !rowFilter(Math.floor(i / perRow))) continue;
    const d = Math.abs(actual[i] - expected[i]);
    // NaN must fail, so compare with a negated test.
    if (!(d <= max)) max = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return max;
}

export async function checkModelParity(
  model: LoadedModel,
  options: { tolerance?: number; batchSize?: number } = {},
): Promise<ParityReport> {
  const { meta, tensors } = readGoldenFile(modelFilePath(model.dir, model.manifest.parity.golden));
  const tolerance = options.tolerance ?? model.manifest.parity.tolerance ?? meta.tolerance;
  const failures: string[] = [];
  for (const [file, hash] of Object.entries(meta.onnx)) {
    let actual = '';
    try {
      actual = sha256Hex(readFileSync(modelFilePath(model.dir, file)));
    } catch {
      actual = 'missing';
    }
    if (actual !== hash) failures.push(`${file}: sha256 differs from the golden file's`);
  }
  if (failures.length > 0) return { ok: false, tolerance, samples: meta.samples, maxAbsDiff: {}, failures };

  const { maxTokens, imageSize, hours } = model.preprocessing;
  const ids = tensor(tensors, 'input_ids').data as BigInt64Array;
  const attention = tensor(tensors, 'attention_mask').data as BigInt64Array;
  const pixels = floats(tensor(tensors, 'pixels'));
  const vitals = floats(tensor(tensors, 'vitals'));
  const imageMask = floats(tensor(tensors, 'image_mask'));
  const vitalsMask = floats(tensor(tensors, 'vitals_mask'));
  const imagePositions = model.positions.image.end - model.positions.image.start;
  const n = tensor(tensors, 'logits').shape[0];
  const plane = imageSize * imageSize;
  const vitalsPlane = hours * 12;

  const inputs: ModelInputs[] = [];
  const present = { text: [] as boolean[], image: [] as boolean[], vitals: [] as boolean[] };
  for (let r = 0; r < n; r++) {
    const rowIds = new Int32Array(maxTokens);
    const rowMask = new Uint8Array(maxTokens);
    for (let i = 0; i < maxTokens; i++) {
      rowIds[i] = Number(ids[r * maxTokens + i]);
      rowMask[i] = Number(attention[r * maxTokens + i]);
    }
    const hasText = rowMask.some((v) => v === 1);
    const hasImage = imageMask[r * imagePositions] === 1;
    const hasVitals = vitalsMask[r * hours] === 1;
    present.text.push(hasText);
    present.image.push(hasImage);
    present.vitals.push(hasVitals);
    inputs.push({
      text: hasText
        ? { noteId: `golden-${r}`, ids: rowIds, mask: rowMask, tokens: [], truncated: false }
        : null,
      image: hasImage
        ? {
            instanceId: `golden-${r}`,
            frame: 0,
            tensor: pixels.slice(r * plane, (r + 1) * plane),
            geometry: {
              size: imageSize,
              sourceRows: imageSize,
              sourceColumns: imageSize,
              scale: 1,
              resizedRows: imageSize,
              resizedColumns: imageSize,
              padTop: 0,
              padLeft: 0,
            },
          }
        : null,
      vitals: hasVitals
        ? { values: vitals.slice(r * vitalsPlane, (r + 1) * vitalsPlane), start: '', end: '', hours }
        : null,
    });
  }

  const encoded = await encodeBatch(model, inputs, { batchSize: options.batchSize });
  const fused = await fuseBatch(model, encoded, { batchSize: options.batchSize });
  const diffs: Record<string, number> = {};
  const compare = (
    name: string,
    actual: Float32Array,
    rowFilter?: (row: number) => boolean,
    rowLength?: number,
  ): void => {
    const expected = tensor(tensors, name);
    const perRow = rowLength ?? expected.data.length / expected.shape[0];
    if (actual.length < expected.data.length) {
      failures.push(`${name}: runner produced ${actual.length} values, golden has ${expected.data.length}`);
      return;
    }
    diffs[name] = maxAbsDiff(actual.subarray(0, expected.data.length), floats(expected), rowFilter, perRow);
    if (!(diffs[name] <= tolerance)) failures.push(`${name}: max |diff| ${diffs[name]} > ${tolerance}`);
  };
  compare('logits', fused.logits);
  compare('label_attention', fused.labelAttention);
  for (const modality of model.modalities) {
    const name = `${modality}_tokens`;
    if (tensors.has(name)) compare(name, encoded.tokens[modality], (row) => present[modality][row]);
  }
  if (tensors.has('self_attention')) {
    const detail = tensor(tensors, 'self_attention').shape[0];
    const rows = Array.from({ length: detail }, (_, i) => i);
    const withSelf = await fuseBatch(model, selectRows(model, encoded, rows), {
      batchSize: options.batchSize,
      selfAttention: true,
    });
    // Rows of masked query positions are not compared: their values depend on what a masked
    // position holds (PyTorch saw encoder(empty input), the runner feeds zeros), and no label's
    // attention or rollout ever flows through them.
    const p = model.totalPositions;
    const attended = (row: number): boolean => {
      const sample = Math.floor(row / p);
      const position = row % p;
      for (const m of MODALITIES) {
        const { start, end } = model.positions[m];
        if (position >= start && position < end) {
          return encoded.masks[m][sample * (end - start) + position - start] === 1;
        }
      }
      return false;
    };
    if (withSelf.selfAttention) compare('self_attention', withSelf.selfAttention, attended, p);
  }
  return { ok: failures.length === 0, tolerance, samples: meta.samples, maxAbsDiff: diffs, failures };
}
