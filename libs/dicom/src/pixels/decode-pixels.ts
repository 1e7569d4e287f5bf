import type { DicomDataset } from '../parse/dicom-dataset';
import { CodecWorker, sharedCodecWorker } from './codec-pool';
import { decodeFrameWith, pixelModuleOf } from './decode-frame';
import type { DecodedFrame, FrameLimits } from './decode-frame';

export interface DecodeOptions extends FrameLimits {
  /** Per-frame time bound for compressed frames (ms); default 30 s or MOSAIC_DICOM_DECODE_TIMEOUT_MS. */
  timeoutMs?: number;
}

function workerFor(opts: DecodeOptions): CodecWorker {
  return opts.timeoutMs === undefined ? sharedCodecWorker() : new CodecWorker(opts.timeoutMs);
}

/**
 * Decodes one frame (0-based). Compressed frames are decoded in a worker thread that is terminated
 * when it exceeds the time bound, so the caller's event loop is never blocked by a codec.
 */
export async function decodeFrame(
  ds: DicomDataset,
  index = 0,
  opts: DecodeOptions = {},
): Promise<DecodedFrame> {
  const worker = workerFor(opts);
  try {
    return await decodeFrameWith(
      ds,
      index,
      (codec, encoded, geometry) => worker.decode(codec, encoded, geometry, ds.fileName),
      opts,
    );
  } finally {
    if (worker !== sharedCodecWorker()) await worker.close();
  }
}

/** Decodes every frame in order. */
export async function decodeAllFrames(ds: DicomDataset, opts: DecodeOptions = {}): Promise<DecodedFrame[]> {
  const module = pixelModuleOf(ds);
  const worker = workerFor(opts);
  try {
    const frames: DecodedFrame[] = [];
    for (let i = 0; i < module.numberOfFrames; i++) {
      frames.push(
        await decodeFrameWith(
          ds,
          i,
          (codec, encoded, geometry) => worker.decode(codec, encoded, geometry, ds.fileName),
          opts,
        ),
      );
    }
    return frames;
  } finally {
    if (worker !== sharedCodecWorker()) await worker.close();
  }
}
