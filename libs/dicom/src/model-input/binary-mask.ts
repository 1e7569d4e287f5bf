import { PNG } from 'pngjs';
import { gridCellToPixelRect } from './prepare-model-input';
import type { ModelInputGeometry, PixelRect } from './prepare-model-input';

/** A binary mask over an image's pixels, row-major, e.g. a finding's ground-truth region. */
export interface BinaryMask {
  rows: number;
  columns: number;
  /** 1 inside the region. */
  data: Uint8Array;
  area: number;
}

/** Decodes a mask PNG (red channel ≥ 128 inside) at its own resolution. */
export function decodeMaskPng(bytes: Uint8Array): BinaryMask {
  const png = PNG.sync.read(Buffer.from(bytes));
  const data = new Uint8Array(png.width * png.height);
  let area = 0;
  for (let i = 0; i < data.length; i++) {
    if (png.data[i * 4] >= 128) {
      data[i] = 1;
      area++;
    }
  }
  return { rows: png.height, columns: png.width, data, area };
}

/** The union of masks of one size, or null for none. */
export function unionMasks(masks: readonly BinaryMask[]): BinaryMask | null {
  if (masks.length === 0) return null;
  const { rows, columns } = masks[0];
  const data = new Uint8Array(rows * columns);
  let area = 0;
  for (const mask of masks) {
    for (let i = 0; i < data.length; i++) {
      if (mask.data[i] && !data[i]) {
        data[i] = 1;
        area++;
      }
    }
  }
  return { rows, columns, data, area };
}

/**
 * Whether a rectangle in original pixels contains at least one mask pixel, a pixel belonging to
 * the rectangle when its centre (r + ½, c + ½) lies in the half-open rectangle.
 */
export function rectTouchesMask(rect: PixelRect, mask: BinaryMask): boolean {
  const r0 = Math.max(0, Math.ceil(rect.row - 0.5));
  const r1 = Math.min(mask.rows, Math.ceil(rect.row + rect.height - 0.5));
  const c0 = Math.max(0, Math.ceil(rect.column - 0.5));
  const c1 = Math.min(mask.columns, Math.ceil(rect.column + rect.width - 0.5));
  for (let r = r0; r < r1; r++) {
    for (let c = c0; c < c1; c++) if (mask.data[r * mask.columns + c]) return true;
  }
  return false;
}

/**
 * The cells of a model-input patch grid (row-major) whose region of the original image touches the
 * mask (rectTouchesMask): 1 for such a cell, 0 otherwise and for cells wholly in padding.
 */
export function gridCellsTouchingMask(
  geometry: ModelInputGeometry,
  grid: { rows: number; cols: number },
  mask: BinaryMask,
): Uint8Array {
  const cells = new Uint8Array(grid.rows * grid.cols);
  for (let row = 0; row < grid.rows; row++) {
    for (let col = 0; col < grid.cols; col++) {
      const rect = gridCellToPixelRect(geometry, grid, { row, col });
      if (rect && rectTouchesMask(rect, mask)) cells[row * grid.cols + col] = 1;
    }
  }
  return cells;
}
