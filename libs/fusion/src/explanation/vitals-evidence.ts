import type { VitalsInput } from '@mosaic/inference';
import { VITALS_CHANNEL_COUNT, VITALS_CHANNELS } from '@mosaic/preprocess';

/**
 * Vitals evidence (ARCHITECTURE.md §Explanation payload): `{ code, start, end, weight }`, a LOINC
 * channel over a half-open window of ISO 8601 UTC instants. The vitals encoder yields one token per
 * hour of the grid (row i covers [start + i h, start + (i + 1) h)), so attention is per hour: the
 * most-attended hours are merged into contiguous windows, and each window lists the channels
 * actually observed in it, all with the window's summed weight.
 */
export interface VitalsEvidence {
  code: string;
  start: string;
  end: string;
  weight: number;
}

const HOUR_MS = 3_600_000;

export function hourInstant(vitals: VitalsInput, hour: number): string {
  return new Date(Date.parse(vitals.start) + hour * HOUR_MS).toISOString();
}

/** The most-attended hour (ties: the earlier). */
export function topHour(weights: ArrayLike<number>): number {
  let best = 0;
  for (let h = 1; h < weights.length; h++) if (weights[h] > weights[best]) best = h;
  return best;
}

export function vitalsEvidence(
  vitals: VitalsInput,
  weights: ArrayLike<number>,
  options: { topHours?: number } = {},
): VitalsEvidence[] {
  const hours = Array.from({ length: vitals.hours }, (_, h) => h)
    .sort((a, b) => weights[b] - weights[a] || a - b)
    .slice(0, options.topHours ?? 6)
    .sort((a, b) => a - b);
  const windows: { from: number; to: number; weight: number }[] = [];
  for (const h of hours) {
    const last = windows[windows.length - 1];
    if (last && last.to === h) {
      last.to = h + 1;
      last.weight += weights[h];
    } else {
      windows.push({ from: h, to: h + 1, weight: weights[h] });
    }
  }
  const width = VITALS_CHANNEL_COUNT * 2;
  const out: VitalsEvidence[] = [];
  for (const window of windows) {
    for (let channel = 0; channel < VITALS_CHANNEL_COUNT; channel++) {
      let observed = false;
      for (let h = window.from; h < window.to && !observed; h++) {
        observed = vitals.values[h * width + VITALS_CHANNEL_COUNT + channel] === 1;
      }
      if (!observed) continue;
      out.push({
        code: VITALS_CHANNELS[channel].code,
        start: hourInstant(vitals, window.from),
        end: hourInstant(vitals, window.to),
        weight: window.weight,
      });
    }
  }
  return out.sort((a, b) => b.weight - a.weight || a.start.localeCompare(b.start));
}
