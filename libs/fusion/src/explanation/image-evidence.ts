import type { PixelRect } from '@mosaic/dicom';
import { gridCellToPixelRect } from '@mosaic/dicom';
import type { ImageInput } from '@mosaic/inference';
import { FusionError, FusionErrorCode } from '../fusion.errors';

/**
 * Image evidence (ARCHITECTURE.md §Explanation payload): the label's attention over the 8×8 patch
 * grid of the model input, with `toPixel` giving each cell's rectangle in the original image (row,
 * column, origin top-left), undoing the model's aspect-preserving resize and centred padding
 * (libs/dicom gridCellToPixelRect). Cells that lie wholly in padding map to null.
 */
export interface ImageEvidence {
  instanceId: string;
  /** 0-based frame of the instance. */
  frame: number;
  grid: { rows: number; cols: number };
  /** Row-major attention per cell (rows × cols). */
  weights: number[];
  /** Row-major, per cell: its rectangle in original pixels, or null for padding. */
  toPixel: (PixelRect | null)[];
}

export function imageEvidence(
  image: ImageInput,
  grid: { rows: number; cols: number },
  weights: ArrayLike<number>,
): ImageEvidence {
  if (weights.length !== grid.rows * grid.cols) {
    throw new FusionError(
      FusionErrorCode.InvalidAttention,
      `image attention has ${weights.length} cells, the grid ${grid.rows}×${grid.cols}`,
    );
  }
  const toPixel: (PixelRect | null)[] = [];
  for (let row = 0; row < grid.rows; row++) {
    for (let col = 0; col < grid.cols; col++) {
      toPixel.push(gridCellToPixelRect(image.geometry, grid, { row, col }) ?? null);
    }
  }
  return {
    instanceId: image.instanceId,
    frame: image.frame,
    grid: { ...grid },
    weights: Array.from(weights),
    toPixel,
  };
}

/** The most-attended cell that shows image pixels (padding cells cannot be evidence). */
export function topImageCell(evidence: ImageEvidence): number | null {
  let best: number | null = null;
  evidence.weights.forEach((weight, cell) => {
    if (evidence.toPixel[cell] && (best === null || weight > evidence.weights[best])) best = cell;
  });
  return best;
}
