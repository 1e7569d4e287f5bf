import { PNG } from 'pngjs';
import type { BinaryMask } from './binary-mask';
import { decodeMaskPng, gridCellsTouchingMask, rectTouchesMask, unionMasks } from './binary-mask';
import { binaryMask as mask } from '../testing/synthetic';
import { modelInputGeometry } from './prepare-model-input';

describe('binary masks', () => {
  it('counts a pixel in a rectangle when its centre lies inside the half-open rectangle', () => {
    // Pixel (5, 6) has centre (5.5, 6.5).
    const m = mask(8, 8, (r, c) => r === 5 && c === 6);
    expect(rectTouchesMask({ row: 5.4, column: 6, height: 1, width: 1 }, m)).toBe(true);
    expect(rectTouchesMask({ row: 5.5, column: 6, height: 1, width: 1 }, m)).toBe(true);
    expect(rectTouchesMask({ row: 5.6, column: 6, height: 1, width: 1 }, m)).toBe(false);
    expect(rectTouchesMask({ row: 4, column: 4, height: 1.5, width: 4 }, m)).toBe(false);
  });

  it('decodes a mask PNG (255 inside) and unions several masks', () => {
    const png = new PNG({ width: 3, height: 2 });
    png.data.fill(0);
    for (const i of [1, 5]) png.data.set([255, 255, 255, 255], i * 4);
    const decoded = decodeMaskPng(PNG.sync.write(png));
    expect(decoded).toMatchObject({ rows: 2, columns: 3, area: 2 });
    expect(Array.from(decoded.data)).toEqual([0, 1, 0, 0, 0, 1]);
    const union = unionMasks([decoded, mask(2, 3, (r, c) => r === 0 && c <= 1)]);
    expect(union?.area).toBe(3);
    expect(unionMasks([])).toBeNull();
  });

  it('marks the grid cells whose original-pixel region touches the mask, undoing resize and padding', () => {
    // 384 × 320 into a 128 model input: 128 × 107 model pixels, 10 columns of padding on the left;
    // 8 × 8 cells of 16 model pixels: 48 source rows, and 47.85 source columns (16 / (107 / 320)).
    // Cell column 0 covers source columns 0–17.9 (its first 10 model columns are padding).
    const geometry = modelInputGeometry(384, 320, 128);
    const grid = { rows: 8, cols: 8 };
    const marked = (m: BinaryMask): number[] => {
      const cells = gridCellsTouchingMask(geometry, grid, m);
      return [...cells.keys()].filter((i) => cells[i] === 1);
    };
    // Rows 100–139 lie in grid row 2 (source rows 96–143), columns 10–11 in grid column 0.
    expect(marked(mask(384, 320, (r, c) => r >= 100 && r < 140 && c >= 10 && c < 12))).toEqual([2 * 8]);
    // Row 200 is grid row 4; columns 150–169 straddle grid columns 3 (113.6–161.5) and 4.
    expect(marked(mask(384, 320, (r, c) => r === 200 && c >= 150 && c < 170))).toEqual([
      4 * 8 + 3,
      4 * 8 + 4,
    ]);
    expect(marked(mask(384, 320, () => false))).toEqual([]);
  });
});
