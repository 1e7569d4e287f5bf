import type { LabelSlug } from '../labels/cohort-labels';
import type { MimicKind } from '../plan/patient-plan';

/**
 * The clinical vocabulary of the synthetic notes: synonyms and abbreviations for each condition's
 * symptoms, signs and diagnosis, the words that get negated, family-history and hedge phrasings,
 * and the context sentences that explain a mimic. `{side}` is replaced by the finding's side.
 */

export const SYMPTOM_PHRASES: Record<LabelSlug, readonly string[]> = {
  pneumonia: [
    'productive cough',
    'cough productive of green sputum',
    'fevers and chills',
    'crackles at the {side} base',
    'bronchial breath sounds on the {side}',
    'rusty sputum',
  ],
  acute_heart_failure: [
    'orthopnea',
    'PND',
    '3-pillow orthopnea',
    'bilateral leg edema',
    '2+ pitting edema to the knees',
    'JVD to the angle of the jaw',
    'BNP 1450',
  ],
  sepsis: [
    'rigors',
    'lactate 4.2',
    'new confusion',
    'mottled extremities',
    'lactate of 3.8',
    'cap refill 4 s',
  ],
  pulmonary_embolism: [
    'pleuritic CP',
    'pleuritic chest pain',
    'unilateral calf swelling',
    'hemoptysis',
    'recent long-haul flight',
    'immobile since recent surgery',
  ],
  pneumothorax: [
    'sudden sharp CP',
    'sudden-onset pleuritic pain',
    'absent breath sounds on the {side}',
    'hyperresonance on the {side}',
  ],
  pleural_effusion: [
    'dullness to percussion at the {side} base',
    'reduced air entry at the {side} base',
    'decreased tactile fremitus on the {side}',
  ],
  copd_exacerbation: [
    'increased sputum purulence',
    'diffuse expiratory wheeze',
    'wheezing',
    'accessory muscle use',
    'worse SOB than baseline, using inhaler hourly',
  ],
  pulmonary_nodule: [
    'incidental nodule on outside CT',
    'a 9 mm nodule on prior imaging',
    'spiculated lesion on prior CT',
  ],
};

export const DIAGNOSIS_PHRASES: Record<LabelSlug, readonly string[]> = {
  pneumonia: ['pneumonia', 'PNA', 'CAP', 'community-acquired pneumonia', '{side} lower lobe pneumonia'],
  acute_heart_failure: [
    'ADHF',
    'acute decompensated heart failure',
    'CHF exacerbation',
    'acute on chronic HFrEF',
  ],
  sepsis: ['sepsis', 'septic shock', 'severe sepsis'],
  pulmonary_embolism: ['PE', 'pulmonary embolism', 'submassive PE', 'PE on CTPA'],
  pneumothorax: ['PTX', 'pneumothorax', '{side} apical pneumothorax'],
  pleural_effusion: ['pleural effusion', '{side} effusion', 'parapneumonic effusion'],
  copd_exacerbation: ['AECOPD', 'COPD exacerbation', 'acute exacerbation of COPD'],
  pulmonary_nodule: ['pulmonary nodule', 'lung nodule', 'solitary pulmonary nodule'],
};

/** Words that appear after a negation trigger ("denies fever", "no calf pain"). */
export const NEGATABLE_PHRASES: Record<LabelSlug, readonly string[]> = {
  pneumonia: ['fever', 'productive cough', 'sputum', 'pneumonia on CXR'],
  acute_heart_failure: ['orthopnea', 'leg swelling', 'PND', 'JVD'],
  sepsis: ['rigors', 'chills', 'confusion'],
  pulmonary_embolism: ['calf pain', 'hemoptysis', 'pleuritic pain', 'PE on CTPA'],
  pneumothorax: ['sudden chest pain', 'pneumothorax'],
  pleural_effusion: ['effusion', 'dullness at the bases'],
  copd_exacerbation: ['wheeze', 'change in sputum'],
  pulmonary_nodule: ['known lung nodules', 'nodule'],
};

export const NEGATION_TEMPLATES = [
  'Denies {x}.',
  'No {x}.',
  'Negative for {x}.',
  'Pt denies {x}.',
  'No evidence of {x}.',
];

export const FAMILY_PHRASES: Record<LabelSlug, readonly string[]> = {
  pneumonia: ['pneumonia'],
  acute_heart_failure: ['CHF', 'heart failure'],
  sepsis: ['sepsis'],
  pulmonary_embolism: ['a PE', 'a pulmonary embolism', 'DVT/PE'],
  pneumothorax: ['a pneumothorax', 'a PTX'],
  pleural_effusion: ['a pleural effusion'],
  copd_exacerbation: ['COPD', 'COPD exacerbations'],
  pulmonary_nodule: ['a lung nodule'],
};
export const FAMILY_TEMPLATES = ['FHx: {who} had {x}.', 'Family hx of {x} ({who}).', '{Who} had {x}.'];
export const RELATIVES = ['mother', 'father', 'sister', 'brother', 'grandmother'];

export const HEDGE_TEMPLATES = [
  'r/o {x}.',
  'Cannot exclude {x}.',
  '?{x}.',
  'Consider {x}.',
  'Concern for {x}, w/u pending.',
];

export const MIMIC_CONTEXT: Record<MimicKind, readonly string[]> = {
  atelectasis: [
    'POD 2 after hip replacement, splinting with poor inspiratory effort',
    'post-op, shallow breathing',
  ],
  viral_bronchitis: ['dry cough and sore throat, sick contacts at home', 'cough and rhinorrhea for 3 days'],
  urinary_infection: ['dysuria and urinary frequency', 'suprapubic pain and dysuria'],
  dehydration: ['poor PO intake and vomiting for 2 days', 'diarrhea, dry mucous membranes'],
  chronic_cardiomyopathy: [
    'known dilated cardiomyopathy, euvolemic on exam',
    'chronic cardiomegaly, at dry weight',
  ],
  hypertensive_urgency: ['ran out of amlodipine last week, headache', 'missed BP meds, frontal headache'],
  panic_attack: ['hx of panic attacks, anxious and tearful', 'anxious, hyperventilating, perioral tingling'],
  skin_fold: ['portable film, skin folds noted by tech'],
  pleural_thickening: ['old pleural thickening after TB', 'chronic blunting on prior films'],
  nipple_shadow: ['nipple markers requested', 'nipple shadow suspected'],
  stable_copd: ['COPD on 2L home O2, at baseline', 'known COPD, breathing at baseline'],
};

export const CHIEF_COMPLAINTS = [
  'SOB',
  'dyspnea',
  'CP',
  'generalized weakness',
  'fatigue',
  'feeling unwell',
  'DOE',
];
export const HISTORY_ITEMS = [
  'HTN',
  'DM2',
  'HLD',
  'CKD 3',
  'hypothyroidism',
  'GERD',
  'OA',
  'AF on apixaban',
  'BPH',
  'depression',
  'CAD s/p PCI',
  'obesity',
];
export const SYMPTOM_TEMPLATES = [
  'Reports {x}.',
  'Endorses {x}.',
  'c/o {x}.',
  'Notable for {x}.',
  'Pt has {x}.',
];
export const EXAM_TEMPLATES = ['Exam: {x}.', 'On exam {x}.', 'PE notable for {x}.'];
export const DIAGNOSIS_TEMPLATES = ['Dx: {x}.', 'Impression: {x}.', 'Treating for {x}.', 'Working dx {x}.'];
export const FILLER_SENTENCES = [
  'Lives alone.',
  'Lives with spouse.',
  'Former smoker, 20 pack-years.',
  'Ambulates with a cane.',
  'NKDA.',
  'Full code.',
  'Tolerating diet.',
];

/** Misspellings seen in real notes; other typos swap two letters. */
export const KNOWN_TYPOS: Record<string, string> = {
  pneumonia: 'pnuemonia',
  effusion: 'effusoin',
  wheezing: 'wheezng',
  orthopnea: 'orthopnoea',
  embolism: 'emobolism',
  pneumothorax: 'pnemothorax',
  sputum: 'sputem',
};
