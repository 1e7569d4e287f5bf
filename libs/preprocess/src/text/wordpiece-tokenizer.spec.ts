import {
  buildVocabulary,
  CLS_ID,
  parseVocabulary,
  PAD_ID,
  SEP_ID,
  serializeVocabulary,
  splitWords,
  tokenizeNote,
  UNK_ID,
} from './wordpiece-tokenizer';
import { PreprocessError } from '../preprocess.errors';

const corpus = [
  'HPI: 67 yo M with SOB and productive cough. Denies fever.',
  'Pneumonia suspected; productive cough for 3 days. No CP.',
  'Pleuritic chest pain, SOB. Mother had a PE.',
  'Productive cough, fever, SOB. Assessment: pneumonia.',
];

describe('WordPiece tokenizer', () => {
  const vocab = buildVocabulary(corpus, { maxSize: 400, minWordCount: 2 });

  it('keeps the special tokens at the ids fixed by the tensor contract', () => {
    expect(vocab.tokens.slice(0, 4)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]']);
  });

  it('gives every token offsets that point back at its characters in the original text', () => {
    const text = 'Pt c/o SOB & Productive cough — denies fevers.';
    const note = tokenizeNote(text, vocab);
    expect(note.tokens[0].id).toBe(CLS_ID);
    expect(note.tokens[note.tokens.length - 1].id).toBe(SEP_ID);
    for (const token of note.tokens.slice(1, -1)) {
      const piece = token.piece.replace(/^##/, '');
      if (token.id === UNK_ID) continue;
      expect(text.slice(token.start, token.end).toLowerCase()).toBe(piece);
    }
    const cough = note.tokens.find((token) => token.piece === 'cough');
    expect(cough && text.slice(cough.start, cough.end)).toBe('cough');
  });

  it('splits unseen words and typos into word pieces that cover the word exactly', () => {
    const text = 'pnuemonia';
    const note = tokenizeNote(text, vocab);
    const pieces = note.tokens.slice(1, -1);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces[0].start).toBe(0);
    expect(pieces[pieces.length - 1].end).toBe(text.length);
    expect(pieces.slice(1).every((piece) => piece.piece.startsWith('##'))).toBe(true);
  });

  it('counts offsets in UTF-16 code units across astral characters', () => {
    const text = '😀 cough';
    const note = tokenizeNote(text, vocab);
    const cough = note.tokens.find((token) => token.piece === 'cough');
    expect(cough).toMatchObject({ start: 3, end: 8 });
  });

  it('pads to the fixed length with a mask and truncates long notes', () => {
    const short = tokenizeNote('cough', vocab, { maxTokens: 8 });
    expect(Array.from(short.mask)).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    expect(short.ids[5]).toBe(PAD_ID);
    const long = tokenizeNote('cough '.repeat(200), vocab);
    expect(long.ids.length).toBe(128);
    expect(long.truncated).toBe(true);
    expect(long.mask.every((value) => value === 1)).toBe(true);
    expect(long.ids[127]).toBe(SEP_ID);
  });

  it('round-trips the vocabulary file and builds the same vocabulary from the same corpus', () => {
    const again = parseVocabulary(serializeVocabulary(vocab));
    expect(again.tokens).toEqual(vocab.tokens);
    expect(buildVocabulary(corpus, { maxSize: 400, minWordCount: 2 }).tokens).toEqual(vocab.tokens);
  });

  it('refuses a vocabulary without the special tokens first', () => {
    expect(() => parseVocabulary('hello\n')).toThrow(PreprocessError);
  });

  it('splits punctuation into its own words', () => {
    expect(splitWords('c/o SOB.').map((word) => word.text)).toEqual(['c', '/', 'o', 'sob', '.']);
  });
});
