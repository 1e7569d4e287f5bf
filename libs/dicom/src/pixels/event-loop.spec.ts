import { parseDicom } from '../parse/parse-dicom';
import { TransferSyntax } from '../parse/transfer-syntax';
import { baseElements, gradientFrame } from '../testing/synthetic';
import { writeDicom } from '../write/write-dicom';
import type { DicomError } from '../errors/dicom-error';
import { DicomErrorCode } from '../errors/dicom-error';
import { CodecPool, CodecWorker, closeCodecWorker } from './codec-pool';
import { geometryOf, pixelModuleOf } from './decode-frame';
import { storedFrameBytes } from './frame-source';
import { decodeAllFrames, decodeFrame } from './decode-pixels';

afterAll(() => closeCodecWorker());

async function jpeg2000(size: number) {
  const bytes = await writeDicom({
    transferSyntaxUid: TransferSyntax.Jpeg2000Lossless,
    elements: baseElements(),
    image: {
      rows: size,
      columns: size,
      bitsAllocated: 16,
      bitsStored: 12,
      frames: [gradientFrame(size, size, 12)],
    },
  });
  return parseDicom(bytes, { fileName: `j2k-${size}.dcm` });
}

describe('decoding off the main thread', () => {
  it('keeps the event loop turning while a large frame decodes in the codec worker', async () => {
    const large = await jpeg2000(1024);
    // Start the worker and compile the codecs first, so what follows measures only the decode.
    await decodeFrame(await jpeg2000(16), 0);

    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
    }, 1);
    let ticksWhenDecoded = -1;
    const frame = await decodeFrame(large, 0).finally(() => {
      ticksWhenDecoded = ticks;
      clearInterval(timer);
    });

    expect(frame.rows).toBe(1024);
    expect(Array.from(frame.pixels.subarray(0, 64))).toEqual(
      Array.from(gradientFrame(1024, 1024, 12).subarray(0, 64)),
    );
    // Timer callbacks ran while the decode was in flight: the main thread was free. (A synchronous decode
    // on this thread would let none run before it returned.)
    expect(ticksWhenDecoded).toBeGreaterThan(0);
  });

  it('leaves a file read as a Node Buffer intact after handing frames to the worker', async () => {
    const frames = [0, 1, 2].map((seed) => gradientFrame(16, 16, 12, false, seed));
    const bytes = await writeDicom({
      transferSyntaxUid: TransferSyntax.RleLossless,
      elements: baseElements(),
      image: { rows: 16, columns: 16, bitsAllocated: 16, bitsStored: 12, frames },
    });
    // readFileSync returns a Buffer, whose slice() is a view: transferring it would detach the file.
    // Buffer.alloc, like readFileSync, owns its memory (Buffer.from on a small array would use the shared pool).
    const buffer = Buffer.alloc(bytes.byteLength);
    buffer.set(bytes);
    const ds = parseDicom(buffer, { fileName: 'buffer.dcm' });
    const out = await decodeAllFrames(ds);
    expect(out.map((f) => Array.from(f.pixels))).toEqual(frames.map((f) => Array.from(f)));
    expect(ds.bytes.byteLength).toBe(bytes.byteLength);
    expect(Array.from((await decodeFrame(ds, 2)).pixels)).toEqual(Array.from(frames[2]));
  });

  it.each([
    [2, ['small', 'large']],
    [1, ['large', 'small']],
  ])('with %d codec worker(s), a small frame posted after a large one finishes %j', async (size, order) => {
    const large = await jpeg2000(1024);
    const small = await jpeg2000(16);
    const request = (ds: typeof large) =>
      [storedFrameBytes(ds, pixelModuleOf(ds), 0), geometryOf(pixelModuleOf(ds))] as const;
    const pool = new CodecPool(30_000, size);
    try {
      // Start every worker and compile the codecs: two overlapping requests reach two workers.
      await Promise.all([
        pool.decode('jpeg2000', ...request(small)),
        pool.decode('jpeg2000', ...request(small)),
      ]);
      const finished: string[] = [];
      await Promise.all([
        pool.decode('jpeg2000', ...request(large)).then(() => finished.push('large')),
        pool.decode('jpeg2000', ...request(small)).then(() => finished.push('small')),
      ]);
      // One worker decodes in order; with two, the small frame does not wait behind the large one.
      expect(finished).toEqual(order);
    } finally {
      await pool.close();
    }
  });

  it('gives each request posted ahead its own time bound and names its own file', async () => {
    const ds = await jpeg2000(64);
    const frame = storedFrameBytes(ds, pixelModuleOf(ds), 0);
    const worker = new CodecWorker(1); // shorter than starting a worker: every request times out
    try {
      const results = await Promise.allSettled(
        ['a.dcm', 'b.dcm', 'c.dcm'].map((name) =>
          worker.decode('jpeg2000', frame, geometryOf(pixelModuleOf(ds)), name),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      results.forEach((r, i) => {
        const reason = (r as PromiseRejectedResult).reason as DicomError;
        expect(reason.code).toBe(DicomErrorCode.DecodeTimeout);
        expect(reason.message).toMatch(new RegExp(`^${'abc'[i]}\\.dcm: `, 'u'));
      });
    } finally {
      await worker.close();
    }
  });
});
