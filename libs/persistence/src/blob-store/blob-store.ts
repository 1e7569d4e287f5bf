/**
 * Content-addressed storage for DICOM files (ARCHITECTURE.md §Data flow): the key is the sha256 of
 * the bytes, so the same file is stored once and a key always names the same content.
 */
export interface BlobStore {
  /** Stores the bytes (no-op when already present) and returns their key. */
  put(bytes: Uint8Array): Promise<BlobRef>;
  get(key: string): Promise<Buffer>;
  has(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Every stored blob with its last write time, for the orphan sweep. */
  list(): AsyncIterable<StoredBlob>;
}

export interface StoredBlob {
  key: string;
  modifiedAt: Date;
}

export interface BlobRef {
  key: string;
  sha256: string;
  byteSize: number;
}

export const BLOB_STORE = Symbol('BLOB_STORE');
