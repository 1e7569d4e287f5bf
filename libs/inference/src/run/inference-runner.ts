import type { TensorDigests } from '../inputs/tensor-digest';
import type { ModelInputs } from '../inputs/model-inputs';
import type { Modality } from '../manifest/model-manifest';
import type { LoadedModel } from '../model/load-model';
import type { EncodedBatch, FusionMasks, FusionOutputs } from './model-runner';
import { encodeBatch, fuseBatch } from './model-runner';

/**
 * How one patient's tensors go through the graphs. The direct runner is the reference: batch size 1,
 * no cache, one session.run per graph and per fusion mask set — the replay path (ARCHITECTURE.md
 * §Replay). The serving runner (batching/batched-runner.ts) shares runs between concurrent requests
 * and caches encoder outputs; it must give the same bits, which batch-invariance.int-spec.ts checks.
 */

/** Per modality: true = encoder output from the cache, false = encoder ran, null = absent or unused. */
export type EncoderCacheUse = Record<Modality, boolean | null>;

export interface EncodeResult {
  /** One row. */
  encoded: EncodedBatch;
  cached: EncoderCacheUse;
}

export interface InferenceRunner {
  encode(model: LoadedModel, inputs: ModelInputs, digests: TensorDigests): Promise<EncodeResult>;
  /** Fusion of a one-row batch under each mask set (full run, occlusion re-runs); one row each. */
  fuse(model: LoadedModel, encoded: EncodedBatch, masks: readonly FusionMasks[]): Promise<FusionOutputs[]>;
}

export const directRunner: InferenceRunner = {
  async encode(model, inputs) {
    const encoded = await encodeBatch(model, [inputs], { batchSize: 1 });
    const cached = {} as EncoderCacheUse;
    for (const m of ['text', 'image', 'vitals'] as const) {
      cached[m] = inputs[m] && model.modalities.includes(m) ? false : null;
    }
    return { encoded, cached };
  },
  async fuse(model, encoded, masks) {
    const out: FusionOutputs[] = [];
    for (const each of masks) out.push(await fuseBatch(model, encoded, { batchSize: 1, masks: each }));
    return out;
  },
};
