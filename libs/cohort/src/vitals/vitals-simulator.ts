import type { VitalsObservation } from '@mosaic/preprocess';
import { VITALS_CHANNELS } from '@mosaic/preprocess';
import type { PlannedVitalsPattern, VitalsPatternKind } from '../plan/patient-plan';
import type { SeededRandom } from '../random/seeded-random';

/**
 * 48 hours of bedside vital signs: a personal baseline, a circadian rhythm (nadir in the early
 * morning), measurement noise, irregular nurse rounds with skipped values and gaps, and the planned
 * condition patterns inside their ground-truth windows.
 */

export interface SimulatedObservation extends VitalsObservation {
  time: string;
  unit: string;
}

type Deltas = [hr: number, rr: number, spo2: number, temp: number, sbp: number, dbp: number];

/** Change from baseline at full severity, per channel in VITALS_CHANNELS order. */
const PATTERN_DELTAS: Record<VitalsPatternKind, Deltas> = {
  pneumonia_fever: [18, 6, -4, 1.8, -4, -2],
  sepsis_shock: [35, 8, -2, 2.0, -38, -18],
  heart_failure: [12, 9, -5, 0, 40, 18],
  embolic_event: [35, 10, -8, 0.3, -6, -2],
  pneumothorax_event: [24, 8, -6, 0, -4, 0],
  effusion_tachypnoea: [8, 6, -3, 0, 0, 0],
  copd_exacerbation: [12, 10, -6, 0.2, 6, 2],
  viral_fever: [16, 3, 0, 1.6, 0, 0],
  urinary_fever: [20, 3, 0, 1.8, -8, -4],
  dehydration: [28, 2, 0, 0, -30, -15],
  hypertensive_urgency: [6, 2, 0, 0, 45, 20],
  panic_attack: [30, 10, 0, 0, 12, 6],
  chronic_hypoxaemia: [4, 3, -6, 0, 0, 0],
};

/** Abrupt onsets (embolism, pneumothorax, panic) step up; the rest ramp over two hours. */
const SUDDEN: ReadonlySet<VitalsPatternKind> = new Set([
  'embolic_event',
  'pneumothorax_event',
  'panic_attack',
]);
/** Blood pressure falls progressively through the window in shock and dehydration. */
const PROGRESSIVE_PRESSURE: ReadonlySet<VitalsPatternKind> = new Set(['sepsis_shock', 'dehydration']);

const NOISE_SD: Deltas = [3, 1.3, 0.8, 0.12, 6, 4];
const CIRCADIAN_AMPLITUDE: Deltas = [5, 1, 0.3, 0.3, 7, 4];
const MISSING_RATE: Deltas = [0.06, 0.12, 0.06, 0.3, 0.08, 0.08];

function envelope(pattern: PlannedVitalsPattern, hour: number): number {
  const from = pattern.startHour;
  const to = pattern.startHour + pattern.durationHours;
  if (hour < from || hour >= to) return 0;
  if (pattern.kind === 'chronic_hypoxaemia') return 1;
  const rise = SUDDEN.has(pattern.kind) ? 0.25 : 2;
  const fall = 1.5;
  return Math.min(1, (hour - from) / rise, (to - hour) / fall + 0.3);
}

function patternDelta(pattern: PlannedVitalsPattern, hour: number, channel: number): number {
  const shape = envelope(pattern, hour);
  if (shape === 0) return 0;
  let delta = PATTERN_DELTAS[pattern.kind][channel] * pattern.severity * shape;
  if (PROGRESSIVE_PRESSURE.has(pattern.kind) && (channel === 4 || channel === 5)) {
    delta *= Math.min(1, 0.25 + (hour - pattern.startHour) / pattern.durationHours);
  }
  return delta;
}

export interface SimulatedVitals {
  observations: SimulatedObservation[];
  /** Grid start and end (exclusive), ISO 8601 UTC. */
  start: string;
  end: string;
}

export function simulateVitals(
  rng: SeededRandom,
  endMs: number,
  patterns: readonly PlannedVitalsPattern[],
): SimulatedVitals {
  const startMs = endMs - 48 * 3_600_000;
  const baseline: Deltas = [
    rng.normal(76, 8),
    rng.normal(15, 1.5),
    Math.min(99, rng.normal(97, 1)),
    rng.normal(36.8, 0.2),
    rng.normal(124, 10),
    rng.normal(76, 6),
  ];
  // Phase so the circadian trough falls near 04:00 local (taken as UTC here).
  const startHourOfDay = new Date(startMs).getUTCHours() + new Date(startMs).getUTCMinutes() / 60;
  const interval = rng.uniform(1.2, 3.5);
  const gap = rng.chance(0.3) ? { from: rng.uniform(4, 38), length: rng.uniform(4, 9) } : null;
  const windows = patterns.filter((pattern) => pattern.kind !== 'chronic_hypoxaemia');

  const observations: SimulatedObservation[] = [];
  let hour = rng.uniform(0, 1.5);
  while (hour < 48) {
    const inGap = gap !== null && hour >= gap.from && hour < gap.from + gap.length;
    if (!inGap) {
      const clock = (startHourOfDay + hour) % 24;
      const circadian = Math.sin(((clock - 10) / 24) * 2 * Math.PI);
      const timeMs = startMs + Math.round((hour * 3_600_000) / 60_000) * 60_000;
      if (timeMs < endMs) {
        VITALS_CHANNELS.forEach((channel, index) => {
          if (rng.chance(MISSING_RATE[index])) return;
          let value =
            baseline[index] + CIRCADIAN_AMPLITUDE[index] * circadian + rng.normal(0, NOISE_SD[index]);
          for (const pattern of patterns) value += patternDelta(pattern, hour, index);
          observations.push({
            code: channel.code,
            time: new Date(timeMs).toISOString(),
            value: roundVital(index, value),
            unit: channel.unit,
          });
        });
      }
    }
    // Nurses measure more often while a patient is unwell.
    const unwell = windows.some((pattern) => envelope(pattern, hour) > 0.2);
    hour += Math.max(0.25, (unwell ? interval / 2 : interval) + rng.normal(0, 0.35));
  }
  return { observations, start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() };
}

function roundVital(channel: number, value: number): number {
  switch (channel) {
    case 2:
      return Math.max(70, Math.min(100, Math.round(value)));
    case 3:
      return Math.round(value * 10) / 10;
    default:
      return Math.max(1, Math.round(value));
  }
}

/** The vital-sign channels a pattern moves noticeably, for the ground-truth window. */
export function patternCodes(kind: VitalsPatternKind): string[] {
  const deltas = PATTERN_DELTAS[kind];
  return VITALS_CHANNELS.filter((_, index) => Math.abs(deltas[index]) >= 2.5 * NOISE_SD[index] * 0.5).map(
    (channel) => channel.code,
  );
}
