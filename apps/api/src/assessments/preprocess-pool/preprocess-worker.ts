import { parentPort } from 'node:worker_threads';
import type { ModelInputs, PreprocessingConfig } from '@mosaic/inference';
import { prepareModelInputs } from '@mosaic/inference';
import type { PreprocessJob, PreprocessReply } from './preprocess-messages';
import { inputBuffers, serializeError } from './preprocess-messages';

/**
 * A preprocessing worker thread: runs libs/inference `prepareModelInputs` — the same function, on
 * the same code, as the in-process path — so the tensors are bit-identical, and sends them back
 * by transferring their buffers. Jobs are handled one at a time, in order.
 */

const configs = new Map<number, PreprocessingConfig>();

/** A typed array that owns all of its buffer, so transferring it moves exactly these bytes. */
function whole<T extends Int32Array | Uint8Array | Float32Array>(view: T): T {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view : (view.slice() as T);
}

function own(inputs: ModelInputs): ModelInputs {
  return {
    text: inputs.text ? { ...inputs.text, ids: whole(inputs.text.ids), mask: whole(inputs.text.mask) } : null,
    image: inputs.image ? { ...inputs.image, tensor: whole(inputs.image.tensor) } : null,
    vitals: inputs.vitals ? { ...inputs.vitals, values: whole(inputs.vitals.values) } : null,
  };
}

async function handle(job: PreprocessJob): Promise<void> {
  for (const id of job.forget ?? []) configs.delete(id);
  if (job.config) configs.set(job.configId, job.config);
  const config = configs.get(job.configId);
  let reply: PreprocessReply;
  let transfer: ArrayBuffer[] = [];
  try {
    if (!config) throw new Error(`preprocessing worker has no config ${job.configId}`);
    const inputs = own(await prepareModelInputs(job.raw, config));
    reply = { id: job.id, ok: true, inputs };
    transfer = inputBuffers(inputs);
  } catch (error) {
    reply = { id: job.id, ok: false, error: serializeError(error) };
  }
  parentPort?.postMessage(reply, transfer);
}

let chain: Promise<void> = Promise.resolve();
parentPort?.on('message', (job: PreprocessJob) => {
  chain = chain.then(() => handle(job));
});
