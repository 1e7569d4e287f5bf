/**
 * A map bounded by the bytes of its values, least recently used first out. `sizeOf` gives a value's
 * bytes; a value larger than the whole bound is never stored, and 0 bytes turns the cache off.
 * Stored values are shared: callers never write to them.
 */
export class ByteBoundedLru<V> {
  private readonly entries = new Map<string, V>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, value);
    } else {
      this.misses++;
    }
    return value;
  }

  set(key: string, value: V): void {
    if (this.sizeOf(value) > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.entries.delete(key);
      this.bytes -= this.sizeOf(previous);
    }
    this.entries.set(key, value);
    this.bytes += this.sizeOf(value);
    for (const [oldest, stored] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= this.sizeOf(stored);
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
