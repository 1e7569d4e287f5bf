import type { Modality } from '@mosaic/inference';

/** report.json / evaluation.json (docs/evaluation.md §report.json). */

export const REPORT_FORMAT = 'mosaic-evaluation/1';

/** Stable variant names: consumers key on these. */
export const VARIANTS = [
  'fusion',
  'text_only',
  'image_only',
  'vitals_only',
  'late_fusion',
  'fusion_without_text',
  'fusion_without_image',
  'fusion_without_vitals',
] as const;
export type VariantName = (typeof VARIANTS)[number];

export interface LabelMetrics {
  auroc: number | null;
  auprc: number | null;
  positives: number;
}

export interface VariantMetrics {
  description: string;
  macroAuroc: number | null;
  macroAuprc: number | null;
  perLabel: Record<string, LabelMetrics>;
}

export interface CalibrationMetrics {
  bins: number;
  macroEceBefore: number | null;
  macroEceAfter: number | null;
  perLabel: Record<string, { eceBefore: number | null; eceAfter: number | null; temperature: number }>;
}

export interface SliceMetrics {
  patients: number;
  /** Fusion macro AUROC on the slice (labels with both classes present). */
  macroAuroc: number | null;
  textOnlyMacroAuroc: number | null;
}

export interface HitRate {
  cases: number;
  hits: number;
  hitRate: number | null;
  /** Mean chance level of the same test over the same cases. */
  chance: number | null;
  perLabel: Record<string, { cases: number; hitRate: number | null; chance: number | null }>;
}

export interface Faithfulness {
  truePositives: number;
  image: HitRate & { definition: string; maskAreaShare: number | null };
  text: HitRate & { definition: string; evidenceTokenShare: number | null; skippedEvidenceTruncated: number };
  vitals: HitRate & { definition: string };
  deletion: {
    definition: string;
    cases: number;
    /** Mean calibrated-probability drop after masking the k most-attended positions, and k random ones. */
    points: { k: number; attendedDrop: number; randomDrop: number }[];
  };
}

export interface GoalCheck {
  goal: string;
  target: string;
  value: number | null;
  met: boolean;
}

export interface PatientPrediction {
  patientId: string;
  labels: string[];
  modalities: Record<Modality, boolean>;
  /** Calibrated probabilities per variant, in `labels` order of the report. */
  probabilities: Record<VariantName, number[]>;
  /** Fusion logits (uncalibrated). */
  fusionLogits: number[];
}

export interface EvaluationReport {
  format: typeof REPORT_FORMAT;
  notice: string;
  model: { id: string; version: string; dir: string; smokeTest: boolean; onnxSha256: Record<string, string> };
  cohort: {
    dir: string;
    seed: number;
    generatorVersion: string;
    patients: number;
    groundTruthDigest: string;
  };
  trainingCohortSeed: number | null;
  labels: string[];
  thresholds: number[];
  summary: {
    fusionMacroAuroc: number | null;
    bestSingleModality: { variant: VariantName; macroAuroc: number | null };
    lateFusionMacroAuroc: number | null;
    worstMissingModality: { variant: VariantName; macroAuroc: number | null };
    macroEceAfter: number | null;
    pointingGame: Record<Modality, number | null>;
    goalsMet: number;
    goals: number;
  };
  variants: Record<VariantName, VariantMetrics>;
  calibration: CalibrationMetrics;
  slices: Record<'negation' | 'familyHistory' | 'hedge', SliceMetrics>;
  faithfulness: Faithfulness;
  goals: GoalCheck[];
  timing: {
    seconds: number;
    preprocessSeconds: number;
    inferenceSeconds: number;
    faithfulnessSeconds: number;
  };
  runtime: {
    onnxruntime: string;
    node: string;
    intraOpNumThreads: number;
    interOpNumThreads: number;
    batchSize: number;
  };
  predictions: PatientPrediction[];
}
