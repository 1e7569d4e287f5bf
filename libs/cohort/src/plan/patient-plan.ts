import type { LabelSlug } from '../labels/cohort-labels';
import { LABEL_SLUGS } from '../labels/cohort-labels';
import type { SeededRandom } from '../random/seeded-random';

/**
 * The evidence design of the cohort (docs/cohort.md §Evidence design). A patient's plan says which
 * conditions they have, which modalities exist, and which cue each modality carries and why.
 *
 * Three rules keep any single modality insufficient while the combination stays decisive:
 * 1. A positive patient expresses each of its condition's cues only with some probability, so the
 *    evidence is spread: one modality often lacks it.
 * 2. Negative patients carry mimics: the same image finding (atelectasis looks like consolidation,
 *    a skin fold like a pneumothorax edge, a nipple shadow like a nodule), the same vitals pattern
 *    (a viral fever, a panic attack's tachycardia) or the same words (cough in bronchitis). A mimic
 *    is drawn with exactly the renderer of the real finding, and its explanation lives in another
 *    modality (normal temperature, "post-op", "known cardiomyopathy").
 * 3. Some conditions are defined by a conjunction across modalities: pneumonia is an opacity with
 *    fever or a productive cough, not an opacity with a normal temperature.
 */

export type Modality = 'note' | 'image' | 'vitals';
export type Side = 'left' | 'right';

export type ImageFindingKind = 'consolidation' | 'cardiomegaly' | 'effusion' | 'pneumothorax' | 'nodule';
export type VitalsPatternKind =
  | 'pneumonia_fever'
  | 'sepsis_shock'
  | 'heart_failure'
  | 'embolic_event'
  | 'pneumothorax_event'
  | 'effusion_tachypnoea'
  | 'copd_exacerbation'
  | 'viral_fever'
  | 'urinary_fever'
  | 'dehydration'
  | 'hypertensive_urgency'
  | 'panic_attack'
  | 'chronic_hypoxaemia';

export type MimicKind =
  | 'atelectasis'
  | 'viral_bronchitis'
  | 'urinary_infection'
  | 'dehydration'
  | 'chronic_cardiomyopathy'
  | 'hypertensive_urgency'
  | 'panic_attack'
  | 'skin_fold'
  | 'pleural_thickening'
  | 'nipple_shadow'
  | 'stable_copd';

/** Why a cue is present: a condition the patient has, or a mimic that explains it away. */
export type CueCause = { label: LabelSlug } | { mimic: MimicKind };

export interface PlannedImageFinding {
  kind: ImageFindingKind;
  side: Side;
  /** 0 upper, 1 middle, 2 lower zone (consolidation only). */
  zone: number;
  /** 0.4–1: size and density of the finding. */
  severity: number;
  variant: 'meniscus' | 'fluid_level' | 'default';
  cause: CueCause;
}

export interface PlannedVitalsPattern {
  kind: VitalsPatternKind;
  /** Hours after the grid start; the pattern's window is [start, start + duration). */
  startHour: number;
  durationHours: number;
  severity: number;
  cause: CueCause;
}

export type NoteCueKind = 'symptom' | 'diagnosis';
export interface PlannedNoteCue {
  kind: NoteCueKind;
  cause: CueCause;
}

/** Mentions that must not count as evidence (or hedges, which are uninformative by design). */
export type NoteTrapKind = 'negated' | 'family_history' | 'hedged';
export interface PlannedNoteTrap {
  kind: NoteTrapKind;
  label: LabelSlug;
}

export interface PatientPlan {
  labels: LabelSlug[];
  modalities: Record<Modality, boolean>;
  split: 'train' | 'val' | 'test';
  sex: 'F' | 'M';
  age: number;
  imageFindings: PlannedImageFinding[];
  vitalsPatterns: PlannedVitalsPattern[];
  noteCues: PlannedNoteCue[];
  noteTraps: PlannedNoteTrap[];
  mimics: MimicKind[];
}

/** Probability that a positive patient's condition shows its cue in each modality. */
const EXPRESSION: Record<LabelSlug, { image: number; vitals: number; symptom: number; diagnosis: number }> = {
  pneumonia: { image: 0.85, vitals: 0.75, symptom: 0.65, diagnosis: 0.2 },
  acute_heart_failure: { image: 0.8, vitals: 0.75, symptom: 0.65, diagnosis: 0.2 },
  sepsis: { image: 0, vitals: 0.8, symptom: 0.65, diagnosis: 0.2 },
  pulmonary_embolism: { image: 0, vitals: 0.8, symptom: 0.7, diagnosis: 0.2 },
  pneumothorax: { image: 0.85, vitals: 0.65, symptom: 0.6, diagnosis: 0.2 },
  pleural_effusion: { image: 0.85, vitals: 0.45, symptom: 0.6, diagnosis: 0.2 },
  copd_exacerbation: { image: 0, vitals: 0.75, symptom: 0.75, diagnosis: 0.2 },
  pulmonary_nodule: { image: 0.85, vitals: 0, symptom: 0.55, diagnosis: 0.2 },
};

const LABEL_VITALS: Record<LabelSlug, VitalsPatternKind | null> = {
  pneumonia: 'pneumonia_fever',
  acute_heart_failure: 'heart_failure',
  sepsis: 'sepsis_shock',
  pulmonary_embolism: 'embolic_event',
  pneumothorax: 'pneumothorax_event',
  pleural_effusion: 'effusion_tachypnoea',
  copd_exacerbation: 'copd_exacerbation',
  pulmonary_nodule: null,
};

const LABEL_IMAGE: Record<LabelSlug, ImageFindingKind | null> = {
  pneumonia: 'consolidation',
  acute_heart_failure: 'cardiomegaly',
  sepsis: null,
  pulmonary_embolism: null,
  pneumothorax: 'pneumothorax',
  pleural_effusion: 'effusion',
  copd_exacerbation: null,
  pulmonary_nodule: 'nodule',
};

/** Share of patients carrying each mimic, drawn independently of their conditions. */
const MIMIC_RATES: Record<MimicKind, number> = {
  atelectasis: 0.12,
  viral_bronchitis: 0.12,
  urinary_infection: 0.08,
  dehydration: 0.07,
  chronic_cardiomyopathy: 0.1,
  hypertensive_urgency: 0.07,
  panic_attack: 0.07,
  skin_fold: 0.07,
  pleural_thickening: 0.07,
  nipple_shadow: 0.08,
  stable_copd: 0.1,
};

/** Which condition each mimic imitates; a mimic is never drawn for a patient who has it. */
export const MIMIC_TARGET_LABEL: Record<MimicKind, LabelSlug> = {
  atelectasis: 'pneumonia',
  viral_bronchitis: 'pneumonia',
  urinary_infection: 'sepsis',
  dehydration: 'sepsis',
  chronic_cardiomyopathy: 'acute_heart_failure',
  hypertensive_urgency: 'acute_heart_failure',
  panic_attack: 'pulmonary_embolism',
  skin_fold: 'pneumothorax',
  pleural_thickening: 'pleural_effusion',
  nipple_shadow: 'pulmonary_nodule',
  stable_copd: 'copd_exacerbation',
};

export const MISSING_RATES: Record<Modality, number> = { image: 0.2, note: 0.08, vitals: 0.08 };

function sampleLabels(rng: SeededRandom): Set<LabelSlug> {
  const labels = new Set<LabelSlug>();
  const has = (slug: LabelSlug): boolean => labels.has(slug);
  if (rng.chance(0.2)) labels.add('pneumonia');
  if (rng.chance(0.15)) labels.add('acute_heart_failure');
  if (rng.chance(has('pneumonia') ? 0.2 : 0.1)) labels.add('copd_exacerbation');
  if (rng.chance(0.08)) labels.add('pulmonary_embolism');
  if (rng.chance(has('copd_exacerbation') ? 0.14 : 0.06)) labels.add('pneumothorax');
  if (rng.chance(0.1)) labels.add('pulmonary_nodule');
  // Effusions follow heart failure and pneumonia (parapneumonic); sepsis follows pneumonia.
  const effusion = has('acute_heart_failure') ? 0.55 : has('pneumonia') ? 0.25 : 0.05;
  if (rng.chance(effusion)) labels.add('pleural_effusion');
  if (rng.chance(has('pneumonia') ? 0.3 : 0.06)) labels.add('sepsis');
  return labels;
}

function sampleSplit(rng: SeededRandom): PatientPlan['split'] {
  const u = rng.next();
  return u < 0.7 ? 'train' : u < 0.85 ? 'val' : 'test';
}

/** A window inside the 48-hour grid, leaving the first hours as a baseline. */
function sampleWindow(
  rng: SeededRandom,
  minDuration: number,
  maxDuration: number,
): { start: number; duration: number } {
  const duration = rng.int(minDuration, maxDuration);
  const start = rng.int(8, 47 - duration);
  return { start, duration };
}

function vitalsPattern(
  rng: SeededRandom,
  kind: VitalsPatternKind,
  cause: CueCause,
  durations: [number, number] = [6, 16],
): PlannedVitalsPattern {
  const window = sampleWindow(rng, durations[0], durations[1]);
  return {
    kind,
    startHour: window.start,
    durationHours: window.duration,
    severity: rng.uniform(0.45, 1),
    cause,
  };
}

function imageFinding(rng: SeededRandom, kind: ImageFindingKind, cause: CueCause): PlannedImageFinding {
  return {
    kind,
    side: rng.chance(0.5) ? 'left' : 'right',
    zone: kind === 'consolidation' ? rng.pick([0, 1, 2, 2]) : 2,
    severity: rng.uniform(0.45, 1),
    variant: kind === 'effusion' ? (rng.chance(0.3) ? 'fluid_level' : 'meniscus') : 'default',
    cause,
  };
}

export function planPatient(rng: SeededRandom): PatientPlan {
  const labelSet = sampleLabels(rng);
  const labels = LABEL_SLUGS.filter((slug) => labelSet.has(slug));
  const modalities: Record<Modality, boolean> = {
    image: !rng.chance(MISSING_RATES.image),
    note: !rng.chance(MISSING_RATES.note),
    vitals: !rng.chance(MISSING_RATES.vitals),
  };
  if (!modalities.image && !modalities.note && !modalities.vitals) modalities.note = true;

  const plan: PatientPlan = {
    labels,
    modalities,
    split: sampleSplit(rng),
    sex: rng.chance(0.5) ? 'F' : 'M',
    age: rng.int(24, 92),
    imageFindings: [],
    vitalsPatterns: [],
    noteCues: [],
    noteTraps: [],
    mimics: [],
  };

  for (const label of labels) {
    const expression = EXPRESSION[label];
    const cause = { label };
    // Draw every cue, then make sure the condition shows in at least two channels so that it stays
    // learnable; which channels is random, so no single modality is always enough.
    const image = LABEL_IMAGE[label];
    const vitals = LABEL_VITALS[label];
    const draws = {
      image: image !== null && rng.chance(expression.image),
      vitals: vitals !== null && rng.chance(expression.vitals),
      symptom: rng.chance(expression.symptom),
      diagnosis: rng.chance(expression.diagnosis),
    };
    const count = (): number => Number(draws.image) + Number(draws.vitals) + Number(draws.symptom);
    while (count() < 2) {
      const missing = (['image', 'vitals', 'symptom'] as const).filter(
        (channel) =>
          !draws[channel] &&
          (channel !== 'image' || image !== null) &&
          (channel !== 'vitals' || vitals !== null),
      );
      draws[rng.pick(missing)] = true;
    }
    if (draws.image && image) plan.imageFindings.push(imageFinding(rng, image, cause));
    if (draws.vitals && vitals) {
      const durations: [number, number] =
        vitals === 'embolic_event' || vitals === 'pneumothorax_event' ? [4, 10] : [6, 16];
      plan.vitalsPatterns.push(vitalsPattern(rng, vitals, cause, durations));
    }
    if (draws.symptom) plan.noteCues.push({ kind: 'symptom', cause });
    if (draws.diagnosis) plan.noteCues.push({ kind: 'diagnosis', cause });
  }

  for (const mimic of Object.keys(MIMIC_RATES) as MimicKind[]) {
    if (labelSet.has(MIMIC_TARGET_LABEL[mimic]) || !rng.chance(MIMIC_RATES[mimic])) continue;
    plan.mimics.push(mimic);
    addMimicCues(rng, plan, mimic);
  }

  // Traps: negated and family-history mentions name conditions the patient does not have; hedges
  // ("rule out pneumonia") are written for positives and negatives alike, so they carry no signal.
  const negatives = LABEL_SLUGS.filter((slug) => !labelSet.has(slug));
  const negationCount = rng.pick([0, 1, 1, 2, 2, 3]);
  for (const label of rng.shuffle([...negatives]).slice(0, negationCount)) {
    plan.noteTraps.push({ kind: 'negated', label });
  }
  if (negatives.length > 0 && rng.chance(0.2))
    plan.noteTraps.push({ kind: 'family_history', label: rng.pick(negatives) });
  if (rng.chance(0.3)) plan.noteTraps.push({ kind: 'hedged', label: rng.pick(LABEL_SLUGS) });
  return plan;
}

function addMimicCues(rng: SeededRandom, plan: PatientPlan, mimic: MimicKind): void {
  const cause = { mimic };
  const context = (): void => {
    // The explanation of a mimic is written in the note only some of the time.
    if (rng.chance(0.6)) plan.noteCues.push({ kind: 'symptom', cause });
  };
  switch (mimic) {
    case 'atelectasis':
      plan.imageFindings.push(imageFinding(rng, 'consolidation', cause));
      context();
      return;
    case 'viral_bronchitis':
      plan.vitalsPatterns.push(vitalsPattern(rng, 'viral_fever', cause));
      plan.noteCues.push({ kind: 'symptom', cause });
      return;
    case 'urinary_infection':
      plan.vitalsPatterns.push(vitalsPattern(rng, 'urinary_fever', cause));
      context();
      return;
    case 'dehydration':
      plan.vitalsPatterns.push(vitalsPattern(rng, 'dehydration', cause));
      context();
      return;
    case 'chronic_cardiomyopathy':
      plan.imageFindings.push(imageFinding(rng, 'cardiomegaly', cause));
      context();
      return;
    case 'hypertensive_urgency':
      plan.vitalsPatterns.push(vitalsPattern(rng, 'hypertensive_urgency', cause));
      context();
      return;
    case 'panic_attack':
      plan.vitalsPatterns.push(vitalsPattern(rng, 'panic_attack', cause, [3, 8]));
      context();
      return;
    case 'skin_fold':
      plan.imageFindings.push(imageFinding(rng, 'pneumothorax', cause));
      return;
    case 'pleural_thickening':
      plan.imageFindings.push(imageFinding(rng, 'effusion', cause));
      context();
      return;
    case 'nipple_shadow':
      plan.imageFindings.push(imageFinding(rng, 'nodule', cause));
      context();
      return;
    case 'stable_copd':
      plan.vitalsPatterns.push({
        kind: 'chronic_hypoxaemia',
        startHour: 0,
        durationHours: 48,
        severity: rng.uniform(0.5, 1),
        cause,
      });
      plan.noteCues.push({ kind: 'symptom', cause });
      return;
    default: {
      const unreachable: never = mimic;
      throw new Error(`unhandled mimic ${String(unreachable)}`);
    }
  }
}

export function causeKey(cause: CueCause): string {
  return 'label' in cause ? cause.label : `mimic:${cause.mimic}`;
}
