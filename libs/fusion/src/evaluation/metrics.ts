import { FusionError, FusionErrorCode } from '../fusion.errors';

/**
 * Binary classification metrics for the evaluation report, implemented here so every figure can be
 * checked against hand-computed values (metrics.spec.ts). `null` means undefined on this data (for
 * example AUROC with only one class present), never a silent 0.5.
 */

function check(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) {
    throw new FusionError(
      FusionErrorCode.InvalidMetricInput,
      `${scores.length} scores for ${labels.length} labels`,
    );
  }
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]) || (labels[i] !== 0 && labels[i] !== 1)) {
      throw new FusionError(
        FusionErrorCode.InvalidMetricInput,
        `score ${i} is not finite or label is not 0/1`,
      );
    }
  }
}

/**
 * Area under the ROC curve as the Mann–Whitney U statistic: the probability that a random positive
 * scores above a random negative, ties counting one half (midranks). Equals the trapezoidal area
 * under the ROC curve with tied scores as one threshold.
 */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  check(scores, labels);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const midrank = (i + j) / 2 + 1; // 1-based ranks i+1 … j+1
    for (let t = i; t <= j; t++) {
      if (labels[order[t]] === 1) {
        positives++;
        rankSum += midrank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Area under the precision–recall curve as average precision: Σ (R_t − R_{t−1}) · P_t over the
 * distinct score thresholds, highest first, tied scores entering together (no interpolation; the
 * definition scikit-learn's average_precision_score uses).
 */
export function auprc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  check(scores, labels);
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i];
  if (positives === 0) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let tp = 0;
  let seen = 0;
  let previousRecall = 0;
  let area = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    for (let t = i; t <= j; t++) tp += labels[order[t]];
    seen = j + 1;
    const recall = tp / positives;
    area += (recall - previousRecall) * (tp / seen);
    previousRecall = recall;
    i = j + 1;
  }
  return area;
}

export const ECE_BINS = 15;

/**
 * Expected calibration error of binary probabilities: `bins` equal-width bins over [0, 1] (the last
 * one closed), Σ_b (n_b / N) · |mean(y in b) − mean(p in b)| (Naeini et al. 2015; Guo et al. 2017).
 */
export function expectedCalibrationError(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = ECE_BINS,
): number | null {
  check(probabilities, labels);
  const n = probabilities.length;
  if (n === 0) return null;
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const p = probabilities[i];
    if (p < 0 || p > 1)
      throw new FusionError(FusionErrorCode.InvalidMetricInput, `probability ${p} outside [0, 1]`);
    const b = Math.min(bins - 1, Math.floor(p * bins));
    count[b]++;
    sumP[b] += p;
    sumY[b] += labels[i];
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] > 0) ece += (count[b] / n) * Math.abs(sumY[b] / count[b] - sumP[b] / count[b]);
  }
  return ece;
}

/** Mean of the defined values; null when none is defined. */
export function macroAverage(values: readonly (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length === 0 ? null : defined.reduce((a, b) => a + b, 0) / defined.length;
}
