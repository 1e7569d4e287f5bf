import { auprc, auroc, expectedCalibrationError, macroAverage } from './metrics';

describe('auroc', () => {
  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('counts one mis-ordered pair out of four', () => {
    // Positives 0.35, 0.8; negatives 0.1, 0.4. Pairs: (0.35>0.1 ✓) (0.35>0.4 ✗) (0.8>0.1 ✓) (0.8>0.4 ✓) → 3/4.
    expect(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });

  it('counts a tie between a positive and a negative as one half', () => {
    // Positives 0.5, 0.9; negatives 0.5, 0.1. Pairs: (0.5=0.5 ½) (0.5>0.1 1) (0.9>0.5 1) (0.9>0.1 1) → 3.5/4.
    expect(auroc([0.5, 0.9, 0.5, 0.1], [1, 1, 0, 0])).toBe(0.875);
    // Everything tied: chance.
    expect(auroc([0.3, 0.3, 0.3], [1, 0, 0])).toBe(0.5);
  });

  it('is undefined with one class', () => {
    expect(auroc([0.1, 0.2], [1, 1])).toBeNull();
    expect(auroc([0.1, 0.2], [0, 0])).toBeNull();
  });
});

describe('auprc (average precision)', () => {
  it('is 1 when every positive ranks first', () => {
    expect(auprc([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1);
  });

  it('sums precision at each recall step', () => {
    // Ranked: 0.9 (1), 0.8 (0), 0.7 (1), 0.1 (0). Recall steps at rank 1 (P=1) and rank 3 (P=2/3):
    // AP = ½·1 + ½·⅔ = 5/6.
    expect(auprc([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo(5 / 6, 12);
  });

  it('lets tied scores enter together', () => {
    // Ranked: 0.9 (0), then 0.5 tied (1, 0), then 0.2 (1).
    // Threshold 0.9: R=0, P=0. Threshold 0.5: R=½, P=1/3. Threshold 0.2: R=1, P=2/4. AP = ½·⅓ + ½·½ = 5/12.
    expect(auprc([0.9, 0.5, 0.5, 0.2], [0, 1, 0, 1])).toBeCloseTo(5 / 12, 12);
  });

  it('is undefined without positives', () => {
    expect(auprc([0.9, 0.5], [0, 0])).toBeNull();
  });
});

describe('expectedCalibrationError (15 equal-width bins)', () => {
  it('is 0 when each bin’s mean probability equals its positive rate', () => {
    // Bin [0.4667, 0.5333): two at 0.5, one positive → |0.5 − 0.5| = 0.
    expect(expectedCalibrationError([0.5, 0.5], [1, 0])).toBe(0);
  });

  it('weights each bin’s gap by its share of samples', () => {
    // 0.05, 0.05 → bin 0 (mean p 0.05, rate 0): gap 0.05, weight 2/4.
    // 0.95, 0.99 → bin 14 (mean p 0.97, rate 1/2): gap 0.47, weight 2/4.
    // ECE = 0.5·0.05 + 0.5·0.47 = 0.26.
    expect(expectedCalibrationError([0.05, 0.05, 0.95, 0.99], [0, 0, 1, 0])).toBeCloseTo(0.26, 12);
  });

  it('puts a probability of exactly 1 in the last bin and 1/15 in the second', () => {
    // 1 → bin 14 (rate 1): gap 0. 1/15 → bin 1 (rate 0): gap 1/15. ECE = ½ · 1/15.
    expect(expectedCalibrationError([1, 1 / 15], [1, 0])).toBeCloseTo(1 / 30, 12);
  });
});

describe('macroAverage', () => {
  it('averages the defined values only', () => {
    expect(macroAverage([0.5, null, 1])).toBe(0.75);
    expect(macroAverage([null])).toBeNull();
  });
});
