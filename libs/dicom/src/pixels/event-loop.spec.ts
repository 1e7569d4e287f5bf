import { parseDicom } from '../parse/parse-dicom';
import { TransferSyntax } from '../parse/transfer-syntax';
import { baseElements, gradientFrame } from '../testing/synthetic';
import { writeDicom } from '../write/write-dicom';
import { closeCodecWorker } from './codec-pool';
import { decodeFrame } from './decode-pixels';

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
});
