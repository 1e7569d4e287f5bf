import type { TensorDigests } from '../inputs/tensor-digest';
import type { ModelInputs } from '../inputs/model-inputs';
import type { Modality } from '../manifest/model-manifest';
import { MODALITIES } from '../manifest/model-manifest';
import type { LoadedModel } from '../model/load-model';
import { EmbeddingCache } from '../cache/embedding-cache';
import type { EncodeResult, EncoderCacheUse, InferenceRunner } from '../run/inference-runner';
import type { EncodedBatch, FusionMasks, FusionOutputs } from '../run/model-runner';
import { emptyBatch, fuseBatch, modalityPositions, runEncoder, setPresentMask } from '../run/model-runner';
import { MicroBatcher } from './micro-batcher';

/**
 * The serving runner: concurrent assessments share encoder and fusion runs (one micro-batcher per
 * graph and model version), and encoder outputs come from an EmbeddingCache when the same tensor
 * was encoded before. The graphs are batch-invariant on onnxruntime's CPU kernels with fixed thread
 * counts (batch-invariance.int-spec.ts), so a row's outputs are the bits the direct runner — the
 * replay — computes. `maxSize` 1 turns batching off: every request runs its graphs alone.
 */

export interface BatchedRunnerOptions {
  /** Assessments per shared run (a fusion run holds each one's full and occlusion rows). */
  maxSize: number;
  maxWaitMs: number;
  maxInFlight?: number;
  /** null or maxBytes 0: no cache. */
  cache?: EmbeddingCache | null;
}

interface FusionJob {
  encoded: EncodedBatch;
  masks: readonly FusionMasks[];
}

interface ModelBatchers {
  key: string;
  encoders: Record<Modality, MicroBatcher<ModelInputs, Float32Array>>;
  fusion: MicroBatcher<FusionJob, FusionOutputs[]>;
}

/** Version key of the encoder outputs: model id, version and the sha256 of the encoder graphs. */
function modelKey(model: LoadedModel): string {
  const hashes = MODALITIES.map(
    (m) => model.manifest.files.find((f) => f.path === model.manifest.encoders[m].file)?.sha256 ?? '',
  );
  return `${model.manifest.modelId}@${model.manifest.version}#${hashes.join(',')}`;
}

export class BatchedRunner implements InferenceRunner {
  private readonly perModel = new WeakMap<LoadedModel, ModelBatchers>();
  readonly cache: EmbeddingCache | null;
  /** session.run calls of each graph, and the rows they held (all model versions). */
  readonly runs: Record<Modality | 'fusion', { runs: number; rows: number }> = {
    text: { runs: 0, rows: 0 },
    image: { runs: 0, rows: 0 },
    vitals: { runs: 0, rows: 0 },
    fusion: { runs: 0, rows: 0 },
  };

  constructor(readonly options: BatchedRunnerOptions) {
    this.cache = options.cache && options.cache.enabled ? options.cache : null;
  }

  get batching(): boolean {
    return this.options.maxSize > 1;
  }

  /** The batchers of a model version (created on first use, dropped with the model). */
  batchers(model: LoadedModel): ModelBatchers {
    let found = this.perModel.get(model);
    if (!found) {
      const options = {
        maxSize: this.options.maxSize,
        maxWaitMs: this.options.maxWaitMs,
        maxInFlight: this.options.maxInFlight,
      };
      const encoder = (m: Modality) =>
        new MicroBatcher<ModelInputs, Float32Array>(async (rows) => {
          const tokens = await this.encoder(model, m, rows);
          const perRow = tokens.length / rows.length;
          return rows.map((_, r) => tokens.slice(r * perRow, (r + 1) * perRow));
        }, options);
      found = {
        key: modelKey(model),
        encoders: { text: encoder('text'), image: encoder('image'), vitals: encoder('vitals') },
        fusion: new MicroBatcher<FusionJob, FusionOutputs[]>((jobs) => this.fuseJobs(model, jobs), options),
      };
      this.perModel.set(model, found);
    }
    return found;
  }

  async encode(model: LoadedModel, inputs: ModelInputs, digests: TensorDigests): Promise<EncodeResult> {
    const batchers = this.batchers(model);
    const encoded = emptyBatch(model, 1);
    const cached = {} as EncoderCacheUse;
    await Promise.all(
      MODALITIES.map(async (m) => {
        const digest = digests[m];
        if (!inputs[m] || !model.modalities.includes(m) || !digest) {
          cached[m] = null;
          return;
        }
        const key = this.cache ? EmbeddingCache.key(batchers.key, m, digest) : null;
        let tokens = key ? this.cache?.get(key) : undefined;
        cached[m] = tokens !== undefined;
        if (!tokens) {
          tokens = this.batching
            ? await batchers.encoders[m].submit(inputs)
            : await this.encoder(model, m, [inputs]);
          if (key) this.cache?.set(key, tokens);
        }
        encoded.tokens[m].set(tokens);
        setPresentMask(model, encoded.masks, 0, m, inputs);
      }),
    );
    return { encoded, cached };
  }

  async fuse(
    model: LoadedModel,
    encoded: EncodedBatch,
    masks: readonly FusionMasks[],
  ): Promise<FusionOutputs[]> {
    if (encoded.rows !== 1) throw new RangeError('the serving runner fuses one patient at a time');
    if (!this.batching) {
      const out: FusionOutputs[] = [];
      for (const each of masks) {
        this.count('fusion', 1);
        out.push(await fuseBatch(model, encoded, { batchSize: 1, masks: each }));
      }
      return out;
    }
    return this.batchers(model).fusion.submit({ encoded, masks });
  }

  private count(graph: Modality | 'fusion', rows: number): void {
    this.runs[graph].runs++;
    this.runs[graph].rows += rows;
  }

  private encoder(model: LoadedModel, m: Modality, rows: readonly ModelInputs[]): Promise<Float32Array> {
    this.count(m, rows.length);
    return runEncoder(model, m, rows);
  }

  /** One fusion run over every job's rows (a job contributes one row per mask set), split back. */
  private async fuseJobs(model: LoadedModel, jobs: readonly FusionJob[]): Promise<FusionOutputs[][]> {
    const rows = jobs.reduce((n, job) => n + job.masks.length, 0);
    this.count('fusion', rows);
    return fuseJobs(model, jobs, rows);
  }
}

async function fuseJobs(
  model: LoadedModel,
  jobs: readonly FusionJob[],
  rows: number,
): Promise<FusionOutputs[][]> {
  const batch = emptyBatch(model, rows);
  const d = model.tokenDim;
  let row = 0;
  for (const job of jobs) {
    for (const masks of job.masks) {
      for (const m of MODALITIES) {
        const len = modalityPositions(model, m);
        batch.tokens[m].set(job.encoded.tokens[m], row * len * d);
        batch.masks[m].set(masks[m], row * len);
      }
      row++;
    }
  }
  const out = await fuseBatch(model, batch, { batchSize: rows });
  const k = out.labels;
  const p = model.totalPositions;
  row = 0;
  return jobs.map((job) =>
    job.masks.map(() => {
      const r = row++;
      return {
        rows: 1,
        labels: k,
        logits: out.logits.slice(r * k, (r + 1) * k),
        labelAttention: out.labelAttention.slice(r * k * p, (r + 1) * k * p),
      };
    }),
  );
}
