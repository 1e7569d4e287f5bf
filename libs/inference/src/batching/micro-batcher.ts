/**
 * Groups concurrent requests into one batch run. A batch starts when it holds `maxSize` items, or
 * `maxWaitMs` after its first item arrived — with `maxWaitMs` 0, at the end of the event-loop turn
 * in which it arrived (setImmediate), so the items submitted in that turn still share it; while a
 * batch runs, new items queue for the next one (at most `maxInFlight` batches run at once), so under
 * load the batches fill up by themselves without any waiting.
 * Each item gets back the output of its own position in the batch; an error fails every item of
 * the batch it was in, and no other.
 */

export interface MicroBatcherOptions {
  maxSize: number;
  maxWaitMs: number;
  /** Batches running at once (default 1). */
  maxInFlight?: number;
}

interface Pending<I, O> {
  item: I;
  resolve(output: O): void;
  reject(error: unknown): void;
}

export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private inFlight = 0;
  private readonly maxInFlight: number;
  /** Sizes of the batches run so far (for tests and the benchmark). */
  readonly batchSizes: number[] = [];

  constructor(
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    private readonly options: MicroBatcherOptions,
  ) {
    if (!Number.isInteger(options.maxSize) || options.maxSize < 1) {
      throw new RangeError('maxSize must be a positive integer');
    }
    this.maxInFlight = options.maxInFlight ?? 1;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    if (this.queue.length >= this.options.maxSize) {
      this.flush();
    } else if (this.options.maxWaitMs <= 0) {
      this.immediate ??= setImmediate(() => {
        this.immediate = null;
        this.flush();
      });
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.options.maxWaitMs);
    }
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.immediate) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxSize);
    this.inFlight++;
    this.batchSizes.push(batch.length);
    void this.execute(batch);
  }

  private async execute(batch: Pending<I, O>[]): Promise<void> {
    try {
      const outputs = await this.runBatch(batch.map((p) => p.item));
      if (outputs.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} gave ${outputs.length} outputs`);
      }
      batch.forEach((p, i) => p.resolve(outputs[i]));
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.inFlight--;
      // Items that queued while this batch ran go at once: they have waited already.
      if (this.queue.length > 0) this.flush();
    }
  }
}
