/** Why a model folder could not be loaded or run. */
export enum InferenceErrorCode {
  /** manifest.json is missing, unreadable or not JSON. */
  ManifestUnreadable = 'INFERENCE_MANIFEST_UNREADABLE',
  /** manifest.json does not validate against models/manifest.schema.json. */
  ManifestInvalid = 'INFERENCE_MANIFEST_INVALID',
  /** A file listed in the manifest is missing or its sha256/size differs. */
  FileIntegrity = 'INFERENCE_FILE_INTEGRITY',
  /** A file the manifest refers to (vocabulary, statistics, graph) cannot be read or parsed. */
  ModelFileInvalid = 'INFERENCE_MODEL_FILE_INVALID',
  /** Inputs do not match the graph contract (shape, batch, modality). */
  InvalidInput = 'INFERENCE_INVALID_INPUT',
  /** A graph returned a missing, mis-shaped or non-finite output. */
  InvalidOutput = 'INFERENCE_INVALID_OUTPUT',
  /** The parity golden file is missing, corrupt or belongs to other ONNX files. */
  ParityGolden = 'INFERENCE_PARITY_GOLDEN',
}

export class InferenceError extends Error {
  constructor(
    readonly code: InferenceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'InferenceError';
  }
}
