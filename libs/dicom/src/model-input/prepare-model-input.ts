import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import type { DisplayImage } from '../lut/display-pipeline';

/** Where the original image sits inside the square model input. */
export interface ModelInputGeometry {
  size: number;
  sourceRows: number;
  sourceColumns: number;
  /** Model pixels per source pixel (same on both axes: aspect preserved). */
  scale: number;
  resizedRows: number;
  resizedColumns: number;
  /** Zero rows above and zero columns left of the resized image. */
  padTop: number;
  padLeft: number;
}

/** A rectangle in original-image pixels, origin top-left; fractional edges are kept. */
export interface PixelRect {
  row: number;
  column: number;
  height: number;
  width: number;
}

export interface ModelInput {
  /** Shape [1, size, size], row-major. */
  tensor: Float32Array;
  shape: [1, number, number];
  geometry: ModelInputGeometry;
}

/**
 * Square model input from a display image (after Modality LUT, VOI and MONOCHROME1 inversion):
 * - aspect-preserving resize so the longer side is `size`: separable area averaging when shrinking
 *   (each output sample is the coverage-weighted mean of the source pixels under it, like OpenCV
 *   INTER_AREA) and bilinear with half-pixel centres when enlarging;
 * - centred, with zero padding on the short side (0 = black);
 * - normalisation: values stay the windowed display intensity in [0, 1] (no mean/std shift), so the
 *   padding equals black.
 */
export function prepareModelInput(image: DisplayImage, opts: { size?: number } = {}): ModelInput {
  const size = opts.size ?? 128;
  if (!Number.isInteger(size) || size < 1 || size > 4096)
    throw new DicomError(DicomErrorCode.InvalidArgument, `model input size ${size} is not an integer 1–4096`);
  const geometry = modelInputGeometry(image.rows, image.columns, size);
  const rowWeights = resampleWeights(image.rows, geometry.resizedRows);
  const colWeights = resampleWeights(image.columns, geometry.resizedColumns);
  // Columns first (rows × resizedColumns), then rows.
  const tmp = new Float32Array(image.rows * geometry.resizedColumns);
  for (let r = 0; r < image.rows; r++) {
    for (let c = 0; c < geometry.resizedColumns; c++) {
      let sum = 0;
      for (const [k, w] of colWeights[c]) sum += image.grey[r * image.columns + k] * w;
      tmp[r * geometry.resizedColumns + c] = sum;
    }
  }
  const tensor = new Float32Array(size * size);
  for (let r = 0; r < geometry.resizedRows; r++) {
    for (let c = 0; c < geometry.resizedColumns; c++) {
      let sum = 0;
      for (const [k, w] of rowWeights[r]) sum += tmp[k * geometry.resizedColumns + c] * w;
      tensor[(r + geometry.padTop) * size + c + geometry.padLeft] = sum;
    }
  }
  return { tensor, shape: [1, size, size], geometry };
}

export function modelInputGeometry(rows: number, columns: number, size: number): ModelInputGeometry {
  const scale = size / Math.max(rows, columns);
  const resizedRows = Math.max(1, Math.min(size, Math.round(rows * scale)));
  const resizedColumns = Math.max(1, Math.min(size, Math.round(columns * scale)));
  return {
    size,
    sourceRows: rows,
    sourceColumns: columns,
    scale,
    resizedRows,
    resizedColumns,
    padTop: Math.floor((size - resizedRows) / 2),
    padLeft: Math.floor((size - resizedColumns) / 2),
  };
}

/**
 * Maps a cell of a grid laid over the model input (e.g. the 8×8 patch grid) back to its rectangle in
 * the original image, undoing padding and resize; undefined when the cell lies entirely in padding.
 */
export function gridCellToPixelRect(
  geometry: ModelInputGeometry,
  grid: { rows: number; cols: number },
  cell: { row: number; col: number },
): PixelRect | undefined {
  const cellH = geometry.size / grid.rows;
  const cellW = geometry.size / grid.cols;
  const sy = geometry.resizedRows / geometry.sourceRows;
  const sx = geometry.resizedColumns / geometry.sourceColumns;
  const y0 = Math.max(0, (cell.row * cellH - geometry.padTop) / sy);
  const y1 = Math.min(geometry.sourceRows, ((cell.row + 1) * cellH - geometry.padTop) / sy);
  const x0 = Math.max(0, (cell.col * cellW - geometry.padLeft) / sx);
  const x1 = Math.min(geometry.sourceColumns, ((cell.col + 1) * cellW - geometry.padLeft) / sx);
  if (y1 <= y0 || x1 <= x0) return undefined;
  return { row: y0, column: x0, height: y1 - y0, width: x1 - x0 };
}

/** For each output index: [source index, weight] pairs summing to 1. */
function resampleWeights(source: number, target: number): Array<Array<[number, number]>> {
  const ratio = source / target;
  const out: Array<Array<[number, number]>> = [];
  for (let o = 0; o < target; o++) {
    const taps: Array<[number, number]> = [];
    if (ratio >= 1) {
      // Area: the output sample covers [o·ratio, (o+1)·ratio) in source pixels.
      const start = o * ratio;
      const end = start + ratio;
      for (let k = Math.floor(start); k < Math.min(source, Math.ceil(end)); k++) {
        const w = Math.min(end, k + 1) - Math.max(start, k);
        if (w > 0) taps.push([k, w / ratio]);
      }
    } else {
      // Bilinear with half-pixel centres.
      const x = Math.min(Math.max((o + 0.5) * ratio - 0.5, 0), source - 1);
      const k = Math.floor(x);
      const f = x - k;
      taps.push([k, 1 - f]);
      if (f > 0 && k + 1 < source) taps.push([k + 1, f]);
    }
    out.push(taps);
  }
  return out;
}
