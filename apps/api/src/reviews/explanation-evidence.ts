import type { Diagnosis } from '@mosaic/fusion';
import type { EvidenceReference } from '@mosaic/persistence';

export type EvidenceLookup =
  { found: true; evidence: Record<string, unknown> } | { found: false; detail: string };

/**
 * Finds the item of a stored explanation that a review refers to (ARCHITECTURE.md §Explanation
 * payload): the label's text span, vitals window or modality share at `index` of that list, or the
 * image grid cell `index` (row-major, padding cells included: attention on padding is exactly what a
 * reviewer may object to). Says what exists when the reference misses, so the reviewer can fix it.
 */
export function lookUpEvidence(
  diagnoses: readonly Diagnosis[],
  reference: EvidenceReference,
): EvidenceLookup {
  const diagnosis = diagnoses.find((d) => d.label === reference.label);
  if (!diagnosis) {
    return {
      found: false,
      detail: `the assessment has no label ${reference.label}; its labels are ${diagnoses.map((d) => d.label).join(', ')}`,
    };
  }
  const { explanation } = diagnosis;
  const inList = (items: readonly object[], what: string): EvidenceLookup =>
    reference.index < items.length
      ? { found: true, evidence: { ...items[reference.index] } }
      : {
          found: false,
          detail:
            items.length === 0
              ? `${reference.label} has no ${what} evidence`
              : `${reference.label} has ${items.length} ${what} item${items.length === 1 ? '' : 's'} (0–${items.length - 1}), not ${reference.index}`,
        };
  switch (reference.kind) {
    case 'text':
      return inList(explanation.text, 'text');
    case 'vitals':
      return inList(explanation.vitals, 'vitals');
    case 'modalityShare':
      return inList(explanation.modalityShares, 'modality share');
    case 'image': {
      const image = explanation.image;
      if (!image)
        return { found: false, detail: `${reference.label} has no image evidence (no image was used)` };
      const cells = image.grid.rows * image.grid.cols;
      if (reference.index >= cells) {
        return {
          found: false,
          detail: `the image grid is ${image.grid.rows}×${image.grid.cols}: cells 0–${cells - 1}, not ${reference.index}`,
        };
      }
      return {
        found: true,
        evidence: {
          instanceId: image.instanceId,
          frame: image.frame,
          cell: reference.index,
          row: Math.floor(reference.index / image.grid.cols),
          col: reference.index % image.grid.cols,
          weight: image.weights[reference.index],
          rect: image.toPixel[reference.index] ?? null,
        },
      };
    }
    default: {
      const kind: never = reference.kind;
      return { found: false, detail: `unknown evidence kind ${String(kind)}` };
    }
  }
}
