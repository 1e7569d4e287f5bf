import type {
  EncodedBatch,
  FusionOutputs,
  InferenceRunner,
  LoadedModel,
  Modality,
  ModelInputs,
  RunOptions,
} from '@mosaic/inference';
import { calibratedProbability, fuseBatch, MODALITIES, withoutModalities } from '@mosaic/inference';
import type { ImageEvidence } from './image-evidence';
import { imageEvidence } from './image-evidence';
import type { TextEvidence } from './text-evidence';
import { textEvidence } from './text-evidence';
import type { VitalsEvidence } from './vitals-evidence';
import { vitalsEvidence } from './vitals-evidence';

/**
 * A label's explanation: modality shares (attention mass per modality, and the change in
 * calibrated probability when that modality is removed by an occlusion re-run of fusion with its
 * mask zeroed) and the evidence mapped back onto the note, the image and the vitals times.
 */

export interface ModalityShare {
  modality: Modality;
  /** Sum of the label's cross-attention over the modality's positions (shares sum to 1). */
  attention: number;
  /** p(all inputs) − p(without this modality); null when the modality is absent. */
  deltaProbability: number | null;
}

export interface LabelExplanation {
  label: string;
  probability: number;
  threshold: number;
  aboveThreshold: boolean;
  modalityShares: ModalityShare[];
  text: TextEvidence[];
  image: ImageEvidence | null;
  vitals: VitalsEvidence[];
}

/** The full fusion run and one re-run per modality with that modality masked for every row. */
export interface OcclusionRuns {
  full: FusionOutputs;
  without: Record<Modality, FusionOutputs>;
}

/**
 * Without a runner: whole-batch fusion runs in chunks of `batchSize` (evaluation). With a runner
 * (one-row batch, assessments): the runner fuses the full and occluded mask sets, which the serving
 * runner shares with other requests and the direct runner runs one by one.
 */
export async function runWithOcclusion(
  model: LoadedModel,
  encoded: EncodedBatch,
  options: RunOptions & { runner?: InferenceRunner } = {},
): Promise<OcclusionRuns> {
  const { runner, ...run } = options;
  if (runner) {
    const [full, ...rest] = await runner.fuse(model, encoded, [
      encoded.masks,
      ...MODALITIES.map((m) => withoutModalities(encoded.masks, [m])),
    ]);
    const without = {} as Record<Modality, FusionOutputs>;
    MODALITIES.forEach((m, i) => (without[m] = rest[i]));
    return { full, without };
  }
  const full = await fuseBatch(model, encoded, run);
  const without = {} as Record<Modality, FusionOutputs>;
  for (const modality of MODALITIES) {
    without[modality] = await fuseBatch(model, encoded, {
      ...run,
      masks: withoutModalities(encoded.masks, [modality]),
    });
  }
  return { full, without };
}

/** The label's attention over one modality's positions, for one row of a fusion run. */
export function modalityAttention(
  model: LoadedModel,
  outputs: FusionOutputs,
  row: number,
  label: number,
  modality: Modality,
): Float32Array {
  const p = model.totalPositions;
  const base = (row * outputs.labels + label) * p;
  const { start, end } = model.positions[modality];
  return outputs.labelAttention.subarray(base + start, base + end);
}

export function probabilityOf(
  model: LoadedModel,
  outputs: FusionOutputs,
  row: number,
  label: number,
): number {
  return calibratedProbability(outputs.logits[row * outputs.labels + label], model.temperatures[label]);
}

export function explainLabel(
  model: LoadedModel,
  inputs: ModelInputs,
  row: number,
  label: number,
  runs: OcclusionRuns,
  options: { maxTextSpans?: number; topVitalsHours?: number } = {},
): LabelExplanation {
  const probability = probabilityOf(model, runs.full, row, label);
  const sum = (values: Float32Array): number => values.reduce((a, b) => a + b, 0);
  const modalityShares = MODALITIES.map((modality) => ({
    modality,
    attention: sum(modalityAttention(model, runs.full, row, label, modality)),
    deltaProbability: inputs[modality]
      ? probability - probabilityOf(model, runs.without[modality], row, label)
      : null,
  }));
  const threshold = model.thresholds[label];
  return {
    label: model.labels[label],
    probability,
    threshold,
    aboveThreshold: probability >= threshold,
    modalityShares,
    text: inputs.text
      ? textEvidence(inputs.text, modalityAttention(model, runs.full, row, label, 'text'), {
          maxSpans: options.maxTextSpans ?? 10,
        })
      : [],
    image: inputs.image
      ? imageEvidence(
          inputs.image,
          model.preprocessing.grid,
          modalityAttention(model, runs.full, row, label, 'image'),
        )
      : null,
    vitals: inputs.vitals
      ? vitalsEvidence(inputs.vitals, modalityAttention(model, runs.full, row, label, 'vitals'), {
          topHours: options.topVitalsHours,
        })
      : [],
  };
}
