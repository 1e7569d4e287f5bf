import type { ModelInputGeometry } from '@mosaic/dicom';
import type { NoteToken, VitalsObservation, VitalsStats, Vocabulary } from '@mosaic/preprocess';
import {
  normaliseVitalsGrid,
  prepareImage,
  resampleVitals,
  tokenizeNote,
  VITALS_CHANNEL_COUNT,
} from '@mosaic/preprocess';

/**
 * Model inputs for one patient, prepared only through libs/preprocess — the code `mosaic cohort
 * export` used to write the training tensors — so the evaluated and served inputs are the
 * training inputs (a test proves it bit for bit against the exported .npy rows).
 */

/** Parameters from the model folder (vocab.txt, vitals_stats.json) and the tensor contract. */
export interface PreprocessingConfig {
  vocab: Vocabulary;
  vitalsStats: VitalsStats;
  maxTokens: number;
  imageSize: number;
  hours: number;
  grid: { rows: number; cols: number };
}

export interface TextInput {
  noteId: string;
  /** Length maxTokens. */
  ids: Int32Array;
  /** 1 = real token (incl. [CLS]/[SEP]); the fusion text mask. */
  mask: Uint8Array;
  /** The real tokens with their UTF-16 offsets, in position order. */
  tokens: NoteToken[];
  truncated: boolean;
}

export interface ImageInput {
  instanceId: string;
  frame: number;
  /** Row-major [1, size, size]. */
  tensor: Float32Array;
  geometry: ModelInputGeometry;
}

export interface VitalsInput {
  /** Row-major [hours, 12], z-scored values then observed masks. */
  values: Float32Array;
  /** ISO 8601 UTC instants bounding the hourly grid, half-open; row i starts at start + i h. */
  start: string;
  end: string;
  hours: number;
}

/** One patient's inputs; null = modality missing (masked, never faked). */
export interface ModelInputs {
  text: TextInput | null;
  image: ImageInput | null;
  vitals: VitalsInput | null;
}

export interface RawPatientInputs {
  note?: { id: string; text: string } | null;
  image?: { instanceId: string; bytes: Uint8Array; frame?: number } | null;
  /** Observations in canonical units, and the grid end (the assessment or note time, exclusive). */
  vitals?: { observations: readonly VitalsObservation[]; end: string | Date | number } | null;
}

export function prepareTextInput(note: { id: string; text: string }, config: PreprocessingConfig): TextInput {
  const tokenized = tokenizeNote(note.text, config.vocab, { maxTokens: config.maxTokens });
  return {
    noteId: note.id,
    ids: tokenized.ids,
    mask: tokenized.mask,
    tokens: tokenized.tokens,
    truncated: tokenized.truncated,
  };
}

/**
 * Resample first, then z-score the float32 grid: the export does exactly this (normalising while
 * resampling would round differently and break bit equality with the training tensors).
 */
export function prepareVitalsInput(
  vitals: { observations: readonly VitalsObservation[]; end: string | Date | number },
  config: PreprocessingConfig,
): VitalsInput {
  // Like the export, a vitals series with no observation inside the grid is still "present": its
  // mask channels say that nothing was measured. Callers with no series at all pass null.
  const grid = resampleVitals(vitals.observations, { end: vitals.end, hours: config.hours });
  const normalised = normaliseVitalsGrid(grid, config.vitalsStats);
  return { values: normalised.values, start: grid.start, end: grid.end, hours: grid.hours };
}

export async function prepareImageInput(
  image: { instanceId: string; bytes: Uint8Array; frame?: number },
  config: PreprocessingConfig,
): Promise<ImageInput> {
  const frame = image.frame ?? 0;
  const prepared = await prepareImage(image.bytes, { size: config.imageSize, frame });
  return { instanceId: image.instanceId, frame, tensor: prepared.tensor, geometry: prepared.geometry };
}

export async function prepareModelInputs(
  raw: RawPatientInputs,
  config: PreprocessingConfig,
): Promise<ModelInputs> {
  return {
    text: raw.note ? prepareTextInput(raw.note, config) : null,
    image: raw.image ? await prepareImageInput(raw.image, config) : null,
    vitals: raw.vitals ? prepareVitalsInput(raw.vitals, config) : null,
  };
}

export const VITALS_FEATURES = VITALS_CHANNEL_COUNT * 2;
