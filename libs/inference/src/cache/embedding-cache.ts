import type { Modality } from '../manifest/model-manifest';
import { ByteBoundedLru } from './byte-bounded-lru';

/**
 * Encoder outputs keyed by (model version, modality, sha256 of the exact input tensor), least
 * recently used first out, bounded by the bytes of the stored tokens. An entry is the encoder's
 * output for that tensor, so a hit is the same bits a run would give (the encoders are
 * batch-invariant, see batch-invariance.int-spec.ts). Replays never use it (ARCHITECTURE.md §Replay).
 * Stored arrays are shared: callers copy them and never write to them.
 */
export class EmbeddingCache extends ByteBoundedLru<Float32Array> {
  constructor(maxBytes: number) {
    super(maxBytes, (tokens) => tokens.byteLength);
  }

  static key(modelKey: string, modality: Modality, tensorSha256: string): string {
    return `${modelKey}\u0000${modality}\u0000${tensorSha256}`;
  }
}
