import type { EvaluationReport } from './evaluation-report';
import { VARIANTS } from './evaluation-report';

/** The Markdown tables of an evaluation: evaluation.md and the model card's Evaluation section. */

const fmt = (value: number | null | undefined, digits = 3): string =>
  value === null || value === undefined ? '—' : value.toFixed(digits);

export function renderEvaluationMarkdown(report: EvaluationReport): string {
  const lines: string[] = [];
  lines.push(
    `Held-out cohort: seed ${report.cohort.seed} (training seed ${report.trainingCohortSeed ?? 'unknown'}), ` +
      `${report.cohort.patients} patients, generator ${report.cohort.generatorVersion}, ground-truth digest ` +
      `\`${report.cohort.groundTruthDigest}\`. Run through the serving path (libs/preprocess, onnxruntime-node ` +
      `${report.runtime.onnxruntime}) in ${report.timing.seconds} s.` +
      (report.model.smokeTest ? ' **Smoke-test model: figures are not meaningful.**' : ''),
  );
  lines.push('', '### Goals', '', '| goal | target | value | met |', '| --- | --- | --- | --- |');
  for (const g of report.goals)
    lines.push(`| ${g.goal} | ${g.target} | ${fmt(g.value, 4)} | ${g.met ? 'met' : 'missed'} |`);

  lines.push('', '### Discrimination (macro and per-label AUROC / AUPRC)', '');
  lines.push(
    `| variant | macro AUROC | macro AUPRC | ${report.labels.map((l) => `${l} AUROC`).join(' | ')} |`,
  );
  lines.push(`| --- | --- | --- | ${report.labels.map(() => '---').join(' | ')} |`);
  for (const name of VARIANTS) {
    const v = report.variants[name];
    lines.push(
      `| \`${name}\` | ${fmt(v.macroAuroc)} | ${fmt(v.macroAuprc)} | ${report.labels.map((l) => fmt(v.perLabel[l]?.auroc)).join(' | ')} |`,
    );
  }

  const c = report.calibration;
  lines.push('', `### Calibration (ECE, ${c.bins} equal-width bins, per label then macro)`, '');
  lines.push('| label | temperature | ECE before | ECE after |', '| --- | --- | --- | --- |');
  for (const l of report.labels) {
    const e = c.perLabel[l];
    lines.push(`| ${l} | ${fmt(e.temperature)} | ${fmt(e.eceBefore, 4)} | ${fmt(e.eceAfter, 4)} |`);
  }
  lines.push(`| **macro** | | ${fmt(c.macroEceBefore, 4)} | ${fmt(c.macroEceAfter, 4)} |`);

  lines.push(
    '',
    '### Hard-case slices (macro AUROC)',
    '',
    '| slice | patients | fusion | text_only |',
    '| --- | --- | --- | --- |',
  );
  for (const [name, s] of Object.entries(report.slices)) {
    lines.push(`| ${name} | ${s.patients} | ${fmt(s.macroAuroc)} | ${fmt(s.textOnlyMacroAuroc)} |`);
  }

  const f = report.faithfulness;
  lines.push('', `### Explanation faithfulness (${f.truePositives} true-positive cases)`, '');
  lines.push(
    '| modality | test | cases | hit rate | chance | note |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  lines.push(
    `| image | pointing game | ${f.image.cases} | ${fmt(f.image.hitRate)} | ${fmt(f.image.chance)} | mean mask area share ${fmt(f.image.maskAreaShare)} |`,
  );
  lines.push(
    `| text | top-5 tokens on evidence | ${f.text.cases} | ${fmt(f.text.hitRate)} | ${fmt(f.text.chance)} | evidence-token share ${fmt(f.text.evidenceTokenShare)}; ${f.text.skippedEvidenceTruncated} truncated skipped |`,
  );
  lines.push(
    `| vitals | top hour in planted window | ${f.vitals.cases} | ${fmt(f.vitals.hitRate)} | ${fmt(f.vitals.chance)} | chance = window share |`,
  );
  lines.push(
    '',
    `Deletion curve (${f.deletion.cases} cases): mean probability drop after masking k positions.`,
    '',
  );
  lines.push('| k | most-attended | random |', '| --- | --- | --- |');
  for (const point of f.deletion.points)
    lines.push(`| ${point.k} | ${fmt(point.attendedDrop)} | ${fmt(point.randomDrop)} |`);
  return `${lines.join('\n')}\n`;
}
