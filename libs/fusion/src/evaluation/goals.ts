import type { CalibrationMetrics, EvaluationReport, Faithfulness, GoalCheck } from './evaluation-report';

/** The model goals of the model issue, checked on a held-out cohort (docs/evaluation.md §Goals). */
export function checkGoals(
  variants: EvaluationReport['variants'],
  calibration: CalibrationMetrics,
  faithfulness: Faithfulness,
): GoalCheck[] {
  const fusion = variants.fusion.macroAuroc;
  const diff = (a: number | null, b: number | null): number | null =>
    a === null || b === null ? null : a - b;
  const min = (values: (number | null)[]): number | null =>
    values.some((v) => v === null) ? null : Math.min(...(values as number[]));
  const singles = [
    variants.text_only.macroAuroc,
    variants.image_only.macroAuroc,
    variants.vitals_only.macroAuroc,
  ];
  const bestSingle = singles.some((v) => v === null) ? null : Math.max(...(singles as number[]));
  const atLeast = (value: number | null, target: number): boolean =>
    value !== null && value >= target - 1e-12;
  const atMost = (value: number | null, target: number): boolean => value !== null && value <= target + 1e-12;
  const goal = (name: string, target: string, value: number | null, met: boolean): GoalCheck => ({
    goal: name,
    target,
    value: value === null ? null : Number(value.toFixed(4)),
    met,
  });
  const marginSingle = diff(fusion, bestSingle);
  const marginLate = diff(fusion, variants.late_fusion.macroAuroc);
  const worstMissing = min([
    variants.fusion_without_text.macroAuroc,
    variants.fusion_without_image.macroAuroc,
    variants.fusion_without_vitals.macroAuroc,
  ]);
  return [
    goal('fused macro AUROC', '≥ 0.95', fusion, atLeast(fusion, 0.95)),
    goal('fusion − best single-modality macro AUROC', '≥ +0.08', marginSingle, atLeast(marginSingle, 0.08)),
    goal('fusion − late fusion macro AUROC', '≥ +0.02', marginLate, atLeast(marginLate, 0.02)),
    goal(
      'macro AUROC with any one modality missing (worst)',
      '≥ 0.90',
      worstMissing,
      atLeast(worstMissing, 0.9),
    ),
    goal(
      'macro ECE after calibration (15 bins)',
      '≤ 0.03',
      calibration.macroEceAfter,
      atMost(calibration.macroEceAfter, 0.03),
    ),
    goal(
      'image pointing game',
      '≥ 0.85',
      faithfulness.image.hitRate,
      atLeast(faithfulness.image.hitRate, 0.85),
    ),
    goal(
      'text top-5 tokens on evidence',
      '≥ 0.85',
      faithfulness.text.hitRate,
      atLeast(faithfulness.text.hitRate, 0.85),
    ),
    goal(
      'vitals top hour in planted window',
      '≥ 0.85',
      faithfulness.vitals.hitRate,
      atLeast(faithfulness.vitals.hitRate, 0.85),
    ),
  ];
}
