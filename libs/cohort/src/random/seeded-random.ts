import { createHash } from 'node:crypto';

/**
 * Seeded PRNG: xoshiro128** (Blackman & Vigna 2018), 32-bit state words, seeded from a SHA-256 of
 * the seed and a stream name. Every patient and every modality draws from its own named stream, so
 * a patient's data does not depend on how many other patients were generated or in which order.
 */
export class SeededRandom {
  private readonly s = new Uint32Array(4);
  private spareNormal: number | null = null;

  constructor(seed: number | string, stream = '') {
    const digest = createHash('sha256').update(`${seed}\u0000${stream}`).digest();
    for (let i = 0; i < 4; i++) this.s[i] = digest.readUInt32LE(i * 4);
    if (this.s.every((word) => word === 0)) this.s[0] = 1;
  }

  /** An independent stream derived from this one's seed material. */
  static stream(seed: number | string, ...names: (string | number)[]): SeededRandom {
    return new SeededRandom(seed, names.join('/'));
  }

  private nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, max], inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Standard normal (Marsaglia polar method). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * spare;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    return mean + sd * u * factor;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
