import { PreprocessError, PreprocessErrorCode } from '../preprocess.errors';
import { VITALS_CHANNEL_COUNT, VITALS_CHANNELS, vitalsChannelIndex } from './vitals-channels';

/**
 * Resamples irregular vital-sign observations onto the fixed hourly grid of the model input
 * (docs/model/tensor-contract.md): `hours` rows, oldest first, the last row ending at `end`.
 * Each cell is the mean of the observations whose time falls in its half-open hour
 * [start, start + 1 h); an empty cell is 0 with a 0 in its mask channel — missing values are
 * masked, never imputed, so the model can tell "not measured" from "normal".
 */

export interface VitalsObservation {
  /** LOINC code of one of the six model channels. */
  code: string;
  /** Instant: ISO 8601 string, Date or epoch milliseconds. */
  time: string | Date | number;
  /** Value in the channel's canonical UCUM unit. */
  value: number;
}

export interface VitalsStats {
  /** Per channel, in VITALS_CHANNELS order. */
  mean: number[];
  std: number[];
}

export interface VitalsGridOptions {
  /** End of the grid (exclusive), usually the assessment or note time. */
  end: string | Date | number;
  hours?: number;
  /** When given, values are z-scored with these statistics. */
  stats?: VitalsStats;
}

export interface VitalsGrid {
  hours: number;
  /** ISO 8601 UTC instants bounding the grid, half-open. */
  start: string;
  end: string;
  /** Row-major [hours, 12]: channels 0–5 values (z-scored when stats were given), 6–11 observed masks. */
  values: Float32Array;
  /** Observations that fell inside the grid. */
  observationsUsed: number;
}

export const DEFAULT_VITALS_HOURS = 48;
const HOUR_MS = 3_600_000;

function toEpochMs(time: string | Date | number, what: string): number {
  const ms = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : time.getTime();
  if (!Number.isFinite(ms)) {
    throw new PreprocessError(PreprocessErrorCode.InvalidObservation, `${what} is not a valid instant`);
  }
  return ms;
}

export function validateVitalsStats(stats: VitalsStats): void {
  const ok =
    stats.mean.length === VITALS_CHANNEL_COUNT &&
    stats.std.length === VITALS_CHANNEL_COUNT &&
    stats.mean.every(Number.isFinite) &&
    stats.std.every((value) => Number.isFinite(value) && value > 0);
  if (!ok) {
    throw new PreprocessError(
      PreprocessErrorCode.InvalidVitalsStats,
      `vitals statistics need ${VITALS_CHANNEL_COUNT} finite means and positive standard deviations`,
    );
  }
}

/** Hourly means and observed masks, before normalisation. */
export function resampleVitals(
  observations: readonly VitalsObservation[],
  options: VitalsGridOptions,
): VitalsGrid {
  const hours = options.hours ?? DEFAULT_VITALS_HOURS;
  if (!Number.isInteger(hours) || hours <= 0) {
    throw new PreprocessError(
      PreprocessErrorCode.InvalidGrid,
      `hours must be a positive integer, got ${hours}`,
    );
  }
  const endMs = toEpochMs(options.end, 'grid end');
  const startMs = endMs - hours * HOUR_MS;
  if (options.stats) validateVitalsStats(options.stats);

  const sums = new Float64Array(hours * VITALS_CHANNEL_COUNT);
  const counts = new Uint32Array(hours * VITALS_CHANNEL_COUNT);
  let used = 0;
  for (const observation of observations) {
    const channel = vitalsChannelIndex(observation.code);
    if (channel < 0) {
      throw new PreprocessError(
        PreprocessErrorCode.InvalidObservation,
        `observation code ${observation.code} is not one of the model's vital-sign channels`,
      );
    }
    if (!Number.isFinite(observation.value)) {
      throw new PreprocessError(
        PreprocessErrorCode.InvalidObservation,
        `observation ${observation.code} has no finite value`,
      );
    }
    const ms = toEpochMs(observation.time, `observation ${observation.code} time`);
    if (ms < startMs || ms >= endMs) continue;
    const row = Math.floor((ms - startMs) / HOUR_MS);
    sums[row * VITALS_CHANNEL_COUNT + channel] += observation.value;
    counts[row * VITALS_CHANNEL_COUNT + channel] += 1;
    used++;
  }

  const width = VITALS_CHANNEL_COUNT * 2;
  const values = new Float32Array(hours * width);
  for (let row = 0; row < hours; row++) {
    for (let channel = 0; channel < VITALS_CHANNEL_COUNT; channel++) {
      const cell = row * VITALS_CHANNEL_COUNT + channel;
      if (counts[cell] === 0) continue;
      const mean = sums[cell] / counts[cell];
      values[row * width + channel] = options.stats
        ? (mean - options.stats.mean[channel]) / options.stats.std[channel]
        : mean;
      values[row * width + VITALS_CHANNEL_COUNT + channel] = 1;
    }
  }
  return {
    hours,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    values,
    observationsUsed: used,
  };
}

/**
 * Normalisation statistics over the observed cells of un-normalised grids (the training rows'
 * hourly means, so the statistics describe exactly what the model sees).
 */
export function computeVitalsStats(grids: Iterable<VitalsGrid>): VitalsStats {
  const n = new Float64Array(VITALS_CHANNEL_COUNT);
  const sum = new Float64Array(VITALS_CHANNEL_COUNT);
  const sumSquares = new Float64Array(VITALS_CHANNEL_COUNT);
  const width = VITALS_CHANNEL_COUNT * 2;
  for (const grid of grids) {
    for (let row = 0; row < grid.hours; row++) {
      for (let channel = 0; channel < VITALS_CHANNEL_COUNT; channel++) {
        if (grid.values[row * width + VITALS_CHANNEL_COUNT + channel] === 0) continue;
        const value = grid.values[row * width + channel];
        n[channel] += 1;
        sum[channel] += value;
        sumSquares[channel] += value * value;
      }
    }
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let channel = 0; channel < VITALS_CHANNEL_COUNT; channel++) {
    if (n[channel] < 2) {
      throw new PreprocessError(
        PreprocessErrorCode.InvalidVitalsStats,
        `too few observations of ${VITALS_CHANNELS[channel].code} to compute statistics`,
      );
    }
    const m = sum[channel] / n[channel];
    const variance = Math.max(sumSquares[channel] / n[channel] - m * m, 0);
    mean.push(Number(m.toFixed(6)));
    std.push(Number(Math.max(Math.sqrt(variance), 1e-6).toFixed(6)));
  }
  return { mean, std };
}

/** Z-scores an un-normalised grid in place of a copy; masked cells stay 0. */
export function normaliseVitalsGrid(grid: VitalsGrid, stats: VitalsStats): VitalsGrid {
  validateVitalsStats(stats);
  const width = VITALS_CHANNEL_COUNT * 2;
  const values = new Float32Array(grid.values);
  for (let row = 0; row < grid.hours; row++) {
    for (let channel = 0; channel < VITALS_CHANNEL_COUNT; channel++) {
      if (values[row * width + VITALS_CHANNEL_COUNT + channel] === 0) continue;
      const index = row * width + channel;
      values[index] = (values[index] - stats.mean[channel]) / stats.std[channel];
    }
  }
  return { ...grid, values };
}
