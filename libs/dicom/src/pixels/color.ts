import type { SampleArray } from './stored-values';

/** Colour-by-plane (RR…GG…BB…) → colour-by-pixel (RGBRGB…), PS3.3 §C.7.6.3.1.3. */
export function planarToInterleaved<T extends SampleArray>(planar: T, pixels: number): T {
  const out = new (planar.constructor as new (n: number) => T)(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    out[i * 3] = planar[i];
    out[i * 3 + 1] = planar[pixels + i];
    out[i * 3 + 2] = planar[2 * pixels + i];
  }
  return out;
}

/** YBR_FULL → RGB in place, PS3.3 §C.7.6.3.1.2 (ITU-R BT.601 full range); `max` is 2^bits − 1. */
export function ybrFullToRgb(data: SampleArray, pixels: number, max: number): void {
  const mid = (max + 1) / 2;
  for (let i = 0; i < pixels; i++) {
    const y = data[i * 3];
    const cb = data[i * 3 + 1] - mid;
    const cr = data[i * 3 + 2] - mid;
    data[i * 3] = clamp(Math.round(y + 1.402 * cr), max);
    data[i * 3 + 1] = clamp(Math.round(y - 0.344136 * cb - 0.714136 * cr), max);
    data[i * 3 + 2] = clamp(Math.round(y + 1.772 * cb), max);
  }
}

/** YBR_FULL_422 native layout (Y1 Y2 Cb Cr per pixel pair, PS3.3 §C.7.6.3.1.2) → YBR_FULL interleaved. */
export function ybr422ToYbrFull(src: SampleArray, rows: number, columns: number): Uint8Array {
  const out = new Uint8Array(rows * columns * 3);
  let s = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c += 2) {
      const y1 = src[s];
      const y2 = src[s + 1];
      const cb = src[s + 2];
      const cr = src[s + 3];
      s += 4;
      const o = (r * columns + c) * 3;
      out.set([y1, cb, cr], o);
      if (c + 1 < columns) out.set([y2, cb, cr], o + 3);
    }
  }
  return out;
}

function clamp(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}

export interface PaletteLut {
  entries: number;
  firstMapped: number;
  bitsPerEntry: number;
  data: Uint16Array;
}

/** PALETTE COLOR → RGB: each index looks up the three LUTs, clamped to the first/last entry (PS3.3 §C.7.6.3.1.5). */
export function applyPalette(
  indices: SampleArray,
  luts: [PaletteLut, PaletteLut, PaletteLut],
): Uint8Array | Uint16Array {
  const eightBit = luts.every((l) => l.bitsPerEntry <= 8);
  const out = eightBit ? new Uint8Array(indices.length * 3) : new Uint16Array(indices.length * 3);
  for (let i = 0; i < indices.length; i++) {
    for (let c = 0; c < 3; c++) {
      const lut = luts[c];
      let k = indices[i] - lut.firstMapped;
      k = k < 0 ? 0 : k >= lut.entries ? lut.entries - 1 : k;
      out[i * 3 + c] = lut.data[k] ?? 0;
    }
  }
  return out;
}
