import { modelInputGeometry } from '@mosaic/dicom';
import { prepareTextInput } from '../inputs/model-inputs';
import type { ModelInputs } from '../inputs/model-inputs';
import type { LoadedModel } from '../model/load-model';
import { predict } from './model-runner';

/**
 * One dummy run through every graph, so the first real request does not pay for onnxruntime's
 * lazy initialisation (kernel selection, arena allocation), and so a graph that loads but cannot
 * run is caught before the version is reported ready. Inputs: an empty note ([CLS] [SEP]), a black
 * image and an empty vitals grid — all valid tensors of the contract's shapes.
 */
export async function warmUp(model: LoadedModel): Promise<void> {
  const { imageSize, hours } = model.preprocessing;
  const inputs: ModelInputs = {
    text: prepareTextInput({ id: 'warm-up', text: '' }, model.preprocessing),
    image: {
      instanceId: 'warm-up',
      frame: 0,
      tensor: new Float32Array(imageSize * imageSize),
      geometry: modelInputGeometry(imageSize, imageSize, imageSize),
    },
    vitals: {
      values: new Float32Array(hours * 12),
      start: new Date(0).toISOString(),
      end: new Date(hours * 3_600_000).toISOString(),
      hours,
    },
  };
  await predict(model, [inputs], { batchSize: 1 });
}
