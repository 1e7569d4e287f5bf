import { performance } from 'node:perf_hooks';
import type { PixelRect } from '@mosaic/dicom';
import type {
  Coding,
  EncoderCacheUse,
  InferenceRunner,
  LoadedModel,
  Modality,
  ModelInputs,
  TensorDigests,
} from '@mosaic/inference';
import { directRunner, float32ToBase64, MODALITIES, sha256Hex, tensorDigests } from '@mosaic/inference';
import { VITALS_CHANNELS } from '@mosaic/preprocess';
import type { LabelExplanation, ModalityShare } from '../explanation/explain-label';
import { explainLabel, runWithOcclusion } from '../explanation/explain-label';
import type { ImageEvidence } from '../explanation/image-evidence';
import type { TextEvidence } from '../explanation/text-evidence';
import type { VitalsEvidence } from '../explanation/vitals-evidence';
import { narrativeFor } from './narrative';

/**
 * One patient's assessment on a loaded model: encoders, fusion, one occlusion re-run per modality,
 * and an explanation per label. By default it runs unbatched (batch size 1, no cache) on sessions
 * with fixed thread counts — the replay path (ARCHITECTURE.md §Replay). Serving passes the
 * batched, cached runner, which gives the same bits because the graphs are batch-invariant
 * (libs/inference batch-invariance.int-spec.ts); the rest of this function is shared.
 */

export interface ImageRegion {
  /** Row-major cell index of the grid. */
  cell: number;
  row: number;
  col: number;
  weight: number;
  /** The cell's rectangle in original pixels (never a padding cell). */
  rect: PixelRect;
}

export interface AssessmentExplanation {
  modalityShares: ModalityShare[];
  text: TextEvidence[];
  image: (ImageEvidence & { topRegions: ImageRegion[] }) | null;
  vitals: VitalsEvidence[];
  narrative: string;
}

export interface Diagnosis {
  rank: number;
  label: string;
  display: string;
  snomedCt: Coding;
  icd10: Coding;
  probability: number;
  threshold: number;
  aboveThreshold: boolean;
  explanation: AssessmentExplanation;
}

/** The raw outputs, bit-exact (base64 of float32 bytes), for the record and the replay comparison. */
export interface RecordedOutputs {
  logits: string;
  /** Logits of the occlusion re-runs, per removed modality. */
  occludedLogits: Record<Modality, string>;
  /** sha256 of the [K, positions] label-attention bytes of the full run. */
  labelAttentionSha256: string;
}

export interface AssessmentRun {
  digests: TensorDigests;
  outputs: RecordedOutputs;
  diagnoses: Diagnosis[];
  timings: { encodersMs: number; fusionMs: number; explanationMs: number };
  /** Per modality whether the encoder output came from the embedding cache (null: absent). */
  cached: EncoderCacheUse;
}

export function topImageRegions(evidence: ImageEvidence, k = 3): ImageRegion[] {
  return evidence.weights
    .map((weight, cell) => ({ cell, weight }))
    .filter(({ cell }) => evidence.toPixel[cell])
    .sort((a, b) => b.weight - a.weight || a.cell - b.cell)
    .slice(0, k)
    .map(({ cell, weight }) => ({
      cell,
      row: Math.floor(cell / evidence.grid.cols),
      col: cell % evidence.grid.cols,
      weight,
      rect: evidence.toPixel[cell] as PixelRect,
    }));
}

const CHANNEL_NAMES: ReadonlyMap<string, string> = new Map(
  VITALS_CHANNELS.map((channel) => [channel.code, channel.display.toLowerCase()]),
);

export async function runAssessment(
  model: LoadedModel,
  inputs: ModelInputs,
  options: {
    noteText?: string | null;
    maxTextSpans?: number;
    topVitalsHours?: number;
    /** Default: the direct runner (batch 1, no cache), as replay needs. */
    runner?: InferenceRunner;
  } = {},
): Promise<AssessmentRun> {
  const runner = options.runner ?? directRunner;
  const digests = tensorDigests(inputs);
  const t0 = performance.now();
  const { encoded, cached } = await runner.encode(model, inputs, digests);
  const t1 = performance.now();
  const runs = await runWithOcclusion(model, encoded, { runner });
  const t2 = performance.now();

  const k = model.labels.length;
  const explanations: LabelExplanation[] = [];
  for (let label = 0; label < k; label++) {
    explanations.push(
      explainLabel(model, inputs, 0, label, runs, {
        maxTextSpans: options.maxTextSpans,
        topVitalsHours: options.topVitalsHours,
      }),
    );
  }
  const diagnoses = explanations
    .map((explanation, index) => ({ explanation, index }))
    .sort((a, b) => b.explanation.probability - a.explanation.probability || a.index - b.index)
    .map(({ explanation, index }, rank): Diagnosis => {
      const label = model.manifest.labels[index];
      return {
        rank: rank + 1,
        label: label.slug,
        display: label.display,
        snomedCt: label.snomedCt,
        icd10: label.icd10,
        probability: explanation.probability,
        threshold: explanation.threshold,
        aboveThreshold: explanation.aboveThreshold,
        explanation: {
          modalityShares: explanation.modalityShares,
          text: explanation.text,
          image: explanation.image
            ? { ...explanation.image, topRegions: topImageRegions(explanation.image) }
            : null,
          vitals: explanation.vitals,
          narrative: narrativeFor(label.display, explanation, {
            noteText: options.noteText,
            channelNames: CHANNEL_NAMES,
          }),
        },
      };
    });
  const t3 = performance.now();

  const occludedLogits = {} as Record<Modality, string>;
  for (const modality of MODALITIES)
    occludedLogits[modality] = float32ToBase64(runs.without[modality].logits);
  const attention = runs.full.labelAttention;
  return {
    digests,
    outputs: {
      logits: float32ToBase64(runs.full.logits),
      occludedLogits,
      labelAttentionSha256: sha256Hex(
        new Uint8Array(attention.buffer, attention.byteOffset, attention.byteLength),
      ),
    },
    diagnoses,
    timings: { encodersMs: t1 - t0, fusionMs: t2 - t1, explanationMs: t3 - t2 },
    cached,
  };
}
