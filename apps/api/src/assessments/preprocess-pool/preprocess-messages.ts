import { DicomError } from '@mosaic/dicom';
import type { DicomErrorCode } from '@mosaic/dicom';
import type { ModelInputs, PreprocessingConfig, RawPatientInputs } from '@mosaic/inference';
import { InferenceError } from '@mosaic/inference';
import type { InferenceErrorCode } from '@mosaic/inference';
import { PreprocessError } from '@mosaic/preprocess';
import type { PreprocessErrorCode } from '@mosaic/preprocess';

/** What the pool posts to a worker: one patient's raw inputs, prepared with one model's parameters. */
export interface PreprocessJob {
  id: number;
  /** The pool's number for `config`; a worker keeps the configs it was sent under these numbers. */
  configId: number;
  /** Sent only the first time this worker sees configId. */
  config?: PreprocessingConfig;
  /** Config numbers the worker may forget (the pool keeps a few per worker, most recent last). */
  forget?: number[];
  raw: RawPatientInputs;
}

/** An error as it crosses the thread boundary: enough to rebuild the class the in-process path throws. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  fileName?: string;
  stack?: string;
}

export type PreprocessReply =
  { id: number; ok: true; inputs: ModelInputs } | { id: number; ok: false; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const out: SerializedError = { name: error.name, message: error.message, stack: error.stack };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') out.code = code;
  if (error instanceof DicomError && error.fileName) out.fileName = error.fileName;
  return out;
}

/**
 * The error the in-process path would have thrown: the same class and code, so callers map it to
 * the same problem document (a PreprocessError is a 422 in either mode).
 */
export function deserializeError(serialized: SerializedError): Error {
  let error: Error;
  switch (serialized.name) {
    case 'PreprocessError':
      error = new PreprocessError(serialized.code as PreprocessErrorCode, serialized.message);
      break;
    case 'InferenceError':
      error = new InferenceError(serialized.code as InferenceErrorCode, serialized.message);
      break;
    case 'DicomError': {
      // The message already carries the file name prefix; keep it as it was.
      error = new DicomError(serialized.code as DicomErrorCode, serialized.message);
      if (serialized.fileName) Object.defineProperty(error, 'fileName', { value: serialized.fileName });
      break;
    }
    default:
      error = new Error(serialized.message);
      error.name = serialized.name;
  }
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}

/** Not `instanceof`: under Jest the buffer may come from another realm. A SharedArrayBuffer is not transferable. */
function isPlainArrayBuffer(buffer: ArrayBufferLike): buffer is ArrayBuffer {
  return Object.prototype.toString.call(buffer) === '[object ArrayBuffer]';
}

/**
 * The buffers of `views` that can be transferred: each must be a plain ArrayBuffer that the view
 * covers entirely (a view into a larger buffer, such as a Node Buffer slab, would detach memory the
 * caller still uses). Duplicates are listed once.
 */
export function transferable(views: readonly (ArrayBufferView | null | undefined)[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const view of views) {
    if (!view || !isPlainArrayBuffer(view.buffer)) continue;
    const buffer = view.buffer;
    if (view.byteOffset === 0 && view.byteLength === buffer.byteLength) out.add(buffer);
  }
  return [...out];
}

/** The typed arrays of prepared inputs, to transfer them back rather than copy them. */
export function inputBuffers(inputs: ModelInputs): ArrayBuffer[] {
  return transferable([inputs.text?.ids, inputs.text?.mask, inputs.image?.tensor, inputs.vitals?.values]);
}
