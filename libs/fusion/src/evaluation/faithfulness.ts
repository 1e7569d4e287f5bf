import { rectTouchesMask } from '@mosaic/dicom';
import type { BinaryMask, PixelRect } from '@mosaic/dicom';
import type { TextInput } from '@mosaic/inference';

/**
 * Explanation faithfulness against the cohort's ground truth (docs/evaluation.md §Faithfulness).
 * Each hit test comes with the chance level of the same test for a uniformly random choice, so a
 * large mask, a long evidence span or a wide window cannot inflate the figure.
 */

export interface PointingResult {
  hit: boolean;
  /** Share of the image-showing cells that would score a hit: the chance of a random cell. */
  chance: number;
  /** The mask's share of the image area. */
  maskAreaShare: number;
}

export function pointingGame(
  toPixel: readonly (PixelRect | null)[],
  topCell: number,
  mask: BinaryMask,
): PointingResult {
  const cells = toPixel.filter((rect): rect is PixelRect => rect !== null);
  const hits = cells.filter((rect) => rectTouchesMask(rect, mask)).length;
  const top = toPixel[topCell];
  return {
    hit: top !== null && rectTouchesMask(top, mask),
    chance: cells.length === 0 ? 0 : hits / cells.length,
    maskAreaShare: mask.area / (mask.rows * mask.columns),
  };
}

/** C(n, k) / C(m, k) computed as a product, stable for the small k used here. */
function ratioOfCombinations(n: number, m: number, k: number): number {
  if (k > n) return 0;
  let ratio = 1;
  for (let i = 0; i < k; i++) ratio *= (n - i) / (m - i);
  return ratio;
}

export interface TextHitResult {
  hit: boolean;
  /** P(at least one of k random text tokens overlaps the evidence) = 1 − C(n − e, k) / C(n, k). */
  chance: number;
  /** e / n: evidence tokens among the text-covering tokens. */
  evidenceTokenShare: number;
  evidenceTokens: number;
}

/** Whether any of the top tokens overlaps an evidence span (half-open UTF-16 offsets). */
export function textTopTokensHit(
  text: TextInput,
  top: readonly number[],
  spans: readonly { start: number; end: number }[],
): TextHitResult {
  const overlaps = (index: number): boolean => {
    const token = text.tokens[index];
    return spans.some((span) => token.start < span.end && span.start < token.end);
  };
  const covering = text.tokens.map((t, i) => ({ t, i })).filter(({ t }) => t.end > t.start);
  const evidenceTokens = covering.filter(({ i }) => overlaps(i)).length;
  const n = covering.length;
  const k = Math.min(top.length, n);
  return {
    hit: top.some(overlaps),
    chance: n === 0 ? 0 : 1 - ratioOfCombinations(n - evidenceTokens, n, k),
    evidenceTokenShare: n === 0 ? 0 : evidenceTokens / n,
    evidenceTokens,
  };
}

export interface VitalsHitResult {
  hit: boolean;
  /** Share of the grid's hours inside any planted window: the chance of a random hour. */
  chance: number;
}

/** Whether the most-attended hour lies in a planted window [startHour, endHour). */
export function vitalsTopHourHit(
  topHour: number,
  windows: readonly { startHour: number; endHour: number }[],
  hours: number,
): VitalsHitResult {
  const inside = (h: number): boolean => windows.some((w) => h >= w.startHour && h < w.endHour);
  let covered = 0;
  for (let h = 0; h < hours; h++) if (inside(h)) covered++;
  return { hit: inside(topHour), chance: covered / hours };
}
