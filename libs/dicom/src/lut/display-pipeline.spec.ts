import { PNG } from 'pngjs';
import type { DecodedFrame } from '../pixels/decode-frame';
import type { ImageMetadata } from '../parse/metadata';
import { gridCellToPixelRect, prepareModelInput } from '../model-input/prepare-model-input';
import { renderPng } from '../render/render-png';
import { applyVoi, histogramWindow, toDisplay } from './display-pipeline';

function frame(
  values: number[],
  rows: number,
  columns: number,
  photometric: 'MONOCHROME1' | 'MONOCHROME2' = 'MONOCHROME2',
): DecodedFrame {
  return {
    index: 0,
    rows,
    columns,
    samplesPerPixel: 1,
    photometricInterpretation: photometric,
    bitsStored: 12,
    signed: false,
    pixels: Uint16Array.from(values),
  };
}

const image = (over: Partial<ImageMetadata> = {}): ImageMetadata =>
  ({
    rows: 1,
    columns: 4,
    samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2',
    bitsAllocated: 16,
    bitsStored: 12,
    highBit: 11,
    pixelRepresentation: 0,
    planarConfiguration: 0,
    numberOfFrames: 1,
    rescale: { slope: 1, intercept: 0 },
    windows: [],
    voiLutDescriptors: [],
    ...over,
  }) as ImageMetadata;

describe('display pipeline', () => {
  it('rescales to HU, then applies the linear window of PS3.3 C.11.2.1.2', () => {
    const out = toDisplay(
      frame([0, 1064, 1164, 2000], 1, 4),
      image({ rescale: { slope: 1, intercept: -1024 }, windows: [{ center: 40, width: 400 }] }),
    );
    expect(Array.from(out.grey).map((v) => +v.toFixed(2))).toEqual([0, 0.5, 0.75, 1]);
  });

  it('applies SIGMOID and inverts MONOCHROME1', () => {
    const out = toDisplay(
      frame([100], 1, 1, 'MONOCHROME1'),
      image({ windows: [{ center: 100, width: 50 }], voiLutFunction: 'SIGMOID' }),
    );
    expect(out.grey[0]).toBeCloseTo(0.5);
    expect(
      applyVoi(Float32Array.from([150]), { kind: 'sigmoid', center: 100, width: 50, source: 'override' })[0],
    ).toBeCloseTo(1 / (1 + Math.exp(-4)));
  });

  it('falls back to a histogram window that ignores outliers', () => {
    const values = new Float32Array(1000).map((_, i) => (i < 2 ? 100000 : i % 100));
    const w = histogramWindow(values);
    expect(w.center).toBeGreaterThan(40);
    expect(w.center).toBeLessThan(80);
    expect(toDisplay(frame([0, 50, 99], 1, 3), image()).voi?.source).toBe('histogram');
  });
});

describe('prepareModelInput', () => {
  it('resizes with aspect preserved, pads with zeros and maps grid cells back to pixels', () => {
    const grey = new Float32Array(100 * 200).fill(1);
    const input = prepareModelInput({ rows: 100, columns: 200, grey }, { size: 128 });
    expect(input.shape).toEqual([1, 128, 128]);
    expect(input.geometry).toMatchObject({
      scale: 0.64,
      resizedRows: 64,
      resizedColumns: 128,
      padTop: 32,
      padLeft: 0,
    });
    expect(input.tensor[0]).toBe(0);
    expect(input.tensor[32 * 128]).toBeCloseTo(1);
    expect(input.tensor[95 * 128 + 127]).toBeCloseTo(1);
    expect(input.tensor[96 * 128]).toBe(0);
    expect(gridCellToPixelRect(input.geometry, { rows: 8, cols: 8 }, { row: 0, col: 0 })).toBeUndefined();
    expect(gridCellToPixelRect(input.geometry, { rows: 8, cols: 8 }, { row: 2, col: 7 })).toEqual({
      row: 0,
      column: 175,
      height: 25,
      width: 25,
    });
  });

  it('area-averages when shrinking', () => {
    const grey = Float32Array.from([0, 1, 0, 1]);
    const input = prepareModelInput({ rows: 2, columns: 2, grey }, { size: 1 });
    expect(input.tensor[0]).toBeCloseTo(0.5);
  });
});

describe('renderPng', () => {
  it('writes the window as grey and blends a heatmap by weight', () => {
    const png = PNG.sync.read(
      renderPng(
        { rows: 2, columns: 2, grey: Float32Array.from([0, 1, 0.5, 0.5]) },
        { weights: [0], rows: 1, cols: 1 },
      ),
    );
    expect(Array.from(png.data.subarray(0, 8))).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    const hot = PNG.sync.read(
      renderPng(
        { rows: 1, columns: 2, grey: Float32Array.from([0, 0]) },
        { weights: [0, 1], rows: 1, cols: 2, alpha: 1, colormap: 'jet' },
      ),
    );
    expect(Array.from(hot.data.subarray(4, 7))).toEqual([128, 0, 0]);
  });
});
