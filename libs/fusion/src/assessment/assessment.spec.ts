import type { LabelExplanation } from '../explanation/explain-label';
import { defaultApplicability, imageMismatch, staleness } from './applicability';
import { narrativeFor } from './narrative';
import { topImageRegions } from './run-assessment';

describe('applicability (default: chest radiograph model)', () => {
  const rules = defaultApplicability(48);
  const at = new Date('2024-03-15T10:00:00Z');

  it('accepts CR and DX chest frontal views, and files without body part or view', () => {
    expect(
      imageMismatch(rules, { modality: 'DX', bodyPart: 'CHEST', view: 'PA', effectiveAt: at }),
    ).toBeNull();
    expect(imageMismatch(rules, { modality: 'cr', bodyPart: null, view: null, effectiveAt: at })).toBeNull();
  });

  it('names why a CT, another body part or a lateral view is left out', () => {
    expect(imageMismatch(rules, { modality: 'CT', bodyPart: 'CHEST', view: null, effectiveAt: at })).toMatch(
      /^modality CT/,
    );
    expect(imageMismatch(rules, { modality: 'DX', bodyPart: 'KNEE', view: 'AP', effectiveAt: at })).toMatch(
      /^body part KNEE/,
    );
    expect(imageMismatch(rules, { modality: 'DX', bodyPart: 'CHEST', view: 'LL', effectiveAt: at })).toMatch(
      /^view LL/,
    );
  });

  it('calls an input stale past its maximum age, and not at it', () => {
    const asOf = new Date(at.getTime() + 168 * 3_600_000);
    expect(staleness(at, asOf, 168)).toBeNull();
    expect(staleness(at, new Date(asOf.getTime() + 1), 168)).toMatch(/^stale: 168\.0 h/);
  });
});

describe('explanation summary', () => {
  const explanation: LabelExplanation = {
    label: 'pneumonia',
    probability: 0.8123,
    threshold: 0.3,
    aboveThreshold: true,
    modalityShares: [
      { modality: 'text', attention: 0.6, deltaProbability: 0.2 },
      { modality: 'image', attention: 0.3, deltaProbability: 0.1 },
      { modality: 'vitals', attention: 0.1, deltaProbability: 0.01 },
    ],
    text: [
      { noteId: 'n', start: 0, end: 5, weight: 0.2 },
      { noteId: 'n', start: 11, end: 19, weight: 0.1 },
    ],
    image: {
      instanceId: 'i',
      frame: 0,
      grid: { rows: 2, cols: 2 },
      weights: [0.1, 0.5, 0.9, 0.2],
      toPixel: [
        { row: 0, column: 0, height: 50, width: 50 },
        { row: 0, column: 50, height: 50, width: 50 },
        null,
        { row: 50, column: 50, height: 50, width: 50 },
      ],
    },
    vitals: [
      { code: '8867-4', start: '2024-01-01T10:00:00.000Z', end: '2024-01-01T12:00:00.000Z', weight: 0.3 },
      { code: '8310-5', start: '2024-01-01T10:00:00.000Z', end: '2024-01-01T12:00:00.000Z', weight: 0.3 },
    ],
  };

  it('ranks image regions by weight, never a padding cell', () => {
    expect(topImageRegions(explanation.image as NonNullable<LabelExplanation['image']>, 2)).toEqual([
      { cell: 1, row: 0, col: 1, weight: 0.5, rect: { row: 0, column: 50, height: 50, width: 50 } },
      { cell: 3, row: 1, col: 1, weight: 0.2, rect: { row: 50, column: 50, height: 50, width: 50 } },
    ]);
  });

  it('writes one sentence from the evidence: threshold, leading modality, words, region, vitals window', () => {
    const sentence = narrativeFor('Pneumonia', explanation, {
      noteText: 'Fever with crackles at the right base.',
      channelNames: new Map([
        ['8867-4', 'heart rate'],
        ['8310-5', 'body temperature'],
      ]),
    });
    expect(sentence).toBe(
      'Pneumonia: calibrated probability 0.81, above the decision threshold 0.30; attention rests mostly on the note (60%); the note\'s words "Fever", "crackles"; the image region at rows 0–50, columns 50–100; and heart rate, body temperature from 2024-01-01T10:00:00.000Z to 2024-01-01T12:00:00.000Z.',
    );
    expect(sentence.split('. ').length).toBe(1);
  });

  it('quotes only words: punctuation and bare numbers among the attended spans are left out', () => {
    const noteText = 'BP 90/60, fever.';
    const attended: LabelExplanation = {
      ...explanation,
      text: [
        { noteId: 'n', start: 8, end: 9, weight: 0.4 },
        { noteId: 'n', start: 3, end: 5, weight: 0.3 },
        { noteId: 'n', start: 10, end: 15, weight: 0.2 },
        { noteId: 'n', start: 0, end: 2, weight: 0.1 },
      ],
    };
    expect(narrativeFor('Sepsis', attended, { noteText })).toContain('the note\'s words "fever", "BP";');
    const onlyPunctuation: LabelExplanation = {
      ...explanation,
      text: [{ noteId: 'n', start: 8, end: 9, weight: 1 }],
    };
    expect(narrativeFor('Sepsis', onlyPunctuation, { noteText })).not.toContain("the note's words");
  });
});
