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

interface Pending {
  resolve: (out: CodecOutput) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One worker thread running the WebAssembly codecs. A request that does not answer within the timeout
 * terminates the worker (a hung or runaway codec costs a timeout, not the process); the next request
 * starts a fresh worker. Requests are serialised so a timeout blames the right frame.
 */
export class CodecWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly timeoutMs = 30_000) {}

  decode(
    codec: Exclude<CodecFamily, 'native'>,
    encoded: Uint8Array,
    geometry: FrameGeometry,
    fileName?: string,
  ): Promise<CodecOutput> {
    const run = (): Promise<CodecOutput> =>
      this.send({ id: this.nextId++, codec, encoded, geometry }, fileName);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private spawn(): Worker {
    const worker = new Worker(`require(${JSON.stringify(REGISTER)}); require(${JSON.stringify(WORKER)});`, {
      eval: true,
      // A bounded JS heap; WebAssembly memory is bounded by the codec build (max 2 GiB).
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    worker.on('message', (response: CodecResponse) => {
      const p = this.pending.get(response.id);
      if (!p) return;
      this.pending.delete(response.id);
      clearTimeout(p.timer);
      if (this.pending.size === 0) worker.unref();
      // The decoded buffer was transferred, not copied, and belongs to this thread now.
      if (response.ok) p.resolve(response.output);
      else p.reject(new DicomError(DicomErrorCode.CorruptCompressedData, response.message));
    });
    worker.on('error', (error) =>
      this.failAll(
        new DicomError(DicomErrorCode.CorruptCompressedData, `codec worker crashed: ${error.message}`),
      ),
    );
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new DicomError(DicomErrorCode.CorruptCompressedData, 'codec worker exited'));
    });
    return worker;
  }

  private send(request: CodecRequest, fileName?: string): Promise<CodecOutput> {
    this.worker ??= this.spawn();
    const worker = this.worker;
    worker.ref();
    return new Promise<CodecOutput>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(request.id);
        this.worker = undefined;
        void worker.terminate();
        reject(
          new DicomError(
            DicomErrorCode.DecodeTimeout,
            `decoding did not finish within ${this.timeoutMs} ms; the codec was stopped`,
            fileName,
          ),
        );
      }, this.timeoutMs);
      this.pending.set(request.id, {
        resolve,
        reject: (error) =>
          reject(
            fileName && error instanceof DicomError
              ? new DicomError(error.code, error.message, fileName)
              : error,
          ),
        timer,
      });
      // Copy once, then transfer the copy: the caller's bytes usually view the whole file, which must not
      // be transferred away, and a plain postMessage would clone them a second time. Not `.slice()`: on a
      // Node Buffer (readFileSync) that is a view of the same memory, and transferring it would detach
      // the whole file.
      const encoded = new Uint8Array(request.encoded);
      worker.postMessage({ ...request, encoded }, [encoded.buffer]);
    });
  }

  private failAll(error: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(error);
      this.pending.delete(id);
    }
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}

let shared: CodecWorker | undefined;

/** The process-wide codec worker (created on first use). */
export function sharedCodecWorker(): CodecWorker {
  shared ??= new CodecWorker(Number(process.env.MOSAIC_DICOM_DECODE_TIMEOUT_MS ?? 30_000));
  return shared;
}

/** Stops the shared worker (tests, CLI exit). */
export async function closeCodecWorker(): Promise<void> {
  const worker = shared;
  shared = undefined;
  await worker?.close();
}
