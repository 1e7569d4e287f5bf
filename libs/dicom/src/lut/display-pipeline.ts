import type { DicomDataset } from '../parse/dicom-dataset';
import type { ImageMetadata, LutDescriptor } from '../parse/metadata';
import type { DecodedFrame } from '../pixels/decode-frame';

/** An explicit LUT (Modality or VOI LUT Sequence item), PS3.3 §C.11.1 and §C.11.2. */
export interface ExplicitLut extends LutDescriptor {
  data: Uint16Array;
}

/** How stored-then-modality values map to display intensity in [0, 1]. */
export type VoiTransform =
  | {
      kind: 'linear' | 'linear-exact' | 'sigmoid';
      center: number;
      width: number;
      source: 'override' | 'header' | 'histogram';
    }
  | { kind: 'lut'; lut: ExplicitLut; source: 'header' };

function readLut(item: DicomDataset): ExplicitLut | undefined {
  const d = item.numbers(0x00283002);
  const bytes = item.valueBytes(0x00283006);
  if (d.length < 3 || !bytes) return undefined;
  const entries = d[0] === 0 ? 65536 : d[0];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = Math.min(entries, Math.floor(bytes.length / 2));
  const data = new Uint16Array(words);
  for (let i = 0; i < words; i++) data[i] = view.getUint16(i * 2, item.transferSyntax.littleEndian);
  return { entries: words, firstMapped: d[1], bitsPerEntry: d[2], data };
}

function lookup(lut: ExplicitLut, x: number): number {
  const k = Math.round(x) - lut.firstMapped;
  return lut.data[k < 0 ? 0 : k >= lut.entries ? lut.entries - 1 : k];
}

/**
 * Modality LUT (PS3.3 §C.11.1): the Modality LUT Sequence when present, else Rescale Slope/Intercept,
 * giving output units (HU for CT, or unspecified). Greyscale frames only.
 */
export function applyModalityLut(frame: DecodedFrame, image: ImageMetadata, ds?: DicomDataset): Float32Array {
  const out = new Float32Array(frame.pixels.length);
  const lutItem = ds?.items(0x00283000)[0];
  const lut = lutItem ? readLut(lutItem) : undefined;
  if (lut) {
    for (let i = 0; i < out.length; i++) out[i] = lookup(lut, frame.pixels[i]);
    return out;
  }
  const { slope, intercept } = image.rescale;
  for (let i = 0; i < out.length; i++) out[i] = frame.pixels[i] * slope + intercept;
  return out;
}

/**
 * Automatic window when the file gives none: the 0.5th to 99.5th percentile of the modality values,
 * so a few extreme pixels (collimator edges, burnt-in markers) do not flatten the contrast.
 */
export function histogramWindow(values: Float32Array): { center: number; width: number } {
  if (values.length === 0) return { center: 0, width: 1 };
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max === min) return { center: min, width: 1 };
  const bins = 4096;
  const histogram = new Uint32Array(bins);
  const scale = (bins - 1) / (max - min);
  for (const v of values) histogram[Math.floor((v - min) * scale)]++;
  const cut = values.length * 0.005;
  let low = 0;
  let seen = 0;
  while (low < bins - 1 && seen + histogram[low] <= cut) seen += histogram[low++];
  let high = bins - 1;
  seen = 0;
  while (high > low && seen + histogram[high] <= cut) seen += histogram[high--];
  const lo = min + low / scale;
  const hi = min + (high + 1) / scale;
  return { center: (lo + hi) / 2, width: Math.max(hi - lo, 1) };
}

/** Picks the VOI transform: an explicit window, else the header's first window (with its VOI LUT Function), else the VOI LUT Sequence, else the histogram. */
export function chooseVoi(
  modalityValues: Float32Array,
  image: ImageMetadata,
  ds?: DicomDataset,
  window?: { center: number; width: number },
): VoiTransform {
  const fn = (image.voiLutFunction ?? 'LINEAR').toUpperCase();
  const kind = fn === 'SIGMOID' ? 'sigmoid' : fn === 'LINEAR_EXACT' ? 'linear-exact' : 'linear';
  if (window) return { kind, ...window, source: 'override' };
  if (image.windows[0])
    return { kind, center: image.windows[0].center, width: image.windows[0].width, source: 'header' };
  const voiItem = ds?.items(0x00283010)[0];
  const lut = voiItem ? readLut(voiItem) : undefined;
  if (lut) return { kind: 'lut', lut, source: 'header' };
  return { kind: 'linear', ...histogramWindow(modalityValues), source: 'histogram' };
}

/** VOI transform to [0, 1] (PS3.3 §C.11.2.1.2: LINEAR, LINEAR_EXACT and SIGMOID formulas with y range 0–1). */
export function applyVoi(values: Float32Array, voi: VoiTransform): Float32Array {
  const out = new Float32Array(values.length);
  switch (voi.kind) {
    case 'linear': {
      const c = voi.center - 0.5;
      const w = Math.max(voi.width - 1, 1e-6);
      for (let i = 0; i < values.length; i++) {
        const y = (values[i] - c) / w + 0.5;
        out[i] = y <= 0 ? 0 : y >= 1 ? 1 : y;
      }
      break;
    }
    case 'linear-exact':
      for (let i = 0; i < values.length; i++) {
        const y = (values[i] - voi.center) / voi.width + 0.5;
        out[i] = y <= 0 ? 0 : y >= 1 ? 1 : y;
      }
      break;
    case 'sigmoid':
      for (let i = 0; i < values.length; i++)
        out[i] = 1 / (1 + Math.exp((-4 * (values[i] - voi.center)) / voi.width));
      break;
    case 'lut': {
      const max = 2 ** voi.lut.bitsPerEntry - 1;
      for (let i = 0; i < values.length; i++) out[i] = lookup(voi.lut, values[i]) / max;
      break;
    }
  }
  return out;
}

export interface DisplayImage {
  rows: number;
  columns: number;
  /** Display intensity per pixel in [0, 1]; 0 black, 1 white, MONOCHROME1 already inverted. */
  grey: Float32Array;
  voi?: VoiTransform;
}

/**
 * Stored values → what is displayed: Modality LUT, VOI LUT, then MONOCHROME1 inversion (PS3.3 §C.7.6.3.1.2
 * "minimum sample value is intended to be displayed as white"). Colour frames become luminance (BT.601).
 */
export function toDisplay(
  frame: DecodedFrame,
  image: ImageMetadata,
  opts: { ds?: DicomDataset; window?: { center: number; width: number } } = {},
): DisplayImage {
  if (frame.samplesPerPixel === 3) {
    const max = 2 ** frame.bitsStored - 1;
    const grey = new Float32Array(frame.rows * frame.columns);
    for (let i = 0; i < grey.length; i++) {
      grey[i] =
        (0.299 * frame.pixels[i * 3] + 0.587 * frame.pixels[i * 3 + 1] + 0.114 * frame.pixels[i * 3 + 2]) /
        max;
    }
    return { rows: frame.rows, columns: frame.columns, grey };
  }
  const modality = applyModalityLut(frame, image, opts.ds);
  const voi = chooseVoi(modality, image, opts.ds, opts.window);
  const grey = applyVoi(modality, voi);
  if (frame.photometricInterpretation === 'MONOCHROME1')
    for (let i = 0; i < grey.length; i++) grey[i] = 1 - grey[i];
  return { rows: frame.rows, columns: frame.columns, grey, voi };
}
