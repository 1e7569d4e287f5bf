import { PNG } from 'pngjs';
import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import type { DisplayImage } from '../lut/display-pipeline';
import type { ModelInputGeometry } from '../model-input/prepare-model-input';

export type Colormap = 'jet' | 'hot';

export interface HeatmapOverlay {
  /** Row-major weights, rows × cols; normalised to [0, 1] by their maximum before colouring. */
  weights: ArrayLike<number>;
  rows: number;
  cols: number;
  colormap?: Colormap;
  /** Opacity at the largest weight; each pixel's opacity is alpha × normalised weight. Default 0.5. */
  alpha?: number;
  /** When the grid covers the model input (with padding), its geometry; otherwise it covers the image. */
  geometry?: ModelInputGeometry;
}

/** Colormaps as closed forms so no table has to be maintained. */
export function colormap(name: Colormap, t: number): [number, number, number] {
  const c = (v: number): number => Math.round(255 * Math.min(1, Math.max(0, v)));
  switch (name) {
    case 'jet':
      return [c(1.5 - Math.abs(4 * t - 3)), c(1.5 - Math.abs(4 * t - 2)), c(1.5 - Math.abs(4 * t - 1))];
    case 'hot':
      return [c(3 * t), c(3 * t - 1), c(3 * t - 2)];
  }
}

/** Bilinear sample of the weight grid at a position in grid units (cell centres at k + 0.5). */
function sampleGrid(weights: ArrayLike<number>, rows: number, cols: number, gy: number, gx: number): number {
  const y = Math.min(Math.max(gy - 0.5, 0), rows - 1);
  const x = Math.min(Math.max(gx - 0.5, 0), cols - 1);
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const y1 = Math.min(y0 + 1, rows - 1);
  const x1 = Math.min(x0 + 1, cols - 1);
  const fy = y - y0;
  const fx = x - x0;
  const w = (r: number, c: number): number => Number(weights[r * cols + c]) || 0;
  return (w(y0, x0) * (1 - fx) + w(y0, x1) * fx) * (1 - fy) + (w(y1, x0) * (1 - fx) + w(y1, x1) * fx) * fy;
}

/** An 8-bit greyscale display image as PNG, optionally with a colour heatmap blended on top. */
export function renderPng(image: DisplayImage, heatmap?: HeatmapOverlay): Buffer {
  const png = new PNG({ width: image.columns, height: image.rows, colorType: 6 });
  let max = 0;
  if (heatmap) {
    if (heatmap.weights.length !== heatmap.rows * heatmap.cols)
      throw new DicomError(
        DicomErrorCode.InvalidArgument,
        `heatmap has ${heatmap.weights.length} weights, expected ${heatmap.rows}×${heatmap.cols}`,
      );
    for (let i = 0; i < heatmap.weights.length; i++) max = Math.max(max, Number(heatmap.weights[i]) || 0);
  }
  const alpha = heatmap?.alpha ?? 0.5;
  for (let r = 0; r < image.rows; r++) {
    for (let c = 0; c < image.columns; c++) {
      const i = r * image.columns + c;
      const g = Math.round(image.grey[i] * 255);
      let [R, G, B] = [g, g, g];
      if (heatmap && max > 0) {
        let gy: number;
        let gx: number;
        if (heatmap.geometry) {
          // Pixel centre → model-input coordinates → grid units.
          const m = heatmap.geometry;
          gy = (((r + 0.5) * m.resizedRows) / m.sourceRows + m.padTop) * (heatmap.rows / m.size);
          gx = (((c + 0.5) * m.resizedColumns) / m.sourceColumns + m.padLeft) * (heatmap.cols / m.size);
        } else {
          gy = ((r + 0.5) / image.rows) * heatmap.rows;
          gx = ((c + 0.5) / image.columns) * heatmap.cols;
        }
        const t = Math.max(0, sampleGrid(heatmap.weights, heatmap.rows, heatmap.cols, gy, gx) / max);
        const [hr, hg, hb] = colormap(heatmap.colormap ?? 'jet', t);
        const a = alpha * t;
        R = Math.round(R * (1 - a) + hr * a);
        G = Math.round(G * (1 - a) + hg * a);
        B = Math.round(B * (1 - a) + hb * a);
      }
      png.data[i * 4] = R;
      png.data[i * 4 + 1] = G;
      png.data[i * 4 + 2] = B;
      png.data[i * 4 + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}
