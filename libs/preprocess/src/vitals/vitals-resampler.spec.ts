import { computeVitalsStats, normaliseVitalsGrid, resampleVitals } from './vitals-resampler';
import { PreprocessError } from '../preprocess.errors';

const end = '2024-03-01T12:00:00.000Z';
const at = (hoursBeforeEnd: number): string =>
  new Date(Date.parse(end) - hoursBeforeEnd * 3_600_000).toISOString();

describe('resampleVitals', () => {
  it('averages observations per hour, oldest first, with mask channels for observed cells', () => {
    const grid = resampleVitals(
      [
        { code: '8867-4', time: at(0.5), value: 100 },
        { code: '8867-4', time: at(0.25), value: 110 },
        { code: '8310-5', time: at(47.9), value: 38.5 },
        { code: '8867-4', time: at(48.5), value: 70 }, // before the grid
        { code: '8867-4', time: end, value: 70 }, // the end is exclusive
      ],
      { end, hours: 48 },
    );
    expect(grid.start).toBe('2024-02-28T12:00:00.000Z');
    expect(grid.values.length).toBe(48 * 12);
    expect(grid.values[47 * 12 + 0]).toBeCloseTo(105);
    expect(grid.values[47 * 12 + 6]).toBe(1);
    expect(grid.values[0 * 12 + 3]).toBeCloseTo(38.5);
    expect(grid.values[0 * 12 + 9]).toBe(1);
    expect(grid.values[10 * 12 + 0]).toBe(0);
    expect(grid.values[10 * 12 + 6]).toBe(0);
    expect(grid.observationsUsed).toBe(3);
  });

  it('z-scores observed cells only, leaving missing cells at 0', () => {
    const stats = { mean: [80, 16, 97, 37, 120, 75], std: [10, 2, 1, 0.5, 10, 5] };
    const grid = resampleVitals([{ code: '8867-4', time: at(1.5), value: 100 }], { end, stats });
    expect(grid.values[46 * 12]).toBeCloseTo(2);
    expect(grid.values[45 * 12]).toBe(0);
    const raw = resampleVitals([{ code: '8867-4', time: at(1.5), value: 100 }], { end });
    expect(Array.from(normaliseVitalsGrid(raw, stats).values)).toEqual(Array.from(grid.values));
  });

  it('computes statistics from observed cells', () => {
    const grid = resampleVitals(
      ['8867-4', '9279-1', '59408-5', '8310-5', '8480-6', '8462-4'].flatMap((code, channel) => [
        { code, time: at(2), value: 10 * (channel + 1) },
        { code, time: at(3), value: 10 * (channel + 1) + 2 },
      ]),
      { end },
    );
    const stats = computeVitalsStats([grid]);
    expect(stats.mean[0]).toBeCloseTo(11);
    expect(stats.std[0]).toBeCloseTo(1);
    expect(stats.mean[5]).toBeCloseTo(61);
  });

  it('refuses unknown codes and invalid times', () => {
    expect(() => resampleVitals([{ code: '1234-5', time: end, value: 1 }], { end })).toThrow(PreprocessError);
    expect(() => resampleVitals([{ code: '8867-4', time: 'yesterday', value: 1 }], { end })).toThrow(
      PreprocessError,
    );
  });
});
