// Checks the exported ONNX graphs in onnxruntime-node against what PyTorch computed at export time
// (parity/golden.json + golden.bin.gz, written by tools/training/mosaic_training/export.py), and
// that every graph of a model folder loads and runs at more than one batch size.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';

export enum OnnxCheckErrorCode {
  MissingFile = 'MISSING_FILE',
  HashMismatch = 'HASH_MISMATCH',
  BadGolden = 'BAD_GOLDEN',
}

export class OnnxCheckError extends Error {
  constructor(
    readonly code: OnnxCheckErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OnnxCheckError';
  }
}

type GoldenDtype = 'int64' | 'float32' | 'float16';

interface GoldenTensor {
  name: string;
  role: 'input' | 'output';
  dtype: GoldenDtype;
  shape: number[];
  offset: number;
  bytes: number;
}

interface GoldenMeta {
  format: string;
  tolerance: number;
  samples: number;
  detailSamples: number;
  onnx: Record<string, string>;
  data: string;
  dataSha256: string;
  tensors: GoldenTensor[];
}

export interface ParityReport {
  ok: boolean;
  tolerance: number;
  samples: number;
  /** Largest absolute difference per compared output. */
  maxAbsDiff: Record<string, number>;
  failures: string[];
}

export const GRAPH_FILES = [
  'text_encoder.onnx',
  'image_encoder.onnx',
  'vitals_encoder.onnx',
  'fusion.onnx',
] as const;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

// IEEE 754 binary16 -> number (the golden file stores pixels as float16 to stay small).
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function toOrtTensor(t: GoldenTensor, data: Buffer): ort.Tensor {
  const slice = data.subarray(t.offset, t.offset + t.bytes);
  const ab = slice.buffer.slice(slice.byteOffset, slice.byteOffset + slice.byteLength);
  switch (t.dtype) {
    case 'int64':
      return new ort.Tensor('int64', new BigInt64Array(ab), t.shape);
    case 'float32':
      return new ort.Tensor('float32', new Float32Array(ab), t.shape);
    case 'float16': {
      const half = new Uint16Array(ab);
      const out = new Float32Array(half.length);
      for (let i = 0; i < half.length; i++) out[i] = halfToFloat(half[i]);
      return new ort.Tensor('float32', out, t.shape);
    }
    default: {
      const never: never = t.dtype;
      throw new OnnxCheckError(OnnxCheckErrorCode.BadGolden, `unknown dtype ${String(never)}`);
    }
  }
}

function readGolden(modelDir: string): { meta: GoldenMeta; tensors: Map<string, ort.Tensor> } {
  const metaPath = join(modelDir, 'parity', 'golden.json');
  if (!existsSync(metaPath)) throw new OnnxCheckError(OnnxCheckErrorCode.MissingFile, `no ${metaPath}`);
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as GoldenMeta;
  if (meta.format !== 'mosaic-parity/1') {
    throw new OnnxCheckError(OnnxCheckErrorCode.BadGolden, `unsupported golden format ${meta.format}`);
  }
  const data = gunzipSync(readFileSync(join(modelDir, 'parity', meta.data)));
  if (sha256(data) !== meta.dataSha256) {
    throw new OnnxCheckError(OnnxCheckErrorCode.HashMismatch, 'golden data does not match its sha256');
  }
  return { meta, tensors: new Map(meta.tensors.map((t) => [t.name, toOrtTensor(t, data)])) };
}

async function openSessions(modelDir: string): Promise<Record<string, ort.InferenceSession>> {
  const sessions: Record<string, ort.InferenceSession> = {};
  for (const file of GRAPH_FILES) {
    const path = join(modelDir, file);
    if (!existsSync(path)) throw new OnnxCheckError(OnnxCheckErrorCode.MissingFile, `no ${path}`);
    // Fixed thread counts: the serving path does the same so results do not depend on the host.
    sessions[file] = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  }
  return sessions;
}

function maxAbsDiff(actual: ort.Tensor, expected: ort.Tensor, rows: number): number {
  const a = actual.data as Float32Array;
  const e = expected.data as Float32Array;
  const perRow = e.length / expected.dims[0];
  const n = Math.min(rows, expected.dims[0]) * perRow;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i] - e[i]);
    // NaN must fail, so compare with a negated test.
    if (!(d <= max)) max = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return max;
}

/**
 * Runs the golden inputs through the model folder's four graphs in onnxruntime-node and compares
 * every stored output (encoder tokens, logits, label_attention, self_attention) with PyTorch's.
 * Fails when the ONNX files are not the ones the golden file was written for (sha256).
 */
export async function checkParity(
  modelDir: string,
  options: { tolerance?: number } = {},
): Promise<ParityReport> {
  const { meta, tensors } = readGolden(modelDir);
  const tolerance = options.tolerance ?? meta.tolerance;
  const failures: string[] = [];
  for (const [file, hash] of Object.entries(meta.onnx)) {
    const path = join(modelDir, file);
    if (!existsSync(path) || sha256(readFileSync(path)) !== hash) {
      failures.push(`${file}: sha256 differs from the golden file's`);
    }
  }
  if (failures.length > 0) return { ok: false, tolerance, samples: meta.samples, maxAbsDiff: {}, failures };

  const s = await openSessions(modelDir);
  const get = (name: string): ort.Tensor => {
    const t = tensors.get(name);
    if (!t) throw new OnnxCheckError(OnnxCheckErrorCode.BadGolden, `golden file lacks ${name}`);
    return t;
  };
  const text = await s['text_encoder.onnx'].run({
    input_ids: get('input_ids'),
    attention_mask: get('attention_mask'),
  });
  const image = await s['image_encoder.onnx'].run({ pixels: get('pixels') });
  const vitals = await s['vitals_encoder.onnx'].run({ vitals: get('vitals') });
  const fused = await s['fusion.onnx'].run({
    text_tokens: text['tokens'],
    text_mask: get('text_mask'),
    image_tokens: image['tokens'],
    image_mask: get('image_mask'),
    vitals_tokens: vitals['tokens'],
    vitals_mask: get('vitals_mask'),
  });
  const actual: Record<string, ort.Tensor> = {
    text_tokens: text['tokens'],
    image_tokens: image['tokens'],
    vitals_tokens: vitals['tokens'],
    logits: fused['logits'],
    label_attention: fused['label_attention'],
    self_attention: fused['self_attention'],
  };
  const diffs: Record<string, number> = {};
  for (const t of meta.tensors.filter((x) => x.role === 'output')) {
    const a = actual[t.name];
    if (!a) {
      failures.push(`${t.name}: not produced by the graphs`);
      continue;
    }
    const expected = get(t.name);
    const sameTail = a.dims.slice(1).join(',') === expected.dims.slice(1).join(',');
    if (!sameTail) {
      failures.push(`${t.name}: shape [${a.dims.join(',')}] vs golden [${expected.dims.join(',')}]`);
      continue;
    }
    diffs[t.name] = maxAbsDiff(a, expected, expected.dims[0]);
    if (!(diffs[t.name] <= tolerance)) failures.push(`${t.name}: max |diff| ${diffs[t.name]} > ${tolerance}`);
  }
  return { ok: failures.length === 0, tolerance, samples: meta.samples, maxAbsDiff: diffs, failures };
}

export interface LoadReport {
  ok: boolean;
  tokenDim: number;
  labels: number;
  outputs: Record<string, number[]>;
  failures: string[];
}

/** Loads the four graphs of a model folder and runs them at batch sizes 1 and 3 (dynamic batch). */
export async function checkModelLoads(modelDir: string): Promise<LoadReport> {
  const s = await openSessions(modelDir);
  const failures: string[] = [];
  const outputs: Record<string, number[]> = {};
  let tokenDim = 0;
  let labels = 0;
  for (const b of [1, 3]) {
    const ids = new BigInt64Array(b * 128);
    const attn = new BigInt64Array(b * 128);
    for (let i = 0; i < ids.length; i++) {
      ids[i] = BigInt(i % 128 < 20 ? 4 + (i % 7) : 0);
      attn[i] = i % 128 < 20 ? 1n : 0n;
    }
    const pixels = new Float32Array(b * 128 * 128).map((_, i) => Math.sin(i / 97));
    const vitalsIn = new Float32Array(b * 48 * 12).map((_, i) => Math.cos(i / 13));
    const text = await s['text_encoder.onnx'].run({
      input_ids: new ort.Tensor('int64', ids, [b, 128]),
      attention_mask: new ort.Tensor('int64', attn, [b, 128]),
    });
    const image = await s['image_encoder.onnx'].run({
      pixels: new ort.Tensor('float32', pixels, [b, 1, 128, 128]),
    });
    const vitals = await s['vitals_encoder.onnx'].run({
      vitals: new ort.Tensor('float32', vitalsIn, [b, 48, 12]),
    });
    tokenDim = text['tokens'].dims[2];
    const mask = (n: number, v: number): ort.Tensor =>
      new ort.Tensor('float32', new Float32Array(b * n).fill(v), [b, n]);
    // The second batch drops the image, as serving does for a patient without one.
    const fused = await s['fusion.onnx'].run({
      text_tokens: text['tokens'],
      text_mask: new ort.Tensor(
        'float32',
        Float32Array.from(attn, (x) => Number(x)),
        [b, 128],
      ),
      image_tokens: image['tokens'],
      image_mask: mask(64, b === 1 ? 1 : 0),
      vitals_tokens: vitals['tokens'],
      vitals_mask: mask(48, 1),
    });
    labels = fused['logits'].dims[1];
    const expect: Record<string, number[]> = {
      text_tokens: [b, 128, tokenDim],
      image_tokens: [b, 64, tokenDim],
      vitals_tokens: [b, 48, tokenDim],
      logits: [b, labels],
      label_attention: [b, labels, 240],
      self_attention: [b, 240, 240],
    };
    const got: Record<string, ort.Tensor> = {
      text_tokens: text['tokens'],
      image_tokens: image['tokens'],
      vitals_tokens: vitals['tokens'],
      ...fused,
    };
    for (const [name, dims] of Object.entries(expect)) {
      const t = got[name];
      outputs[name] = [...t.dims];
      if (t.dims.join(',') !== dims.join(','))
        failures.push(`${name}: [${t.dims.join(',')}] != [${dims.join(',')}]`);
      if (!(t.data as Float32Array).every(Number.isFinite))
        failures.push(`${name}: non-finite values (batch ${b})`);
    }
  }
  return { ok: failures.length === 0, tokenDim, labels, outputs, failures };
}
