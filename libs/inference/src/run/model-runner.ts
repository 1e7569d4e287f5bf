import * as ort from 'onnxruntime-node';
import { modelInputGeometry } from '@mosaic/dicom';
import { InferenceError, InferenceErrorCode } from '../inference.errors';
import type { ModelInputs } from '../inputs/model-inputs';
import { VITALS_FEATURES } from '../inputs/model-inputs';
import type { Modality } from '../manifest/model-manifest';
import { MODALITIES } from '../manifest/model-manifest';
import type { LoadedModel } from '../model/load-model';

/**
 * Runs the encoders and the fusion graph on batches (docs/model/tensor-contract.md §ONNX graphs).
 * Encoding and fusion are separate steps so that explanation re-runs (modality occlusion, deletion
 * curves) re-use the encoder tokens and only re-run fusion with other masks.
 *
 * Fusion masks follow the training convention (tools/training dataset.fusion_inputs): the text
 * mask is the tokenizer's mask, the image and vitals masks are the modality's presence broadcast
 * over its positions. A missing modality has an all-zero mask and zero encoder input: masked,
 * never faked.
 */

export const DEFAULT_BATCH_SIZE = 32;

/** Per-position fusion masks, float32 (1 = attend), row-major [rows, positions of the modality]. */
export type FusionMasks = Record<Modality, Float32Array>;

export interface EncodedBatch {
  rows: number;
  /** Encoder tokens, row-major [rows, positions, tokenDim]; zeros where a modality is missing or unused. */
  tokens: Record<Modality, Float32Array>;
  masks: FusionMasks;
}

export interface FusionOutputs {
  rows: number;
  labels: number;
  /** [rows, K] */
  logits: Float32Array;
  /** [rows, K, positions]: per-label cross-attention over text ‖ image ‖ vitals, head-averaged. */
  labelAttention: Float32Array;
  /** [rows, positions, positions] when requested (joint self-attention, for rollout). */
  selfAttention?: Float32Array;
}

export interface RunOptions {
  batchSize?: number;
}

function positionsOf(model: LoadedModel, modality: Modality): number {
  return model.positions[modality].end - model.positions[modality].start;
}

function checkFinite(name: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new InferenceError(InferenceErrorCode.InvalidOutput, `${name} has a non-finite value at ${i}`);
    }
  }
}

function output(result: ort.InferenceSession.OnnxValueMapType, name: string, length: number): Float32Array {
  const tensor = result[name];
  if (!tensor || tensor.type !== 'float32' || (tensor.data as Float32Array).length !== length) {
    throw new InferenceError(
      InferenceErrorCode.InvalidOutput,
      `graph output ${name} is missing or mis-shaped`,
    );
  }
  const data = tensor.data as Float32Array;
  checkFinite(name, data);
  return data;
}

/** Positions of a modality's encoder output (and fusion mask) per row. */
export function modalityPositions(model: LoadedModel, modality: Modality): number {
  return positionsOf(model, modality);
}

/**
 * Runs one modality's encoder over `rows` in one session.run (every row must have the modality)
 * and returns its tokens, row-major [rows, positions, tokenDim].
 */
export async function runEncoder(
  model: LoadedModel,
  modality: Modality,
  rows: readonly ModelInputs[],
): Promise<Float32Array> {
  const b = rows.length;
  const d = model.tokenDim;
  const { maxTokens, imageSize, hours } = model.preprocessing;
  if (modality === 'text') {
    const ids = new BigInt64Array(b * maxTokens);
    const attention = new BigInt64Array(b * maxTokens);
    rows.forEach((row, r) => {
      const text = row.text;
      if (!text || text.ids.length !== maxTokens || text.mask.length !== maxTokens) {
        throw new InferenceError(InferenceErrorCode.InvalidInput, `text input must have ${maxTokens} ids`);
      }
      for (let i = 0; i < maxTokens; i++) {
        ids[r * maxTokens + i] = BigInt(text.ids[i]);
        attention[r * maxTokens + i] = BigInt(text.mask[i]);
      }
    });
    const result = await model.sessions.text.run({
      input_ids: new ort.Tensor('int64', ids, [b, maxTokens]),
      attention_mask: new ort.Tensor('int64', attention, [b, maxTokens]),
    });
    return output(result, 'tokens', b * maxTokens * d);
  }
  if (modality === 'image') {
    const plane = imageSize * imageSize;
    const pixels = new Float32Array(b * plane);
    rows.forEach((row, r) => {
      if (!row.image || row.image.tensor.length !== plane) {
        throw new InferenceError(
          InferenceErrorCode.InvalidInput,
          `image input must be 1×${imageSize}×${imageSize}`,
        );
      }
      pixels.set(row.image.tensor, r * plane);
    });
    const result = await model.sessions.image.run({
      pixels: new ort.Tensor('float32', pixels, [b, 1, imageSize, imageSize]),
    });
    return output(result, 'tokens', b * positionsOf(model, 'image') * d);
  }
  const plane = hours * VITALS_FEATURES;
  const values = new Float32Array(b * plane);
  rows.forEach((row, r) => {
    if (!row.vitals || row.vitals.values.length !== plane) {
      throw new InferenceError(
        InferenceErrorCode.InvalidInput,
        `vitals input must be ${hours}×${VITALS_FEATURES}`,
      );
    }
    values.set(row.vitals.values, r * plane);
  });
  const result = await model.sessions.vitals.run({
    vitals: new ort.Tensor('float32', values, [b, hours, VITALS_FEATURES]),
  });
  return output(result, 'tokens', b * hours * d);
}

/** Sets a row's fusion mask for a present modality (text: the tokenizer's mask; else all ones). */
export function setPresentMask(
  model: LoadedModel,
  masks: FusionMasks,
  row: number,
  modality: Modality,
  inputs: ModelInputs,
): void {
  const len = positionsOf(model, modality);
  if (modality === 'text' && inputs.text) {
    const mask = inputs.text.mask;
    for (let i = 0; i < len; i++) masks.text[row * len + i] = mask[i];
  } else if (inputs[modality]) {
    masks[modality].fill(1, row * len, (row + 1) * len);
  }
}

/** Checks the manifest's positions against the preprocessing parameters. */
function checkPositions(model: LoadedModel): Record<Modality, number> {
  const lengths: Record<Modality, number> = {
    text: positionsOf(model, 'text'),
    image: positionsOf(model, 'image'),
    vitals: positionsOf(model, 'vitals'),
  };
  if (lengths.text !== model.preprocessing.maxTokens || lengths.vitals !== model.preprocessing.hours) {
    throw new InferenceError(
      InferenceErrorCode.InvalidInput,
      'manifest positions disagree with the preprocessing',
    );
  }
  return lengths;
}

/** An all-zero (every modality masked) batch of `rows` rows, to fill with tokens and masks. */
export function emptyBatch(model: LoadedModel, rows: number): EncodedBatch {
  const lengths = checkPositions(model);
  const d = model.tokenDim;
  return {
    rows,
    tokens: {
      text: new Float32Array(rows * lengths.text * d),
      image: new Float32Array(rows * lengths.image * d),
      vitals: new Float32Array(rows * lengths.vitals * d),
    },
    masks: {
      text: new Float32Array(rows * lengths.text),
      image: new Float32Array(rows * lengths.image),
      vitals: new Float32Array(rows * lengths.vitals),
    },
  };
}

/** Runs each present, used modality's encoder over the batch in chunks of `batchSize`. */
export async function encodeBatch(
  model: LoadedModel,
  inputs: readonly ModelInputs[],
  options: RunOptions = {},
): Promise<EncodedBatch> {
  const rows = inputs.length;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const d = model.tokenDim;
  const batch = emptyBatch(model, rows);
  const used = new Set(model.modalities);

  for (let from = 0; from < rows; from += batchSize) {
    const chunk = inputs.slice(from, from + batchSize);
    for (const modality of MODALITIES) {
      if (!used.has(modality) || !chunk.some((row) => row[modality])) continue;
      // Rows missing the modality are fed zeros (as ever) and their tokens are discarded.
      const feed = chunk.map((row) => (row[modality] ? row : zeroRow(model, modality)));
      const perRow = positionsOf(model, modality) * d;
      copyPresent(
        await runEncoder(model, modality, feed),
        chunk,
        modality,
        batch.tokens[modality],
        from,
        perRow,
      );
      chunk.forEach((row, r) => setPresentMask(model, batch.masks, from + r, modality, row));
    }
  }
  return batch;
}

/** A row holding only zeros for `modality` (a masked row inside a batch that has the modality). */
function zeroRow(model: LoadedModel, modality: Modality): ModelInputs {
  const { maxTokens, imageSize, hours } = model.preprocessing;
  return {
    text:
      modality === 'text'
        ? {
            noteId: '',
            ids: new Int32Array(maxTokens),
            mask: new Uint8Array(maxTokens),
            tokens: [],
            truncated: false,
          }
        : null,
    image:
      modality === 'image'
        ? {
            instanceId: '',
            frame: 0,
            tensor: new Float32Array(imageSize * imageSize),
            geometry: modelInputGeometry(imageSize, imageSize, imageSize),
          }
        : null,
    vitals:
      modality === 'vitals'
        ? { values: new Float32Array(hours * VITALS_FEATURES), start: '', end: '', hours }
        : null,
  };
}

/** Keeps encoder tokens only for rows that have the modality: a missing one stays zero and masked. */
function copyPresent(
  source: Float32Array,
  chunk: readonly ModelInputs[],
  modality: Modality,
  target: Float32Array,
  from: number,
  perRow: number,
): void {
  chunk.forEach((row, r) => {
    if (row[modality]) target.set(source.subarray(r * perRow, (r + 1) * perRow), (from + r) * perRow);
  });
}

/** Runs the fusion graph; `masks` overrides the batch's masks (occlusion and deletion re-runs). */
export async function fuseBatch(
  model: LoadedModel,
  encoded: EncodedBatch,
  options: RunOptions & { masks?: FusionMasks; selfAttention?: boolean } = {},
): Promise<FusionOutputs> {
  const masks = options.masks ?? encoded.masks;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const d = model.tokenDim;
  const k = model.labels.length;
  const p = model.totalPositions;
  const len = (m: Modality): number => positionsOf(model, m);
  const logits = new Float32Array(encoded.rows * k);
  const labelAttention = new Float32Array(encoded.rows * k * p);
  const selfAttention = options.selfAttention ? new Float32Array(encoded.rows * p * p) : undefined;
  const fetches = options.selfAttention
    ? ['logits', 'label_attention', 'self_attention']
    : ['logits', 'label_attention'];
  for (let from = 0; from < encoded.rows; from += batchSize) {
    const to = Math.min(encoded.rows, from + batchSize);
    const b = to - from;
    const feeds: Record<string, ort.Tensor> = {};
    for (const m of MODALITIES) {
      feeds[`${m}_tokens`] = new ort.Tensor(
        'float32',
        encoded.tokens[m].slice(from * len(m) * d, to * len(m) * d),
        [b, len(m), d],
      );
      feeds[`${m}_mask`] = new ort.Tensor('float32', masks[m].slice(from * len(m), to * len(m)), [b, len(m)]);
    }
    const result = await model.sessions.fusion.run(feeds, fetches);
    logits.set(output(result, 'logits', b * k), from * k);
    labelAttention.set(output(result, 'label_attention', b * k * p), from * k * p);
    if (selfAttention) selfAttention.set(output(result, 'self_attention', b * p * p), from * p * p);
  }
  return { rows: encoded.rows, labels: k, logits, labelAttention, selfAttention };
}

/** Copies of the masks with `modalities` zeroed for every row (occlusion: the modality is removed). */
export function withoutModalities(masks: FusionMasks, modalities: readonly Modality[]): FusionMasks {
  const out: FusionMasks = {
    text: new Float32Array(masks.text),
    image: new Float32Array(masks.image),
    vitals: new Float32Array(masks.vitals),
  };
  for (const m of modalities) out[m].fill(0);
  return out;
}

/** A batch made of the given rows of another (rows may repeat), sharing nothing with it. */
export function selectRows(model: LoadedModel, encoded: EncodedBatch, rows: readonly number[]): EncodedBatch {
  const d = model.tokenDim;
  const pick = (source: Float32Array, perRow: number): Float32Array => {
    const out = new Float32Array(rows.length * perRow);
    rows.forEach((row, i) => out.set(source.subarray(row * perRow, (row + 1) * perRow), i * perRow));
    return out;
  };
  const tokens = {} as Record<Modality, Float32Array>;
  const masks = {} as FusionMasks;
  for (const m of MODALITIES) {
    tokens[m] = pick(encoded.tokens[m], positionsOf(model, m) * d);
    masks[m] = pick(encoded.masks[m], positionsOf(model, m));
  }
  return { rows: rows.length, tokens, masks };
}

/** Calibrated probability: sigmoid(logit / T) with the manifest's per-label temperature. */
export function calibratedProbability(logit: number, temperature: number): number {
  return 1 / (1 + Math.exp(-logit / temperature));
}

/** [rows, K] probabilities, calibrated with `temperatures` (pass all 1 for uncalibrated). */
export function probabilities(logits: Float32Array, temperatures: readonly number[]): Float64Array {
  const k = temperatures.length;
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = calibratedProbability(logits[i], temperatures[i % k]);
  return out;
}

export interface Prediction {
  logits: number[];
  probabilities: number[];
  /** [K, positions] for this row. */
  labelAttention: Float32Array;
}

/** Encoders + fusion + calibration for a batch of patients. */
export async function predict(
  model: LoadedModel,
  inputs: readonly ModelInputs[],
  options: RunOptions = {},
): Promise<{ encoded: EncodedBatch; outputs: FusionOutputs; predictions: Prediction[] }> {
  const encoded = await encodeBatch(model, inputs, options);
  const outputs = await fuseBatch(model, encoded, options);
  const k = model.labels.length;
  const p = model.totalPositions;
  const probs = probabilities(outputs.logits, model.temperatures);
  const predictions = inputs.map((_, r) => ({
    logits: Array.from(outputs.logits.subarray(r * k, (r + 1) * k)),
    probabilities: Array.from(probs.subarray(r * k, (r + 1) * k)),
    labelAttention: outputs.labelAttention.subarray(r * k * p, (r + 1) * k * p),
  }));
  return { encoded, outputs, predictions };
}
