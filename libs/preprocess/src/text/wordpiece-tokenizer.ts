import { PreprocessError, PreprocessErrorCode } from '../preprocess.errors';

/**
 * WordPiece-style tokenizer (Wu et al. 2016, as used by BERT): text is split into words and
 * punctuation, then each word is matched greedily, longest piece first, against the vocabulary;
 * pieces after the first carry the `##` prefix. Every token keeps the half-open UTF-16 offsets of
 * the characters it came from, so attention maps back onto the stored note text (ARCHITECTURE.md
 * §Explanation payload).
 */

export const PAD_TOKEN = '[PAD]';
export const UNK_TOKEN = '[UNK]';
export const CLS_TOKEN = '[CLS]';
export const SEP_TOKEN = '[SEP]';
/** Ids 0–3 are fixed by docs/model/tensor-contract.md. */
export const SPECIAL_TOKENS = [PAD_TOKEN, UNK_TOKEN, CLS_TOKEN, SEP_TOKEN] as const;
export const PAD_ID = 0;
export const UNK_ID = 1;
export const CLS_ID = 2;
export const SEP_ID = 3;
export const CONTINUATION_PREFIX = '##';
/** Longer "words" (hashes, run-together garbage) become one [UNK], as in BERT. */
export const MAX_CHARS_PER_WORD = 32;
export const DEFAULT_MAX_TOKENS = 128;

export interface Vocabulary {
  readonly tokens: readonly string[];
  readonly ids: ReadonlyMap<string, number>;
}

export interface NoteToken {
  id: number;
  piece: string;
  /** Half-open UTF-16 offsets into the note text; [CLS] and [SEP] are empty spans at 0 and at the text end. */
  start: number;
  end: number;
}

export interface TokenizedNote {
  /** Length `maxTokens`, padded with [PAD]. */
  ids: Int32Array;
  /** 1 for a real token (including [CLS]/[SEP]), 0 for padding. */
  mask: Uint8Array;
  /** The real tokens, in order, with their offsets. */
  tokens: NoteToken[];
  /** True when word pieces were dropped to fit `maxTokens`. */
  truncated: boolean;
}

export interface WordSpan {
  text: string;
  start: number;
  end: number;
}

/**
 * Lower-cases one UTF-16 code unit at a time, keeping it unchanged where lower-casing would change
 * the length (e.g. U+0130), so offsets stay exact.
 */
function normaliseChar(ch: string): string {
  const lower = ch.toLowerCase();
  return lower.length === ch.length ? lower : ch;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0xa0 || code === 0x3000;
}

/** Punctuation and symbols are words of their own (BERT BasicTokenizer). */
function isPunctuation(ch: string): boolean {
  return /[\p{P}\p{S}]/u.test(ch);
}

/** Splits text into lower-cased words and single punctuation characters with their offsets. */
export function splitWords(text: string): WordSpan[] {
  const words: WordSpan[] = [];
  let current = '';
  let start = -1;
  const flush = (end: number): void => {
    if (current.length > 0) words.push({ text: current, start, end });
    current = '';
    start = -1;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    if (isWhitespace(code) || code < 0x20) {
      flush(i);
      continue;
    }
    if (isPunctuation(ch)) {
      flush(i);
      words.push({ text: normaliseChar(ch), start: i, end: i + 1 });
      continue;
    }
    if (start < 0) start = i;
    current += normaliseChar(ch);
  }
  flush(text.length);
  return words;
}

export function createVocabulary(tokens: readonly string[]): Vocabulary {
  SPECIAL_TOKENS.forEach((special, index) => {
    if (tokens[index] !== special) {
      throw new PreprocessError(
        PreprocessErrorCode.InvalidVocabulary,
        `vocabulary line ${index} must be ${special}, found ${JSON.stringify(tokens[index] ?? null)}`,
      );
    }
  });
  const ids = new Map<string, number>();
  tokens.forEach((token, id) => {
    if (token.length === 0 || ids.has(token)) {
      throw new PreprocessError(
        PreprocessErrorCode.InvalidVocabulary,
        `vocabulary line ${id} is empty or repeats ${JSON.stringify(token)}`,
      );
    }
    ids.set(token, id);
  });
  return { tokens, ids };
}

/** Reads vocab.txt: one token per line, id = 0-based line number (tensor contract). */
export function parseVocabulary(text: string): Vocabulary {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return createVocabulary(lines.map((line) => line.replace(/\r$/, '')));
}

export function serializeVocabulary(vocab: Vocabulary): string {
  return `${vocab.tokens.join('\n')}\n`;
}

/** Greedy longest-match-first WordPiece split of one word; null when it cannot be covered. */
function wordPieces(
  word: string,
  vocab: Vocabulary,
): { piece: string; id: number; from: number; to: number }[] | null {
  if (word.length > MAX_CHARS_PER_WORD) return null;
  const pieces: { piece: string; id: number; from: number; to: number }[] = [];
  let from = 0;
  while (from < word.length) {
    let to = word.length;
    let found: { piece: string; id: number } | null = null;
    while (to > from) {
      const piece = (from > 0 ? CONTINUATION_PREFIX : '') + word.slice(from, to);
      const id = vocab.ids.get(piece);
      if (id !== undefined) {
        found = { piece, id };
        break;
      }
      to--;
    }
    if (found === null) return null;
    pieces.push({ ...found, from, to });
    from = to;
  }
  return pieces;
}

/**
 * Tokenizes a note into exactly `maxTokens` ids: [CLS] pieces… [SEP] [PAD]…. Pieces past the budget
 * are dropped (the note's start holds the HPI, which carries most evidence).
 */
export function tokenizeNote(
  text: string,
  vocab: Vocabulary,
  options: { maxTokens?: number } = {},
): TokenizedNote {
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const budget = maxTokens - 2;
  const tokens: NoteToken[] = [{ id: CLS_ID, piece: CLS_TOKEN, start: 0, end: 0 }];
  let truncated = false;
  for (const word of splitWords(text)) {
    const pieces = wordPieces(word.text, vocab);
    // A word that cannot be covered is one [UNK] spanning the whole word.
    const resolved = pieces ?? [{ piece: UNK_TOKEN, id: UNK_ID, from: 0, to: word.text.length }];
    if (tokens.length - 1 + resolved.length > budget) {
      truncated = true;
      break;
    }
    for (const piece of resolved) {
      tokens.push({
        id: piece.id,
        piece: piece.piece,
        start: word.start + piece.from,
        end: word.start + piece.to,
      });
    }
  }
  tokens.push({ id: SEP_ID, piece: SEP_TOKEN, start: text.length, end: text.length });
  const ids = new Int32Array(maxTokens);
  const mask = new Uint8Array(maxTokens);
  tokens.forEach((token, index) => {
    ids[index] = token.id;
    mask[index] = 1;
  });
  return { ids, mask, tokens, truncated };
}

export interface VocabularyOptions {
  /** Total size including special tokens. */
  maxSize?: number;
  /** Words seen at least this often become whole tokens. */
  minWordCount?: number;
}

/**
 * Builds a vocabulary from a training corpus, deterministically: the special tokens, every
 * character seen (as a first piece and as a `##` continuation, so any word made of seen characters
 * can be covered), frequent whole words, then frequent word-initial and continuation pieces
 * (2–6 characters) from the rarer words, so typos and unseen inflections split into useful pieces.
 * Ties break by the token's code-unit order, so the same corpus always gives the same file.
 */
export function buildVocabulary(corpus: Iterable<string>, options: VocabularyOptions = {}): Vocabulary {
  const maxSize = options.maxSize ?? 4096;
  const minWordCount = options.minWordCount ?? 3;
  const wordCounts = new Map<string, number>();
  for (const text of corpus) {
    for (const word of splitWords(text)) {
      if (word.text.length > MAX_CHARS_PER_WORD) continue;
      wordCounts.set(word.text, (wordCounts.get(word.text) ?? 0) + 1);
    }
  }
  const byCount = (a: [string, number], b: [string, number]): number =>
    b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

  const chars = new Set<string>();
  for (const word of wordCounts.keys()) for (const ch of word) chars.add(ch);
  const sortedChars = [...chars].sort();
  const tokens: string[] = [...SPECIAL_TOKENS];
  const seen = new Set<string>(tokens);
  const add = (token: string): void => {
    if (tokens.length < maxSize && !seen.has(token)) {
      seen.add(token);
      tokens.push(token);
    }
  };
  for (const ch of sortedChars) add(ch);
  for (const ch of sortedChars) add(CONTINUATION_PREFIX + ch);

  const entries = [...wordCounts.entries()].sort(byCount);
  const frequent = entries.filter(([, count]) => count >= minWordCount);
  const wordBudget = Math.floor((maxSize - tokens.length) * 0.75);
  for (const [word] of frequent.slice(0, wordBudget)) add(word);

  const pieceCounts = new Map<string, number>();
  for (const [word, count] of entries) {
    if (seen.has(word)) continue;
    for (let length = 2; length <= Math.min(6, word.length); length++) {
      const head = word.slice(0, length);
      pieceCounts.set(head, (pieceCounts.get(head) ?? 0) + count);
      for (let from = 1; from + length <= word.length; from++) {
        const piece = CONTINUATION_PREFIX + word.slice(from, from + length);
        pieceCounts.set(piece, (pieceCounts.get(piece) ?? 0) + count);
      }
    }
  }
  for (const [piece, count] of [...pieceCounts.entries()].sort(byCount)) {
    if (tokens.length >= maxSize || count < 2) break;
    add(piece);
  }
  return createVocabulary(tokens);
}
