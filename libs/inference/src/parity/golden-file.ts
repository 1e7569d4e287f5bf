import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InferenceError, InferenceErrorCode } from '../inference.errors';
import { sha256Hex } from '../manifest/model-manifest';

/**
 * The parity golden file written by the PyTorch export (tools/training/mosaic_training/export.py,
 * format `mosaic-parity/1`): inputs and PyTorch outputs for held-out samples, with the sha256 of
 * the ONNX files they belong to. Moved here from tools/training/node/onnx-parity.ts so the
 * TypeScript suite checks the serving code path, not a separate script.
 */

export const GOLDEN_FORMAT = 'mosaic-parity/1';

export type GoldenDtype = 'int64' | 'float32' | 'float16';

export interface GoldenTensorEntry {
  name: string;
  role: 'input' | 'output';
  dtype: GoldenDtype;
  shape: number[];
  offset: number;
  bytes: number;
}

export interface GoldenMeta {
  format: string;
  tolerance: number;
  samples: number;
  detailSamples: number;
  patientIds?: string[];
  /** ONNX file name → sha256 the outputs were recorded for. */
  onnx: Record<string, string>;
  data: string;
  dataSha256: string;
  tensors: GoldenTensorEntry[];
}

/** Decoded golden tensors: int64 as BigInt64Array, float16 widened to float32. */
export interface GoldenTensor {
  shape: number[];
  data: BigInt64Array | Float32Array;
}

// IEEE 754 binary16 → number (the golden file stores pixels as float16 to stay small).
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function decode(entry: GoldenTensorEntry, data: Buffer): GoldenTensor {
  const slice = data.subarray(entry.offset, entry.offset + entry.bytes);
  const copy = slice.buffer.slice(slice.byteOffset, slice.byteOffset + slice.byteLength);
  switch (entry.dtype) {
    case 'int64':
      return { shape: entry.shape, data: new BigInt64Array(copy) };
    case 'float32':
      return { shape: entry.shape, data: new Float32Array(copy) };
    case 'float16': {
      const half = new Uint16Array(copy);
      const out = new Float32Array(half.length);
      for (let i = 0; i < half.length; i++) out[i] = halfToFloat(half[i]);
      return { shape: entry.shape, data: out };
    }
    default: {
      const never: never = entry.dtype;
      throw new InferenceError(InferenceErrorCode.ParityGolden, `unknown golden dtype ${String(never)}`);
    }
  }
}

/** Reads golden.json and its gzipped tensors, checking the data's sha256. */
export function readGoldenFile(goldenJsonPath: string): {
  meta: GoldenMeta;
  tensors: Map<string, GoldenTensor>;
} {
  if (!existsSync(goldenJsonPath)) {
    throw new InferenceError(InferenceErrorCode.ParityGolden, `no golden file ${goldenJsonPath}`);
  }
  const meta = JSON.parse(readFileSync(goldenJsonPath, 'utf8')) as GoldenMeta;
  if (meta.format !== GOLDEN_FORMAT) {
    throw new InferenceError(InferenceErrorCode.ParityGolden, `unsupported golden format ${meta.format}`);
  }
  const data = gunzipSync(readFileSync(path.join(path.dirname(goldenJsonPath), meta.data)));
  if (sha256Hex(data) !== meta.dataSha256) {
    throw new InferenceError(InferenceErrorCode.ParityGolden, 'golden data does not match its sha256');
  }
  return { meta, tensors: new Map(meta.tensors.map((entry) => [entry.name, decode(entry, data)])) };
}
