/**
 * @jest-environment ../../libs/inference/jest.environment.js
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { closeCodecWorker, TransferSyntax, writeDicom } from '@mosaic/dicom';
import type { LoadedModel, PreprocessingConfig, RawPatientInputs } from '@mosaic/inference';
import { committedModelDirs, loadModel, prepareModelInputs } from '@mosaic/inference';
import { PreprocessPool } from './preprocess-pool';

/**
 * The point of the pool: while heavy images are prepared, the event loop stays free to answer other
 * requests. Event-loop delay (perf_hooks.monitorEventLoopDelay) is compared between the two modes
 * in the same run, as a ratio with a wide margin — not an absolute time, which a shared machine
 * could not hold. In process, each large radiograph blocks the loop for its whole decode,
 * window and resize; with the pool, the loop only posts and receives transferred buffers.
 */

/** A radiograph of 2048 × 1600, 12 bits stored, no window in the header (histogram window). */
async function largeRadiograph(seed: number): Promise<Uint8Array> {
  const rows = 2048;
  const columns = 1600;
  const pixels = new Uint16Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++)
      pixels[r * columns + c] = (r * 3 + c * 5 + seed * 97 + ((r * c) % 251)) % 4096;
  }
  return writeDicom({
    transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
    elements: [
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1.1' },
      { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.99.77.${seed}` },
      { tag: 0x00080060, vr: 'CS', value: 'DX' },
      { tag: 0x00180015, vr: 'CS', value: 'CHEST' },
      { tag: 0x00185101, vr: 'CS', value: 'PA' },
    ],
    image: { rows, columns, bitsAllocated: 16, bitsStored: 12, frames: [pixels] },
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The worst event-loop delay, in ms, while `work` runs. */
async function worstDelayDuring(work: () => Promise<unknown>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  // The delay timer must be running before the work starts, or a loop blocked from the first
  // instant is never sampled; and it must fire once after the work to record the last stall.
  await sleep(30);
  try {
    await work();
    await sleep(30);
  } finally {
    histogram.disable();
  }
  return histogram.max / 1e6;
}

describe('preprocessing off the event loop', () => {
  let model: LoadedModel;
  let pool: PreprocessPool;

  beforeAll(async () => {
    model = await loadModel(committedModelDirs()[0]);
    pool = new PreprocessPool({ workers: 1 });
  });

  // Here rather than in a finally: a test that times out on a starved machine still stops the worker.
  afterAll(async () => {
    await pool.close();
    await model.release();
    await closeCodecWorker();
  });

  it('keeps the event loop responsive while heavy images are prepared, unlike the in-process path', async () => {
    const config: PreprocessingConfig = model.preprocessing;
    const images = await Promise.all([1, 2].map(largeRadiograph));
    const jobs = (): RawPatientInputs[] =>
      images.map((bytes, i) => ({ image: { instanceId: `large-${i}`, bytes: new Uint8Array(bytes) } }));
    // Start the worker and send it the model's parameters, so both modes measure steady state.
    await pool.prepare(jobs()[0], config);
    await prepareModelInputs(jobs()[0], config);

    const inProcess: number[] = [];
    const pooled: number[] = [];
    for (let round = 0; round < 3; round++) {
      const local = jobs();
      inProcess.push(
        await worstDelayDuring(() => Promise.all(local.map((raw) => prepareModelInputs(raw, config)))),
      );
      const remote = jobs();
      pooled.push(await worstDelayDuring(() => Promise.all(remote.map((raw) => pool.prepare(raw, config)))));
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[1];
    // Measured on the 2-core reference machine under heavy load: 56× lower with four full-size
    // images (docs/benchmarks.md §Preprocessing workers); 4× with two smaller ones leaves room for
    // a starved machine.
    expect(median(pooled) * 4).toBeLessThan(median(inProcess));
  }, 600_000);
});
