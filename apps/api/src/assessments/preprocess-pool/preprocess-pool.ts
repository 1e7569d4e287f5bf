import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ModelInputs, PreprocessingConfig, RawPatientInputs } from '@mosaic/inference';
import type { PreprocessJob, PreprocessReply } from './preprocess-messages';
import { deserializeError, transferable } from './preprocess-messages';
import {
  PREPROCESS_RETRY_AFTER_SECONDS,
  PreprocessPoolError,
  PreprocessPoolErrorCode,
} from './preprocess-pool.errors';

/**
 * A fixed pool of worker threads that turn raw patient inputs into model tensors (DICOM decode,
 * windowing and resize, tokenisation, vitals gridding) off the event loop, so the API keeps
 * answering while images are prepared (docs/assessments.md §Preprocessing workers).
 *
 * - Each worker runs one job at a time; jobs wait in one FIFO queue bounded by the bytes of the
 *   inputs it holds (`maxQueueBytes`) and by `maxQueue` jobs, beyond which `prepare` refuses at once
 *   with PREPROCESSING_BUSY (503, Retry-After) rather than letting memory grow with the backlog.
 * - Buffers are transferred, not copied: the image bytes to the worker (the caller's array is
 *   detached), the tensors back.
 * - A job that fails in the worker rejects with the error class the in-process path throws.
 * - A worker that dies (crash, heap limit, terminate) fails only the job it was running, with
 *   PREPROCESSING_WORKER_FAILED, and is replaced.
 * - A model's preprocessing parameters (vocabulary, vitals statistics) are sent to a worker once
 *   and kept there under a number; the few most recently used are kept per worker.
 */

const REGISTER = path.resolve(__dirname, '../../../../../tools/node/register.js');
const WORKER = path.resolve(__dirname, 'preprocess-worker.ts');

export interface PreprocessPoolOptions {
  /** Worker threads, at least 1. */
  workers: number;
  /** Jobs that may wait for a free worker; default 256 per worker. */
  maxQueue?: number;
  /** Bytes of raw input (DICOM bytes and note text) that may wait; default 256 MiB. */
  maxQueueBytes?: number;
  /** Preprocessing configs (model versions) a worker keeps; default 4. */
  configsPerWorker?: number;
  /** The worker's V8 old-generation heap bound (typed arrays live outside it). Default 512 MB. */
  workerHeapMb?: number;
}

export interface PreprocessPoolStats {
  workers: number;
  busy: number;
  queued: number;
  completed: number;
  restarts: number;
}

interface Job {
  id: number;
  /** The raw input's bytes, counted against maxQueueBytes while the job waits. */
  bytes: number;
  raw: RawPatientInputs;
  config: PreprocessingConfig;
  resolve: (inputs: ModelInputs) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker | null;
  job: Job | null;
  /** Config numbers this worker holds, least recently used first. */
  configs: number[];
  /** Whether the current worker has finished a job (a worker that dies at start is not respawned eagerly). */
  healthy: boolean;
  lastError: Error | null;
}

export class PreprocessPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private waitingBytes = 0;
  private readonly configIds = new WeakMap<PreprocessingConfig, number>();
  private nextConfigId = 1;
  private nextJobId = 1;
  private closed = false;
  private completed = 0;
  private restarts = 0;
  readonly maxQueue: number;
  readonly maxQueueBytes: number;
  private readonly configsPerWorker: number;

  constructor(private readonly options: PreprocessPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`a preprocessing pool needs at least one worker, not ${options.workers}`);
    }
    this.maxQueue = options.maxQueue ?? options.workers * 256;
    this.maxQueueBytes = options.maxQueueBytes ?? 256 * 1024 * 1024;
    this.configsPerWorker = options.configsPerWorker ?? 4;
    for (let i = 0; i < options.workers; i++) {
      const slot: Slot = { worker: null, job: null, configs: [], healthy: false, lastError: null };
      slot.worker = this.spawn(slot);
      this.slots.push(slot);
    }
  }

  /**
   * Prepares one patient's tensors in a worker. Takes ownership of `raw.image.bytes` when it owns
   * its whole buffer (the buffer is transferred and the caller's array detached).
   */
  prepare(raw: RawPatientInputs, config: PreprocessingConfig): Promise<ModelInputs> {
    if (this.closed) {
      return Promise.reject(
        new PreprocessPoolError(PreprocessPoolErrorCode.Closed, 'the server is shutting down'),
      );
    }
    const idle = this.slots.some((slot) => slot.job === null);
    const bytes = (raw.image?.bytes.byteLength ?? 0) + (raw.note?.text.length ?? 0) * 2;
    if (!idle && (this.waiting.length >= this.maxQueue || this.waitingBytes + bytes > this.maxQueueBytes)) {
      return Promise.reject(
        new PreprocessPoolError(
          PreprocessPoolErrorCode.Busy,
          `preprocessing is at capacity (${this.slots.length} workers busy, ${this.waiting.length} requests waiting); retry shortly`,
          [],
          { retryAfter: PREPROCESS_RETRY_AFTER_SECONDS },
        ),
      );
    }
    return new Promise<ModelInputs>((resolve, reject) => {
      this.waiting.push({ id: this.nextJobId++, bytes, raw, config, resolve, reject });
      this.waitingBytes += bytes;
      this.pump();
    });
  }

  stats(): PreprocessPoolStats {
    return {
      workers: this.slots.length,
      busy: this.slots.filter((slot) => slot.job !== null).length,
      queued: this.waiting.length,
      completed: this.completed,
      restarts: this.restarts,
    };
  }

  /** The live worker threads (diagnostics and tests: e.g. to check a crashed one is replaced). */
  threads(): Worker[] {
    return this.slots.flatMap((slot) => (slot.worker ? [slot.worker] : []));
  }

  /** Rejects waiting and running jobs with PREPROCESSING_CLOSED and stops every worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = (): PreprocessPoolError =>
      new PreprocessPoolError(PreprocessPoolErrorCode.Closed, 'the server is shutting down');
    for (const job of this.waiting.splice(0)) job.reject(closedError());
    this.waitingBytes = 0;
    const stopping: Promise<number>[] = [];
    for (const slot of this.slots) {
      slot.job?.reject(closedError());
      slot.job = null;
      if (slot.worker) stopping.push(slot.worker.terminate());
      slot.worker = null;
    }
    await Promise.allSettled(stopping);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.waiting.length === 0) return;
      if (slot.job !== null) continue;
      const job = this.waiting.shift() as Job;
      this.waitingBytes -= job.bytes;
      this.dispatch(slot, job);
    }
  }

  private dispatch(slot: Slot, job: Job): void {
    slot.worker ??= this.spawn(slot);
    slot.job = job;
    let configId = this.configIds.get(job.config);
    if (configId === undefined) {
      configId = this.nextConfigId++;
      this.configIds.set(job.config, configId);
    }
    const message: PreprocessJob = { id: job.id, configId, raw: job.raw };
    const at = slot.configs.indexOf(configId);
    if (at >= 0) {
      slot.configs.splice(at, 1);
    } else {
      message.config = job.config;
      if (slot.configs.length >= this.configsPerWorker) {
        message.forget = slot.configs.splice(0, slot.configs.length - this.configsPerWorker + 1);
      }
    }
    slot.configs.push(configId);
    slot.worker.ref();
    slot.worker.postMessage(message, transferable([job.raw.image?.bytes]));
  }

  private spawn(slot: Slot): Worker {
    // The worker runs the TypeScript sources the same way the server and the CLI do (register.js),
    // under `npm start` and under Jest alike: a worker thread is a plain Node thread in both.
    const worker = new Worker(`require(${JSON.stringify(REGISTER)}); require(${JSON.stringify(WORKER)});`, {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: this.options.workerHeapMb ?? 512 },
    });
    slot.configs = [];
    slot.healthy = false;
    slot.lastError = null;
    worker.unref();
    worker.on('message', (reply: PreprocessReply) => {
      const job = slot.job;
      if (slot.worker !== worker || !job || job.id !== reply.id) return;
      slot.job = null;
      slot.healthy = true;
      this.completed++;
      if (reply.ok) job.resolve(reply.inputs);
      else job.reject(deserializeError(reply.error));
      if (this.waiting.length > 0) this.pump();
      else worker.unref();
    });
    worker.on('error', (error) => {
      if (slot.worker === worker) slot.lastError = error;
    });
    worker.on('exit', (exitCode) => {
      if (slot.worker !== worker || this.closed) return;
      const job = slot.job;
      const cause = slot.lastError?.message ?? `exit code ${exitCode}`;
      slot.job = null;
      slot.worker = null;
      this.restarts++;
      job?.reject(
        new PreprocessPoolError(
          PreprocessPoolErrorCode.WorkerFailed,
          `the preprocessing worker stopped while preparing this request (${cause}); it was restarted`,
        ),
      );
      // A worker that had been working is replaced at once; one that died before finishing any job
      // is replaced when the next job needs it, so a worker that cannot start does not spin.
      if (slot.healthy || this.waiting.length > 0) {
        if (this.waiting.length > 0) this.pump();
        else slot.worker = this.spawn(slot);
      }
    });
    return worker;
  }
}
