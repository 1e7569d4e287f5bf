import type { LabelExplanation } from '../explanation/explain-label';
import { topImageCell } from '../explanation/image-evidence';

/**
 * One sentence that says, in words, what the evidence of a label's explanation says: the
 * probability against its threshold, the modality that carried most attention, the most-attended
 * words of the note, the image region and the vitals window. Built only from the evidence fields,
 * so it never claims more than the payload shows.
 */
export function narrativeFor(
  display: string,
  explanation: LabelExplanation,
  options: { noteText?: string | null; channelNames?: ReadonlyMap<string, string> } = {},
): string {
  const percent = (x: number): string => `${Math.round(x * 100)}%`;
  const parts: string[] = [];
  const present = explanation.modalityShares.filter((s) => s.deltaProbability !== null);
  const leading = [...present].sort((a, b) => b.attention - a.attention)[0];
  if (leading) {
    const name = { text: 'the note', image: 'the image', vitals: 'the vital signs' }[leading.modality];
    parts.push(`attention rests mostly on ${name} (${percent(leading.attention)})`);
  }
  if (options.noteText) {
    // The payload keeps every attended span; the sentence names words only, since quoting a comma
    // or a bare number tells a reader nothing about why the label scored as it did.
    const words = explanation.text
      .map((span) => options.noteText?.slice(span.start, span.end) ?? '')
      .filter((word) => /\p{L}/u.test(word))
      .slice(0, 3)
      .map((word) => `"${word}"`);
    if (words.length > 0) parts.push(`the note's words ${words.join(', ')}`);
  }
  if (explanation.image) {
    const cell = topImageCell(explanation.image);
    const rect = cell === null ? null : explanation.image.toPixel[cell];
    if (rect) {
      parts.push(
        `the image region at rows ${Math.round(rect.row)}–${Math.round(rect.row + rect.height)}, columns ${Math.round(rect.column)}–${Math.round(rect.column + rect.width)}`,
      );
    }
  }
  const vitals = explanation.vitals[0];
  if (vitals) {
    const channels = explanation.vitals
      .filter((v) => v.start === vitals.start && v.end === vitals.end)
      .map((v) => options.channelNames?.get(v.code) ?? v.code);
    parts.push(`${channels.join(', ')} from ${vitals.start} to ${vitals.end}`);
  }
  const verdict = explanation.aboveThreshold ? 'above' : 'below';
  const head = `${display}: calibrated probability ${explanation.probability.toFixed(2)}, ${verdict} the decision threshold ${explanation.threshold.toFixed(2)}`;
  if (parts.length === 0) return `${head}.`;
  const last = parts.pop() as string;
  const evidence = parts.length > 0 ? `${parts.join('; ')}; and ${last}` : last;
  return `${head}; ${evidence}.`;
}
