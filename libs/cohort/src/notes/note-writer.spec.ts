import { planPatient } from '../plan/patient-plan';
import { SeededRandom } from '../random/seeded-random';
import { writeNote } from './note-writer';

const NEGATION_TRIGGERS = /(denies|no|negative for|no evidence of)\s*$/i;

describe('writeNote ground truth', () => {
  const notes = Array.from({ length: 300 }, (_, index) => {
    const plan = planPatient(SeededRandom.stream(5, 'plan', index));
    return { plan, note: writeNote(SeededRandom.stream(5, 'note', index), plan) };
  });

  it('records spans whose offsets point at their text', () => {
    for (const { note } of notes) {
      for (const span of note.spans) expect(note.text.slice(span.start, span.end)).toBe(span.text);
    }
  });

  it('never counts negated, family-history, hedged or mimic mentions as evidence', () => {
    const traps = notes.flatMap(({ note }) =>
      note.spans.filter((span) => span.kind !== 'symptom' && span.kind !== 'diagnosis'),
    );
    expect(traps.some((span) => span.kind === 'negated')).toBe(true);
    expect(traps.some((span) => span.kind === 'family_history')).toBe(true);
    expect(traps.some((span) => span.kind === 'hedged')).toBe(true);
    expect(traps.every((span) => !span.evidence)).toBe(true);
  });

  it('writes a negation trigger before every negated mention, and only for conditions the patient lacks', () => {
    for (const { plan, note } of notes) {
      for (const span of note.spans.filter((item) => item.kind === 'negated')) {
        expect(note.text.slice(Math.max(0, span.start - 20), span.start)).toMatch(NEGATION_TRIGGERS);
        expect(plan.labels).not.toContain(span.label);
      }
      for (const span of note.spans.filter((item) => item.kind === 'family_history')) {
        expect(plan.labels).not.toContain(span.label);
      }
    }
  });

  it('marks affirmed mentions as evidence only for conditions the patient has', () => {
    for (const { plan, note } of notes) {
      for (const span of note.spans.filter((item) => item.evidence))
        expect(plan.labels).toContain(span.label);
    }
  });
});
