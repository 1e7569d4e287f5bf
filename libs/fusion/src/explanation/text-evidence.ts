import type { TextInput } from '@mosaic/inference';
import { CONTINUATION_PREFIX } from '@mosaic/preprocess';

/**
 * Text evidence (ARCHITECTURE.md §Explanation payload): `{ noteId, start, end, weight }`, half-open
 * UTF-16 offsets into the stored note text, taken from the tokenizer's offsets. Word pieces are
 * merged back into their word (a `##` piece continues the previous token), and the word's weight
 * is the sum of its pieces' attention. [CLS] and [SEP] cover no text and are left out.
 */
export interface TextEvidence {
  noteId: string;
  start: number;
  end: number;
  weight: number;
}

/** Index of each real token that covers text, with its attention weight (position = token index). */
export function tokenWeights(
  text: TextInput,
  weights: ArrayLike<number>,
): { index: number; weight: number }[] {
  const out: { index: number; weight: number }[] = [];
  text.tokens.forEach((token, index) => {
    if (token.end > token.start) out.push({ index, weight: weights[index] });
  });
  return out;
}

/** The `k` most-attended text-covering tokens, highest first (ties: earlier token first). */
export function topTokens(text: TextInput, weights: ArrayLike<number>, k: number): number[] {
  return tokenWeights(text, weights)
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .slice(0, k)
    .map((t) => t.index);
}

/** Word-level spans, highest weight first; `maxSpans` bounds the list (default all). */
export function textEvidence(
  text: TextInput,
  weights: ArrayLike<number>,
  options: { maxSpans?: number } = {},
): TextEvidence[] {
  const words: TextEvidence[] = [];
  for (const { index, weight } of tokenWeights(text, weights)) {
    const token = text.tokens[index];
    const last = words[words.length - 1];
    if (token.piece.startsWith(CONTINUATION_PREFIX) && last && last.end === token.start) {
      last.end = token.end;
      last.weight += weight;
    } else {
      words.push({ noteId: text.noteId, start: token.start, end: token.end, weight });
    }
  }
  words.sort((a, b) => b.weight - a.weight || a.start - b.start);
  return words.slice(0, options.maxSpans ?? words.length);
}
