import type { DicomDataset } from '../parse/dicom-dataset';
import { CodecPool, sharedCodecPool } from './codec-pool';
import { decodeFrameWith, finishPrepared, geometryOf, pixelModuleOf, prepareFrame } from './decode-frame';
import type { DecodedFrame, FrameLimits, PreparedFrame } from './decode-frame';
import type { CodecOutput } from './native-codecs';

export interface DecodeOptions extends FrameLimits {
  /** Per-frame time bound for compressed frames (ms); default 30 s or MOSAIC_DICOM_DECODE_TIMEOUT_MS. */
  timeoutMs?: number;
}

function poolFor(opts: DecodeOptions): CodecPool {
  return opts.timeoutMs === undefined ? sharedCodecPool() : new CodecPool(opts.timeoutMs);
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
  const pool = poolFor(opts);
  try {
    return await decodeFrameWith(
      ds,
      index,
      (codec, encoded, geometry) => pool.decode(codec, encoded, geometry, ds.fileName),
      opts,
    );
  } finally {
    if (pool !== sharedCodecPool()) await pool.close();
  }
}

/**
 * Decodes every frame in order. Compressed frames are pipelined over the codec pool: up to two frames per
 * worker are in flight while this thread converts the oldest finished one, and every frame keeps its own
 * time bound. Between native frames the event loop gets a turn, so a long multi-frame file does not hold
 * it for the whole decode.
 */
export async function decodeAllFrames(ds: DicomDataset, opts: DecodeOptions = {}): Promise<DecodedFrame[]> {
  const module = pixelModuleOf(ds);
  const codec = ds.transferSyntax.codec;
  const frames: DecodedFrame[] = [];
  const count = module.numberOfFrames;
  if (codec === 'native') {
    for (let i = 0; i < count; i++) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      frames.push(finishPrepared(ds, prepareFrame(ds, i, opts)));
    }
    return frames;
  }
  const pool = poolFor(opts);
  const launch = (i: number): { frame: PreparedFrame; output: Promise<CodecOutput> } => {
    const frame = prepareFrame(ds, i, opts);
    const output = pool.decode(codec, frame.stored, geometryOf(frame.module), ds.fileName);
    // Observed here so a failure of a frame that is never awaited (an earlier one failed) is not unhandled.
    output.catch(() => undefined);
    return { frame, output };
  };
  try {
    const pending: ReturnType<typeof launch>[] = [];
    let launched = 0;
    while (launched < Math.min(count, pool.concurrency)) pending.push(launch(launched++));
    for (let i = 0; i < count; i++) {
      const current = pending.shift() as ReturnType<typeof launch>;
      const output = await current.output;
      // Refill before converting, so the workers are not idle meanwhile.
      if (launched < count) pending.push(launch(launched++));
      frames.push(finishPrepared(ds, current.frame, output));
    }
    return frames;
  } finally {
    if (pool !== sharedCodecPool()) await pool.close();
  }
}
