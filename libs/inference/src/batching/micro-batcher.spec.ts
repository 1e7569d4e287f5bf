import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('runs a full batch at once and gives each item its own output', async () => {
    const runs: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        runs.push(items);
        return items.map((x) => x * 10);
      },
      { maxSize: 3, maxWaitMs: 10_000 },
    );
    const out = await Promise.all([1, 2, 3].map((x) => batcher.submit(x)));
    expect(out).toEqual([10, 20, 30]);
    expect(runs).toEqual([[1, 2, 3]]);
  });

  it('runs a partial batch after maxWaitMs', async () => {
    const runs: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        runs.push(items);
        return items;
      },
      { maxSize: 8, maxWaitMs: 5 },
    );
    const started = Date.now();
    expect(await Promise.all([batcher.submit(1), batcher.submit(2)])).toEqual([1, 2]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4);
    expect(runs).toEqual([[1, 2]]);
  });

  it('queues items while a batch runs and runs them together next, never more than maxSize', async () => {
    const runs: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        runs.push(items);
        if (runs.length === 1) await gate;
        return items;
      },
      { maxSize: 2, maxWaitMs: 0 },
    );
    const first = batcher.submit(0);
    await new Promise((resolve) => setImmediate(resolve)); // the first batch starts at the turn's end
    const rest = [1, 2, 3, 4, 5].map((x) => batcher.submit(x));
    expect(batcher.pending).toBe(5);
    release();
    await Promise.all([first, ...rest]);
    expect(runs).toEqual([[0], [1, 2], [3, 4], [5]]);
    expect(batcher.batchSizes).toEqual([1, 2, 2, 1]);
  });

  it('with maxWaitMs 0, batches what arrives in one event-loop turn and waits no longer', async () => {
    const runs: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        runs.push(items);
        return items;
      },
      { maxSize: 8, maxWaitMs: 0 },
    );
    const turn = [1, 2, 3].map((x) => batcher.submit(x));
    expect(batcher.pending).toBe(3);
    expect(await Promise.all(turn)).toEqual([1, 2, 3]);
    expect(await batcher.submit(4)).toBe(4);
    expect(runs).toEqual([[1, 2, 3], [4]]);
  });

  it('fails every item of a failed batch, and only those', async () => {
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        if (items.includes(13)) throw new Error('bad row');
        return items;
      },
      { maxSize: 2, maxWaitMs: 5, maxInFlight: 2 },
    );
    const results = await Promise.allSettled([12, 13, 14].map((x) => batcher.submit(x)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('refuses a batch size below 1', () => {
    expect(() => new MicroBatcher(async (x: number[]) => x, { maxSize: 0, maxWaitMs: 1 })).toThrow(
      RangeError,
    );
  });
});
