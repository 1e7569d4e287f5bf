import { modelInputGeometry } from '@mosaic/dicom';
import type { ImageInput, TextInput, VitalsInput } from '@mosaic/inference';
import { createVocabulary, tokenizeNote } from '@mosaic/preprocess';
import { imageEvidence, topImageCell } from './image-evidence';
import { textEvidence, topTokens } from './text-evidence';
import { topHour, vitalsEvidence } from './vitals-evidence';

function textInput(note: string, vocabulary: string[]): TextInput {
  const vocab = createVocabulary(['[PAD]', '[UNK]', '[CLS]', '[SEP]', ...vocabulary]);
  const t = tokenizeNote(note, vocab);
  return { noteId: 'note-1', ids: t.ids, mask: t.mask, tokens: t.tokens, truncated: t.truncated };
}

describe('textEvidence', () => {
  // "Ffever, cough" → [CLS] ff ##ever , cough [SEP]: "Ffever" is split into two pieces.
  const text = textInput('Ffever, cough', ['ff', '##ever', ',', 'cough']);

  it('merges word pieces into words with UTF-16 offsets into the note and summed weights', () => {
    expect(text.tokens.map((t) => t.piece)).toEqual(['[CLS]', 'ff', '##ever', ',', 'cough', '[SEP]']);
    const weights = [0.3, 0.1, 0.2, 0.05, 0.25, 0.1];
    const spans = textEvidence(text, weights);
    expect(spans).toEqual([
      { noteId: 'note-1', start: 0, end: 6, weight: expect.closeTo(0.3, 12) },
      { noteId: 'note-1', start: 8, end: 13, weight: 0.25 },
      { noteId: 'note-1', start: 6, end: 7, weight: 0.05 },
    ]);
    expect('Ffever, cough'.slice(spans[0].start, spans[0].end)).toBe('Ffever');
  });

  it('never points at [CLS] or [SEP], which cover no text', () => {
    const weights = [0.9, 0.01, 0.02, 0.03, 0.04, 0.8];
    expect(topTokens(text, weights, 2)).toEqual([4, 3]);
  });

  it('counts offsets in UTF-16 code units (an astral character is two)', () => {
    const astral = textInput('😀 sob', ['😀', 'sob']);
    expect(astral.tokens[2]).toMatchObject({ piece: 'sob', start: 3, end: 6 });
  });
});

describe('imageEvidence', () => {
  it('maps grid cells to original pixels, undoing resize and padding; padding cells map to null', () => {
    // 384 rows × 320 columns → scale 1/3, resized 128 × 107 (rounded), padLeft 10.
    const geometry = modelInputGeometry(384, 320, 128);
    const image: ImageInput = {
      instanceId: '1.2.3',
      frame: 0,
      tensor: new Float32Array(128 * 128),
      geometry,
    };
    const weights = Array.from({ length: 64 }, (_, i) => (i === 27 ? 0.5 : 0.001));
    const evidence = imageEvidence(image, { rows: 8, cols: 8 }, weights);
    expect(evidence.grid).toEqual({ rows: 8, cols: 8 });
    // Cell 27 = row 3, col 3: model rows 48–64 → source rows 144–192; model columns 48–64 minus the
    // 10-column pad, scaled by 320/107.
    const sx = 320 / 107;
    expect(evidence.toPixel[27]).toEqual({
      row: 144,
      column: expect.closeTo(38 * sx, 9),
      height: 48,
      width: expect.closeTo(16 * sx, 9),
    });
    expect(topImageCell(evidence)).toBe(27);
    // Column 0 spans model columns 0–16, of which 10 are padding: it still shows 6 columns of pixels.
    expect(evidence.toPixel[0]?.column).toBe(0);
  });

  it('returns null for a cell entirely inside padding, and never picks it as the top cell', () => {
    const geometry = modelInputGeometry(128, 32, 128); // resized 128 × 32, padLeft 48
    const image: ImageInput = { instanceId: 'x', frame: 0, tensor: new Float32Array(128 * 128), geometry };
    const weights = Array.from({ length: 64 }, (_, i) => (i === 0 ? 0.9 : i === 3 ? 0.05 : 0));
    const evidence = imageEvidence(image, { rows: 8, cols: 8 }, weights);
    expect(evidence.toPixel[0]).toBeNull();
    expect(topImageCell(evidence)).toBe(3);
  });
});

describe('vitalsEvidence', () => {
  it('turns the top hours into half-open UTC windows for the channels observed in them', () => {
    const hours = 48;
    const values = new Float32Array(hours * 12);
    // Heart rate (channel 0) observed in hours 10–12; temperature (channel 3) in hour 11 only.
    for (const h of [10, 11, 12]) values[h * 12 + 6] = 1;
    values[11 * 12 + 9] = 1;
    const vitals: VitalsInput = {
      values,
      start: '2024-01-01T00:00:00.000Z',
      end: '2024-01-03T00:00:00.000Z',
      hours,
    };
    const weights = new Float32Array(hours).fill(0.001);
    weights[11] = 0.3;
    weights[12] = 0.2;
    weights[40] = 0.1;
    expect(topHour(weights)).toBe(11);
    const evidence = vitalsEvidence(vitals, weights, { topHours: 3 });
    expect(evidence).toEqual([
      {
        code: '8867-4',
        start: '2024-01-01T11:00:00.000Z',
        end: '2024-01-01T13:00:00.000Z',
        weight: expect.closeTo(0.5, 6),
      },
      {
        code: '8310-5',
        start: '2024-01-01T11:00:00.000Z',
        end: '2024-01-01T13:00:00.000Z',
        weight: expect.closeTo(0.5, 6),
      },
    ]);
  });
});
