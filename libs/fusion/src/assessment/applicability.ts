import type { ModelManifest } from '@mosaic/inference';

/**
 * What a model accepts (issue: Applicability): the imaging modality, body part and view of a
 * chest-radiograph model, and the oldest note or image it should read. manifest.json may declare an
 * `applicability` block; models/manifest.schema.json (mosaic-model/1) has none yet, so a model
 * without one gets DEFAULT_APPLICABILITY, documented in docs/assessments.md §Applicability.
 */
export interface Applicability {
  image: {
    /** DICOM Modality (0008,0060) values accepted, upper case. */
    modalities: string[];
    /** Body Part Examined (0018,0015) values accepted; a file without the attribute is accepted. */
    bodyParts: string[];
    /** View Position (0018,5101) values accepted; a file without the attribute is accepted. */
    views: string[];
    maxAgeHours: number;
  };
  text: { maxAgeHours: number };
  /** The vitals grid length is fixed by the model; the default window is the grid. */
  vitals: { windowHours: number };
  source: 'manifest' | 'default';
}

/**
 * Chest radiographs: CR and DX (PS3.3 C.7.3.1.1.1 defined terms), chest, frontal views (PA, AP;
 * lateral views differ from the training images). A note or image older than 7 days before asOf no
 * longer describes the presentation being assessed.
 */
export function defaultApplicability(windowHours: number): Applicability {
  return {
    image: { modalities: ['CR', 'DX'], bodyParts: ['CHEST'], views: ['PA', 'AP'], maxAgeHours: 7 * 24 },
    text: { maxAgeHours: 7 * 24 },
    vitals: { windowHours },
    source: 'default',
  };
}

export function applicabilityOf(manifest: ModelManifest): Applicability {
  const windowHours = manifest.preprocessing.vitals.timeGrid.steps;
  const declared = (manifest as unknown as { applicability?: Partial<Applicability> }).applicability;
  const fallback = defaultApplicability(windowHours);
  if (!declared) return fallback;
  return {
    image: { ...fallback.image, ...declared.image },
    text: { ...fallback.text, ...declared.text },
    vitals: { windowHours },
    source: 'manifest',
  };
}

export interface ImageCandidate {
  modality: string;
  bodyPart: string | null;
  view: string | null;
  effectiveAt: Date;
}

/** Why an image does not fit the model, or null when it does (age is checked separately). */
export function imageMismatch(applicability: Applicability, image: ImageCandidate): string | null {
  const rules = applicability.image;
  const modality = image.modality.toUpperCase();
  if (!rules.modalities.includes(modality)) {
    return `modality ${modality} is not one the model reads (${rules.modalities.join(', ')})`;
  }
  const bodyPart = image.bodyPart?.toUpperCase() ?? null;
  if (bodyPart && !rules.bodyParts.includes(bodyPart)) {
    return `body part ${bodyPart} is not one the model reads (${rules.bodyParts.join(', ')})`;
  }
  const view = image.view?.toUpperCase() ?? null;
  if (view && !rules.views.includes(view)) {
    return `view ${view} is not one the model reads (${rules.views.join(', ')})`;
  }
  return null;
}

/** Why an input is too old for `asOf`, or null. */
export function staleness(effectiveAt: Date, asOf: Date, maxAgeHours: number): string | null {
  const ageHours = (asOf.getTime() - effectiveAt.getTime()) / 3_600_000;
  return ageHours > maxAgeHours
    ? `stale: ${ageHours.toFixed(1)} h before asOf, the model reads at most ${maxAgeHours} h`
    : null;
}
