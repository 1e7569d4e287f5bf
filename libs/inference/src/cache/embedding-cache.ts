import type { Modality } from '../manifest/model-manifest';

/**
 * Encoder outputs keyed by (model version, modality, sha256 of the exact input tensor), least
 * recently used first out, bounded by the bytes of the stored tokens. An entry is the encoder's
 * output for that tensor, so a hit is the same bits a run would give (the encoders are
 * batch-invariant, see batch-invariance.int-spec.ts). Replays never use it (ARCHITECTURE.md §Replay).
 * Stored arrays are shared: callers copy them and never write to them.
 */
export class EmbeddingCache {
  private readonly entries = new Map<string, Float32Array>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes: number) {}

  static key(modelKey: string, modality: Modality, tensorSha256: string): string {
    return `${modelKey}\u0000${modality}\u0000${tensorSha256}`;
  }

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get(key: string): Float32Array | undefined {
    const tokens = this.entries.get(key);
    if (tokens) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, tokens);
    } else {
      this.misses++;
    }
    return tokens;
  }

  set(key: string, tokens: Float32Array): void {
    if (tokens.byteLength > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.bytes -= previous.byteLength;
    }
    this.entries.set(key, tokens);
    this.bytes += tokens.byteLength;
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= value.byteLength;
    }
  }

  /** Drops every entry (the counters stay). */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  stats(): { entries: number; bytes: number; maxBytes: number; hits: number; misses: number } {
    return {
      entries: this.entries.size,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      hits: this.hits,
      misses: this.misses,
    };
  }
}
