import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import { InferenceError, InferenceErrorCode } from '../inference.errors';

/**
 * The model contract (ARCHITECTURE.md §Model contract): manifest.json of a model folder, validated
 * against the committed JSON Schema models/manifest.schema.json, with the sha256 and size of every
 * listed file checked before any graph is loaded. Only the fields the platform reads are typed here;
 * the schema is the full definition.
 */

export type Modality = 'text' | 'image' | 'vitals';
export const MODALITIES: readonly Modality[] = ['text', 'image', 'vitals'];
export type ModelVariant = 'fusion' | 'text_only' | 'image_only' | 'vitals_only';

export interface Coding {
  system: string;
  code: string;
}

export interface ManifestLabel {
  slug: string;
  display: string;
  snomedCt: Coding;
  icd10: Coding;
}

export interface ManifestTensor {
  name: string;
  dtype: 'int64' | 'float32' | 'uint8';
  shape: (number | 'batch')[];
}

export interface ManifestGraph {
  file: string;
  inputs: ManifestTensor[];
  outputs: ManifestTensor[];
}

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface ModelManifest {
  schemaVersion: 'mosaic-model/1';
  modelId: string;
  version: string;
  role: 'served' | 'ablation';
  variant: ModelVariant;
  modalities: Modality[];
  notForClinicalUse: true;
  notice: string;
  smokeTest?: boolean;
  createdAt: string;
  labels: ManifestLabel[];
  preprocessing: {
    text: { vocabFile: string; vocabSize: number; maxTokens: number; params: Record<string, unknown> };
    image: {
      size: [number, number];
      channels: number;
      grid: { rows: number; cols: number };
      params: Record<string, unknown>;
    };
    vitals: {
      timeGrid: { steps: number; stepSeconds: number; order: 'oldest-first' };
      statsFile: string;
      channels: { index: number; loinc: string; display: string; ucum: string; mean: number; std: number }[];
      params: Record<string, unknown>;
    };
  };
  encoders: Record<Modality, ManifestGraph>;
  fusion: ManifestGraph & {
    tokenDim: number;
    positions: Record<Modality, { start: number; end: number }>;
  };
  calibration: {
    method: 'temperature-scaling';
    mode: 'per-label' | 'single';
    fittedOn: string;
    temperatures: number[];
  };
  thresholds: { method: string; fittedOn: string; values: number[] };
  training: Record<string, unknown> & { dataDigest: string | null; cohort?: Record<string, unknown> };
  evaluation: null | { file: string; summary?: unknown };
  ablations: {
    name: Exclude<ModelVariant, 'fusion'>;
    path: string;
    modalities: Modality[];
    manifestSha256: string;
  }[];
  parity: { golden: string; tolerance: number };
  files: ManifestFile[];
  size: { onnxBytes: number; maxOnnxBytes: number };
}

/** models/manifest.schema.json, found from this file so it works from any working directory. */
export const MANIFEST_SCHEMA_PATH = path.resolve(__dirname, '../../../../models/manifest.schema.json');

let validator: ValidateFunction | undefined;

function manifestValidator(): ValidateFunction {
  if (!validator) {
    // Formats (date-time, uri) are descriptive: the structure and the hashes are what we enforce.
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    validator = ajv.compile(JSON.parse(readFileSync(MANIFEST_SCHEMA_PATH, 'utf8')) as object);
  }
  return validator;
}

/** Throws `ManifestInvalid` listing every schema violation. */
export function validateManifest(value: unknown, where = 'manifest.json'): ModelManifest {
  const validate = manifestValidator();
  if (!validate(value)) {
    const problems = (validate.errors ?? [])
      .slice(0, 10)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
      .join('; ');
    throw new InferenceError(
      InferenceErrorCode.ManifestInvalid,
      `${where} does not match the model schema: ${problems}`,
    );
  }
  return value as ModelManifest;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Resolves a manifest-relative path, refusing anything that escapes the model folder. */
export function modelFilePath(modelDir: string, relative: string): string {
  const resolved = path.resolve(modelDir, relative);
  const root = path.resolve(modelDir);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) {
    throw new InferenceError(
      InferenceErrorCode.ManifestInvalid,
      `manifest path ${relative} leaves the model folder`,
    );
  }
  return resolved;
}

/**
 * Checks the sha256 and size of every file the manifest lists; returns the bytes of the files
 * so callers load exactly what was verified (no time-of-check/time-of-use gap for the graphs).
 */
export async function verifyModelFiles(
  modelDir: string,
  manifest: ModelManifest,
): Promise<Map<string, Buffer>> {
  const verified = new Map<string, Buffer>();
  const problems: string[] = [];
  for (const file of manifest.files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(modelFilePath(modelDir, file.path));
    } catch {
      problems.push(`${file.path}: missing`);
      continue;
    }
    if (bytes.length !== file.bytes || sha256Hex(bytes) !== file.sha256) {
      problems.push(`${file.path}: sha256 or size differs from the manifest`);
      continue;
    }
    verified.set(file.path, bytes);
  }
  if (problems.length > 0) {
    throw new InferenceError(
      InferenceErrorCode.FileIntegrity,
      `model folder ${modelDir}: ${problems.join('; ')}`,
    );
  }
  return verified;
}

/** Reads and validates manifest.json; does not check file hashes (see verifyModelFiles). */
export async function readModelManifest(modelDir: string): Promise<ModelManifest> {
  const file = path.join(modelDir, 'manifest.json');
  if (!existsSync(file)) {
    throw new InferenceError(InferenceErrorCode.ManifestUnreadable, `${modelDir} has no manifest.json`);
  }
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InferenceError(
      InferenceErrorCode.ManifestUnreadable,
      `cannot read ${file}: ${(error as Error).message}`,
    );
  }
  return validateManifest(value, file);
}
