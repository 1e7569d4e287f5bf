import type { TextInput } from '@mosaic/inference';
import { binaryMask as mask } from '@mosaic/dicom/testing';
import { pointingGame, textTopTokensHit, vitalsTopHourHit } from './faithfulness';

describe('pointing game', () => {
  // 8×8 image, 2×2 grid of 4×4 cells; the mask is the single pixel (5, 6), in the bottom-right cell.
  const m = mask(8, 8, (r, c) => r === 5 && c === 6);
  const cells = [
    { row: 0, column: 0, height: 4, width: 4 },
    { row: 0, column: 4, height: 4, width: 4 },
    { row: 4, column: 0, height: 4, width: 4 },
    { row: 4, column: 4, height: 4, width: 4 },
  ];

  it('hits when the top cell holds a mask pixel, with chance = share of cells that would hit', () => {
    expect(pointingGame(cells, 3, m)).toEqual({ hit: true, chance: 0.25, maskAreaShare: 1 / 64 });
    expect(pointingGame(cells, 0, m).hit).toBe(false);
  });

  it('ignores padding cells (null) for the chance level', () => {
    expect(pointingGame([null, ...cells.slice(1)], 3, m).chance).toBeCloseTo(1 / 3, 12);
  });
});

describe('text top-k tokens on evidence', () => {
  // Tokens: [CLS] no(0–2) fever(3–8) cough(9–14) today(15–20) [SEP]; evidence "cough" = [9, 14).
  const text: TextInput = {
    noteId: 'n',
    ids: new Int32Array(128),
    mask: new Uint8Array(128),
    truncated: false,
    tokens: [
      { id: 2, piece: '[CLS]', start: 0, end: 0 },
      { id: 4, piece: 'no', start: 0, end: 2 },
      { id: 5, piece: 'fever', start: 3, end: 8 },
      { id: 6, piece: 'cough', start: 9, end: 14 },
      { id: 7, piece: 'today', start: 15, end: 20 },
      { id: 3, piece: '[SEP]', start: 20, end: 20 },
    ],
  };

  it('hits when a top token overlaps the span; chance = 1 − C(n−e,k)/C(n,k)', () => {
    // n = 4 text tokens, e = 1; with k = 2: 1 − C(3,2)/C(4,2) = 1 − 3/6 = 0.5.
    expect(textTopTokensHit(text, [3, 1], [{ start: 9, end: 14 }])).toEqual({
      hit: true,
      chance: 0.5,
      evidenceTokenShare: 0.25,
      evidenceTokens: 1,
    });
    expect(textTopTokensHit(text, [1, 2], [{ start: 9, end: 14 }]).hit).toBe(false);
  });

  it('treats offsets as half-open: a span ending where a token starts does not overlap it', () => {
    expect(textTopTokensHit(text, [3], [{ start: 8, end: 9 }]).hit).toBe(false);
  });
});

describe('vitals top hour in a planted window', () => {
  it('uses half-open hour windows and the window share as chance', () => {
    const windows = [{ startHour: 10, endHour: 22 }];
    expect(vitalsTopHourHit(21, windows, 48)).toEqual({ hit: true, chance: 0.25 });
    expect(vitalsTopHourHit(22, windows, 48).hit).toBe(false);
  });
});
