import type { DicomDataset } from '../parse/dicom-dataset';
import { CodecWorker, sharedCodecWorker } from './codec-pool';
import { decodeFrameWith, finishPrepared, geometryOf, pixelModuleOf, prepareFrame } from './decode-frame';
import type { DecodedFrame, FrameLimits, PreparedFrame } from './decode-frame';
import type { CodecOutput } from './native-codecs';

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

/**
 * Decodes every frame in order. Compressed frames are pipelined: the worker decodes frame i + 1 while this
 * thread converts frame i, and every frame keeps its own time bound. Between native frames the event loop
 * gets a turn, so a long multi-frame file does not hold it for the whole decode.
 */
export async function decodeAllFrames(ds: DicomDataset, opts: DecodeOptions = {}): Promise<DecodedFrame[]> {
  const module = pixelModuleOf(ds);
  const codec = ds.transferSyntax.codec;
  const frames: DecodedFrame[] = [];
  if (codec === 'native') {
    for (let i = 0; i < module.numberOfFrames; i++) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      frames.push(finishPrepared(ds, prepareFrame(ds, i, opts)));
    }
    return frames;
  }
  const worker = workerFor(opts);
  const launch = (i: number): { frame: PreparedFrame; output: Promise<CodecOutput> } => {
    const frame = prepareFrame(ds, i, opts);
    const output = worker.decode(codec, frame.stored, geometryOf(frame.module), ds.fileName);
    // Observed here so a failure of a frame that is never awaited (an earlier one failed) is not unhandled.
    output.catch(() => undefined);
    return { frame, output };
  };
  try {
    let current = launch(0);
    for (let i = 0; i < module.numberOfFrames; i++) {
      const next = i + 1 < module.numberOfFrames ? launch(i + 1) : undefined;
      frames.push(finishPrepared(ds, current.frame, await current.output));
      if (next) current = next;
    }
    return frames;
  } finally {
    if (worker !== sharedCodecWorker()) await worker.close();
  }
}
