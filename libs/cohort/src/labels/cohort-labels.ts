/**
 * The acute-care conditions of the synthetic cohort, in model column order. Each has a stable slug
 * (ARCHITECTURE.md §Explanation payload), a SNOMED CT concept and an ICD-10 code. Defined here
 * until the shared domain label catalogue exists; the order is part of the tensor contract.
 */
export interface CohortLabel {
  slug: LabelSlug;
  display: string;
  snomedCt: string;
  icd10: string;
}

export type LabelSlug =
  | 'pneumonia'
  | 'acute_heart_failure'
  | 'sepsis'
  | 'pulmonary_embolism'
  | 'pneumothorax'
  | 'pleural_effusion'
  | 'copd_exacerbation'
  | 'pulmonary_nodule';

export const COHORT_LABELS: readonly CohortLabel[] = [
  { slug: 'pneumonia', display: 'Pneumonia', snomedCt: '233604007', icd10: 'J18.9' },
  { slug: 'acute_heart_failure', display: 'Acute heart failure', snomedCt: '56675007', icd10: 'I50.9' },
  { slug: 'sepsis', display: 'Sepsis', snomedCt: '91302008', icd10: 'A41.9' },
  { slug: 'pulmonary_embolism', display: 'Pulmonary embolism', snomedCt: '59282003', icd10: 'I26.99' },
  { slug: 'pneumothorax', display: 'Pneumothorax', snomedCt: '36118008', icd10: 'J93.9' },
  { slug: 'pleural_effusion', display: 'Pleural effusion', snomedCt: '60046008', icd10: 'J90' },
  {
    slug: 'copd_exacerbation',
    display: 'Acute exacerbation of chronic obstructive pulmonary disease',
    snomedCt: '195951007',
    icd10: 'J44.1',
  },
  { slug: 'pulmonary_nodule', display: 'Pulmonary nodule', snomedCt: '786838002', icd10: 'R91.1' },
];

export const LABEL_SLUGS: readonly LabelSlug[] = COHORT_LABELS.map((label) => label.slug);
