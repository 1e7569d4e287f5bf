import { LABEL_SLUGS } from '../labels/cohort-labels';
import { SeededRandom } from '../random/seeded-random';
import { planPatient } from './patient-plan';

describe('planPatient', () => {
  const plans = Array.from({ length: 2000 }, (_, index) =>
    planPatient(SeededRandom.stream(11, 'plan', index)),
  );
  const share = (predicate: (plan: (typeof plans)[number]) => boolean): number =>
    plans.filter(predicate).length / plans.length;

  it('gives every label positives, leaves some patients without any, and misses about 20% of images', () => {
    for (const slug of LABEL_SLUGS) expect(share((plan) => plan.labels.includes(slug))).toBeGreaterThan(0.03);
    expect(share((plan) => plan.labels.length === 0)).toBeGreaterThan(0.2);
    expect(share((plan) => !plan.modalities.image)).toBeGreaterThan(0.16);
    expect(share((plan) => !plan.modalities.image)).toBeLessThan(0.24);
    expect(
      plans.every((plan) => plan.modalities.note || plan.modalities.image || plan.modalities.vitals),
    ).toBe(true);
  });

  it('draws mimics only for patients without the imitated condition', () => {
    for (const plan of plans) {
      if (plan.mimics.includes('skin_fold')) expect(plan.labels).not.toContain('pneumothorax');
      if (plan.mimics.includes('atelectasis')) expect(plan.labels).not.toContain('pneumonia');
    }
  });

  it('spreads each condition over at least two channels', () => {
    for (const plan of plans) {
      for (const label of plan.labels) {
        const channels =
          Number(plan.imageFindings.some((f) => 'label' in f.cause && f.cause.label === label)) +
          Number(plan.vitalsPatterns.some((p) => 'label' in p.cause && p.cause.label === label)) +
          Number(
            plan.noteCues.some((c) => c.kind === 'symptom' && 'label' in c.cause && c.cause.label === label),
          );
        expect(channels).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it('puts the same finding in positives and in mimics, so the image alone is ambiguous', () => {
    const consolidations = plans.flatMap((plan) =>
      plan.imageFindings.filter((f) => f.kind === 'consolidation'),
    );
    expect(consolidations.some((f) => 'mimic' in f.cause)).toBe(true);
    expect(consolidations.some((f) => 'label' in f.cause)).toBe(true);
  });
});
