import type { Diagnosis } from '@mosaic/fusion';
import { lookUpEvidence } from './explanation-evidence';

const rect = { row: 0, column: 10, height: 48, width: 48 };

/** A two-label payload in the ARCHITECTURE.md §Explanation payload shape, with a 2×3 image grid. */
function diagnoses(): Diagnosis[] {
  const base = {
    display: '',
    snomedCt: { system: 'http://snomed.info/sct', code: '1' },
    icd10: { system: 'http://hl7.org/fhir/sid/icd-10', code: 'J18' },
    threshold: 0.5,
  };
  return [
    {
      ...base,
      rank: 1,
      label: 'pneumonia',
      probability: 0.8,
      aboveThreshold: true,
      explanation: {
        modalityShares: [
          { modality: 'text', attention: 0.5, deltaProbability: 0.1 },
          { modality: 'image', attention: 0.3, deltaProbability: 0.0 },
          { modality: 'vitals', attention: 0.2, deltaProbability: null },
        ],
        text: [{ noteId: 'n1', start: 4, end: 9, weight: 0.4 }],
        image: {
          instanceId: 'i1',
          frame: 0,
          grid: { rows: 2, cols: 3 },
          weights: [0.1, 0.2, 0.3, 0.15, 0.15, 0.1],
          toPixel: [null, rect, rect, null, rect, rect],
          topRegions: [],
        },
        vitals: [],
        narrative: '',
      },
    },
    {
      ...base,
      rank: 2,
      label: 'effusion',
      probability: 0.2,
      aboveThreshold: false,
      explanation: { modalityShares: [], text: [], image: null, vitals: [], narrative: '' },
    },
  ] as unknown as Diagnosis[];
}

describe('lookUpEvidence', () => {
  it('resolves a text span, a modality share and an image cell with its row, column and rectangle', () => {
    expect(lookUpEvidence(diagnoses(), { label: 'pneumonia', kind: 'text', index: 0 })).toEqual({
      found: true,
      evidence: { noteId: 'n1', start: 4, end: 9, weight: 0.4 },
    });
    expect(lookUpEvidence(diagnoses(), { label: 'pneumonia', kind: 'modalityShare', index: 2 })).toEqual({
      found: true,
      evidence: { modality: 'vitals', attention: 0.2, deltaProbability: null },
    });
    expect(lookUpEvidence(diagnoses(), { label: 'pneumonia', kind: 'image', index: 4 })).toEqual({
      found: true,
      evidence: { instanceId: 'i1', frame: 0, cell: 4, row: 1, col: 1, weight: 0.15, rect },
    });
  });

  it('accepts a padding cell, whose rectangle is null: attention on padding is worth objecting to', () => {
    expect(lookUpEvidence(diagnoses(), { label: 'pneumonia', kind: 'image', index: 3 })).toMatchObject({
      found: true,
      evidence: { cell: 3, row: 1, col: 0, rect: null },
    });
  });

  it('says what exists when a reference misses', () => {
    const miss = (label: string, kind: 'text' | 'image' | 'vitals' | 'modalityShare', index: number) =>
      lookUpEvidence(diagnoses(), { label, kind, index });
    expect(miss('asthma', 'text', 0)).toEqual({
      found: false,
      detail: 'the assessment has no label asthma; its labels are pneumonia, effusion',
    });
    expect(miss('pneumonia', 'text', 1)).toEqual({
      found: false,
      detail: 'pneumonia has 1 text item (0–0), not 1',
    });
    expect(miss('pneumonia', 'vitals', 0)).toEqual({
      found: false,
      detail: 'pneumonia has no vitals evidence',
    });
    expect(miss('pneumonia', 'image', 6)).toEqual({
      found: false,
      detail: 'the image grid is 2×3: cells 0–5, not 6',
    });
    expect(miss('effusion', 'image', 0)).toEqual({
      found: false,
      detail: 'effusion has no image evidence (no image was used)',
    });
  });
});
