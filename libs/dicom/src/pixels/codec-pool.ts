import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import type { CodecFamily } from '../parse/transfer-syntax';
import type { CodecOutput, FrameGeometry } from './native-codecs';

export interface CodecRequest {
  id: number;
  codec: Exclude<CodecFamily, 'native'>;
  encoded: Uint8Array;
  geometry: FrameGeometry;
}

export type CodecResponse =
  { id: number; ok: true; output: CodecOutput } | { id: number; ok: false; message: string };

const REGISTER = path.resolve(__dirname, '../../../../tools/node/register.js');
const WORKER = path.resolve(__dirname, 'codec-worker.ts');

interface Job {
  request: CodecRequest;
  fileName?: string;
  resolve: (out: CodecOutput) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** Requests posted ahead to the worker, so it never idles for a round trip between frames. */
const IN_FLIGHT = 2;

/**
 * One worker thread running the WebAssembly codecs. Up to two requests are posted ahead; the worker
 * handles them in order, and only the one it is working on has its time bound running, so a timeout
 * blames the right frame. A request that does not answer in time terminates the worker (a hung or
 * runaway codec costs a timeout, not the process); requests posted behind it are re-sent to a fresh
 * worker from the caller's bytes, so they are not lost with it.
 */
export class CodecWorker {
  private worker: Worker | undefined;
  /** Posted to the worker, oldest (being decoded) first. */
  private readonly inFlight: Job[] = [];
  private readonly waiting: Job[] = [];
  private nextId = 1;

  constructor(private readonly timeoutMs = 30_000) {}

  /** Requests accepted and not answered yet (posted or queued). */
  get load(): number {
    return this.inFlight.length + this.waiting.length;
  }

  decode(
    codec: Exclude<CodecFamily, 'native'>,
    encoded: Uint8Array,
    geometry: FrameGeometry,
    fileName?: string,
  ): Promise<CodecOutput> {
    return new Promise<CodecOutput>((resolve, reject) => {
      this.waiting.push({
        request: { id: this.nextId++, codec, encoded, geometry },
        fileName,
        resolve,
        reject: (error) =>
          reject(
            fileName && error instanceof DicomError && !error.fileName
              ? new DicomError(error.code, error.message, fileName)
              : error,
          ),
      });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight.length < IN_FLIGHT && this.waiting.length > 0) {
      const job = this.waiting.shift() as Job;
      this.worker ??= this.spawn();
      this.worker.ref();
      this.inFlight.push(job);
      // Copy once, then transfer the copy: the caller's bytes usually view the whole file, which must not
      // be transferred away, and a plain postMessage would clone them a second time. Not `.slice()`: on a
      // Node Buffer (readFileSync) that is a view of the same memory, and transferring it would detach
      // the whole file.
      const encoded = new Uint8Array(job.request.encoded);
      this.worker.postMessage({ ...job.request, encoded }, [encoded.buffer]);
    }
    this.armHead();
  }

  /** Starts the time bound of the request the worker is decoding now (the oldest in flight). */
  private armHead(): void {
    const head = this.inFlight[0];
    if (!head || head.timer) return;
    const worker = this.worker;
    head.timer = setTimeout(() => {
      if (this.inFlight[0] !== head) return;
      this.inFlight.shift();
      // Requests posted behind the hung one go back to the front of the queue for a fresh worker.
      for (const job of this.inFlight.splice(0).reverse()) {
        clearTimeout(job.timer);
        job.timer = undefined;
        this.waiting.unshift(job);
      }
      this.worker = undefined;
      if (worker) void worker.terminate();
      head.reject(
        new DicomError(
          DicomErrorCode.DecodeTimeout,
          `decoding did not finish within ${this.timeoutMs} ms; the codec was stopped`,
          head.fileName,
        ),
      );
      this.pump();
    }, this.timeoutMs);
  }

  private spawn(): Worker {
    const worker = new Worker(`require(${JSON.stringify(REGISTER)}); require(${JSON.stringify(WORKER)});`, {
      eval: true,
      // Caps the worker's JS heap. WebAssembly memory is outside V8's heap limits: it is bounded by the
      // codec build (at most 2 GiB) and by the frame-size and stream-header checks made before a codec runs.
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    worker.on('message', (response: CodecResponse) => {
      if (this.worker !== worker) return;
      const at = this.inFlight.findIndex((job) => job.request.id === response.id);
      if (at < 0) return;
      const [job] = this.inFlight.splice(at, 1);
      clearTimeout(job.timer);
      // The decoded buffer was transferred, not copied, and belongs to this thread now.
      if (response.ok) job.resolve(response.output);
      else job.reject(new DicomError(DicomErrorCode.CorruptCompressedData, response.message));
      this.pump();
      if (this.inFlight.length === 0) worker.unref();
    });
    worker.on('error', (error) => {
      if (this.worker === worker) this.worker = undefined;
      this.failInFlight(
        new DicomError(DicomErrorCode.CorruptCompressedData, `codec worker crashed: ${error.message}`),
      );
    });
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failInFlight(new DicomError(DicomErrorCode.CorruptCompressedData, 'codec worker exited'));
    });
    return worker;
  }

  private failInFlight(error: Error): void {
    for (const job of this.inFlight.splice(0)) {
      clearTimeout(job.timer);
      job.reject(error);
    }
    this.pump();
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const job of [...this.inFlight.splice(0), ...this.waiting.splice(0)]) {
      clearTimeout(job.timer);
      job.reject(new DicomError(DicomErrorCode.DecodeTimeout, 'the codec worker was closed', job.fileName));
    }
    if (worker) await worker.terminate();
  }
}

/** Codec workers started by default: two frames decode at once on a machine with two or more cores. */
export function defaultCodecWorkers(): number {
  const fromEnv = Number(process.env.MOSAIC_DICOM_CODEC_WORKERS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.max(1, Math.min(2, os.availableParallelism()));
}

/**
 * Several codec workers, each with its own time bound and queue (see CodecWorker). A request goes to the
 * least-loaded worker, the first on a tie, so a lone request always uses the first worker and the others
 * start only when requests overlap (a multi-frame file, concurrent uploads). Each worker holds its own
 * WebAssembly memory (the dcmjs-codecs build reserves 256 MiB at start).
 */
export class CodecPool {
  private readonly workers: CodecWorker[];

  constructor(timeoutMs = 30_000, size = defaultCodecWorkers()) {
    this.workers = Array.from({ length: Math.max(1, size) }, () => new CodecWorker(timeoutMs));
  }

  /** Requests that keep every worker busy without waiting for a round trip (two per worker). */
  get concurrency(): number {
    return this.workers.length * IN_FLIGHT;
  }

  decode(
    codec: Exclude<CodecFamily, 'native'>,
    encoded: Uint8Array,
    geometry: FrameGeometry,
    fileName?: string,
  ): Promise<CodecOutput> {
    const worker = this.workers.reduce((best, w) => (w.load < best.load ? w : best));
    return worker.decode(codec, encoded, geometry, fileName);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

let shared: CodecPool | undefined;

/** The process-wide codec pool (workers are created on first use). */
export function sharedCodecPool(): CodecPool {
  shared ??= new CodecPool(Number(process.env.MOSAIC_DICOM_DECODE_TIMEOUT_MS ?? 30_000));
  return shared;
}

/** Stops the shared pool's workers (tests, CLI exit). */
export async function closeCodecWorker(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
