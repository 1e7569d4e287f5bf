import type { LabelSlug } from '../labels/cohort-labels';
import type { CueCause, MimicKind, PatientPlan, PlannedNoteTrap, Side } from '../plan/patient-plan';
import { MIMIC_TARGET_LABEL } from '../plan/patient-plan';
import type { SeededRandom } from '../random/seeded-random';
import {
  CHIEF_COMPLAINTS,
  DIAGNOSIS_PHRASES,
  DIAGNOSIS_TEMPLATES,
  EXAM_TEMPLATES,
  FAMILY_PHRASES,
  FAMILY_TEMPLATES,
  FILLER_SENTENCES,
  HEDGE_TEMPLATES,
  HISTORY_ITEMS,
  KNOWN_TYPOS,
  MIMIC_CONTEXT,
  NEGATABLE_PHRASES,
  NEGATION_TEMPLATES,
  RELATIVES,
  SYMPTOM_PHRASES,
  SYMPTOM_TEMPLATES,
} from './note-phrases';

/**
 * Writes a short admission note (HPI, exam, assessment) from a patient plan and records the
 * ground-truth character span of every mention: evidence (an affirmed symptom, sign or diagnosis
 * of a condition the patient has) and non-evidence (negated, family history, hedged, or the context
 * that explains a mimic). Offsets are half-open UTF-16 indices into the returned text.
 */

export type NoteSpanKind =
  'symptom' | 'diagnosis' | 'negated' | 'family_history' | 'hedged' | 'mimic_context';

export interface NoteSpan {
  label: LabelSlug;
  kind: NoteSpanKind;
  /** True only for affirmed mentions of a condition the patient has. */
  evidence: boolean;
  start: number;
  end: number;
  text: string;
  mimic?: MimicKind;
}

export interface WrittenNote {
  text: string;
  spans: NoteSpan[];
}

type Sentence = {
  section: 'hpi' | 'exam' | 'assessment';
  parts: (string | { text: string; span: Omit<NoteSpan, 'start' | 'end' | 'text'> })[];
};

const EXAM_WORDS =
  /base|breath sounds|JVD|edema|crackles|percussion|fremitus|hyperresonance|wheeze|accessory|mottled|cap refill/;

function fillSide(phrase: string, side: Side): string {
  return phrase.replace('{side}', side);
}

function addTypo(rng: SeededRandom, phrase: string): string {
  const words = phrase.split(' ');
  const index = words.findIndex((word) => KNOWN_TYPOS[word.toLowerCase()] !== undefined);
  if (index >= 0) {
    words[index] = KNOWN_TYPOS[words[index].toLowerCase()];
    return words.join(' ');
  }
  const candidates = words.map((word, i) => ({ word, i })).filter(({ word }) => /^[a-z]{5,}$/.test(word));
  if (candidates.length === 0) return phrase;
  const { word, i } = rng.pick(candidates);
  const at = rng.int(1, word.length - 3);
  words[i] = word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
  return words.join(' ');
}

/** Splits a template around `{x}` so the mention becomes its own part with a span. */
function sentence(
  section: Sentence['section'],
  template: string,
  mention: string,
  span: Omit<NoteSpan, 'start' | 'end' | 'text'>,
): Sentence {
  const [before, after] = template.split('{x}');
  return { section, parts: [before, { text: mention, span }, after] };
}

function sideFor(plan: PatientPlan, cause: CueCause, rng: SeededRandom): Side {
  const finding = plan.imageFindings.find((item) => JSON.stringify(item.cause) === JSON.stringify(cause));
  return finding?.side ?? (rng.chance(0.5) ? 'left' : 'right');
}

export function writeNote(rng: SeededRandom, plan: PatientPlan): WrittenNote {
  const sentences: Sentence[] = [];
  const typoRate = 0.07;
  const mention = (phrase: string): string => (rng.chance(typoRate) ? addTypo(rng, phrase) : phrase);

  for (const cue of plan.noteCues) {
    if ('label' in cue.cause) {
      const label = cue.cause.label;
      const side = sideFor(plan, cue.cause, rng);
      if (cue.kind === 'symptom') {
        const phrase = mention(fillSide(rng.pick(SYMPTOM_PHRASES[label]), side));
        const exam = EXAM_WORDS.test(phrase);
        sentences.push(
          sentence(exam ? 'exam' : 'hpi', rng.pick(exam ? EXAM_TEMPLATES : SYMPTOM_TEMPLATES), phrase, {
            label,
            kind: 'symptom',
            evidence: true,
          }),
        );
      } else {
        const phrase = mention(fillSide(rng.pick(DIAGNOSIS_PHRASES[label]), side));
        sentences.push(
          sentence('assessment', rng.pick(DIAGNOSIS_TEMPLATES), phrase, {
            label,
            kind: 'diagnosis',
            evidence: true,
          }),
        );
      }
    } else {
      const mimic = cue.cause.mimic;
      const phrase = rng.pick(MIMIC_CONTEXT[mimic]);
      sentences.push(
        sentence('hpi', rng.pick(['{x}.', 'Notes {x}.', 'Hx: {x}.']), phrase, {
          label: MIMIC_TARGET_LABEL[mimic],
          kind: 'mimic_context',
          evidence: false,
          mimic,
        }),
      );
    }
  }
  for (const trap of plan.noteTraps) sentences.push(trapSentence(rng, trap, mention));

  // Fillers keep the notes from being a bare list of cues; their count keeps notes under the
  // 128-token model budget.
  const fillers = rng.int(0, Math.max(0, 3 - Math.floor(sentences.length / 3)));
  for (const filler of rng.shuffle([...FILLER_SENTENCES]).slice(0, fillers)) {
    sentences.push({ section: 'hpi', parts: [filler] });
  }

  const history = rng.shuffle([...HISTORY_ITEMS]).slice(0, rng.int(1, 3));
  const opening = `HPI: ${plan.age} yo ${plan.sex} w/ ${history.join(', ')} p/w ${rng.pick(CHIEF_COMPLAINTS)}.`;

  let text = '';
  const spans: NoteSpan[] = [];
  const emit = (items: Sentence[]): void => {
    for (const item of rng.shuffle(items)) {
      text += ' ';
      for (const part of item.parts) {
        if (typeof part === 'string') {
          text += part;
        } else {
          spans.push({
            ...part.span,
            start: text.length,
            end: text.length + part.text.length,
            text: part.text,
          });
          text += part.text;
        }
      }
    }
  };
  text += opening;
  emit(sentences.filter((item) => item.section === 'hpi'));
  const exam = sentences.filter((item) => item.section === 'exam');
  if (exam.length > 0) emit(exam);
  const assessment = sentences.filter((item) => item.section === 'assessment');
  if (assessment.length > 0) {
    text += '\nA/P:';
    emit(assessment);
  } else {
    text += rng.pick([
      '\nA/P: further w/u, monitor.',
      '\nA/P: admit for observation.',
      '\nPlan: labs, CXR, reassess.',
    ]);
  }
  return { text: `${text}\n`, spans };
}

function trapSentence(
  rng: SeededRandom,
  trap: PlannedNoteTrap,
  mention: (phrase: string) => string,
): Sentence {
  switch (trap.kind) {
    case 'negated':
      return sentence('hpi', rng.pick(NEGATION_TEMPLATES), mention(rng.pick(NEGATABLE_PHRASES[trap.label])), {
        label: trap.label,
        kind: 'negated',
        evidence: false,
      });
    case 'family_history': {
      const who = rng.pick(RELATIVES);
      const template = rng
        .pick(FAMILY_TEMPLATES)
        .replace('{who}', who)
        .replace('{Who}', who[0].toUpperCase() + who.slice(1));
      return sentence('hpi', template, rng.pick(FAMILY_PHRASES[trap.label]), {
        label: trap.label,
        kind: 'family_history',
        evidence: false,
      });
    }
    case 'hedged':
      return sentence(
        'assessment',
        rng.pick(HEDGE_TEMPLATES),
        fillSide(rng.pick(DIAGNOSIS_PHRASES[trap.label]), rng.pick(['left', 'right'] as const)),
        {
          label: trap.label,
          kind: 'hedged',
          evidence: false,
        },
      );
    default: {
      const unreachable: never = trap.kind;
      throw new Error(`unhandled trap ${String(unreachable)}`);
    }
  }
}
