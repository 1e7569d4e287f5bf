import { decodeFrame, parseDicom, prepareModelInput, readImageMetadata, toDisplay } from '@mosaic/dicom';
import type { ModelInputGeometry } from '@mosaic/dicom';
import { PreprocessError, PreprocessErrorCode } from '../preprocess.errors';

/**
 * The image model input: libs/dicom decodes the frame, applies the Modality LUT, the header window
 * (or a histogram window) and MONOCHROME1 inversion, then resizes aspect-preserving into a
 * zero-padded square (docs/dicom.md). Nothing image-specific is re-implemented here, so serving
 * and training export cannot drift.
 */

export const DEFAULT_IMAGE_SIZE = 128;

export interface PreparedImage {
  /** Row-major [1, size, size], display intensity in [0, 1], padding 0. */
  tensor: Float32Array;
  shape: [1, number, number];
  /** Where the original pixels sit, to map patch attention back (ARCHITECTURE.md §Explanation payload). */
  geometry: ModelInputGeometry;
  /** The VOI window that was applied, for the record. */
  window: { center: number; width: number; source: string } | null;
}

export async function prepareImage(
  dicomBytes: Uint8Array,
  options: { size?: number; frame?: number } = {},
): Promise<PreparedImage> {
  const dataset = parseDicom(dicomBytes);
  const metadata = readImageMetadata(dataset);
  if (!metadata) {
    throw new PreprocessError(
      PreprocessErrorCode.ImageUnavailable,
      'the DICOM file has no image pixel module',
    );
  }
  const frame = await decodeFrame(dataset, options.frame ?? 0);
  const display = toDisplay(frame, metadata, { ds: dataset });
  const input = prepareModelInput(display, { size: options.size ?? DEFAULT_IMAGE_SIZE });
  const voi = display.voi;
  const window =
    voi && 'center' in voi && 'width' in voi
      ? { center: Number(voi.center), width: Number(voi.width), source: String(voi.source) }
      : null;
  return { tensor: input.tensor, shape: input.shape, geometry: input.geometry, window };
}
