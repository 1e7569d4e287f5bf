import { parentPort } from 'node:worker_threads';
import { DicomError } from '../errors/dicom-error';
import { decodeCompressedFrame, initializeCodecs } from './native-codecs';
import type { CodecRequest, CodecResponse } from './codec-pool';

// Runs the WebAssembly codecs off the main thread; the pool terminates this worker on timeout.
const port = parentPort;
if (port) {
  const ready = initializeCodecs();
  port.on('message', (request: CodecRequest) => {
    void ready.then(() => {
      let response: CodecResponse;
      try {
        const out = decodeCompressedFrame(request.codec, request.encoded, request.geometry);
        response = { id: request.id, ok: true, output: out };
        port.postMessage(response, [out.bytes.buffer as ArrayBuffer]);
        return;
      } catch (error) {
        response = {
          id: request.id,
          ok: false,
          message: error instanceof DicomError ? error.message : String((error as Error)?.message ?? error),
        };
      }
      port.postMessage(response);
    });
  });
}
