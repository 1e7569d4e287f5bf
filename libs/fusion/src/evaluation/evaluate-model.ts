import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SeededRandom } from '@mosaic/cohort';
import type { PatientGroundTruth } from '@mosaic/cohort';
import { closeCodecWorker } from '@mosaic/dicom';
import type { FusionMasks, LoadedModel, Modality, ModelInputs, ModelSessionOptions } from '@mosaic/inference';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_SESSION_OPTIONS,
  encodeBatch,
  fuseBatch,
  loadAblations,
  loadModel,
  MODALITIES,
  prepareModelInputs,
  probabilities,
  selectRows,
} from '@mosaic/inference';
import { FusionError, FusionErrorCode } from '../fusion.errors';
import { imageEvidence, topImageCell } from '../explanation/image-evidence';
import type { OcclusionRuns } from '../explanation/explain-label';
import { modalityAttention, runWithOcclusion } from '../explanation/explain-label';
import { topTokens } from '../explanation/text-evidence';
import { topHour } from '../explanation/vitals-evidence';
import type {
  EvaluationReport,
  Faithfulness,
  HitRate,
  PatientPrediction,
  VariantName,
} from './evaluation-report';
import { REPORT_FORMAT, VARIANTS } from './evaluation-report';
import { decodeMaskPng, pointingGame, textTopTokensHit, unionMasks, vitalsTopHourHit } from './faithfulness';
import { checkGoals } from './goals';
import { readHeldOutCohort, readPatientInputs } from './held-out-cohort';
import { auprc, auroc, ECE_BINS, expectedCalibrationError, macroAverage } from './metrics';

/**
 * `mosaic model evaluate`: the model folder's served model and its ablations, run through the
 * serving path (libs/preprocess → libs/inference → libs/fusion) on a held-out cohort generated with
 * a seed training never saw. Every patient of that cohort is held out, whatever its `split` field.
 */

export interface EvaluateModelOptions {
  modelDir: string;
  cohortDir: string;
  batchSize?: number;
  session?: ModelSessionOptions;
  /** True-positive cases used for the deletion curve (the first ones in patient order). */
  deletionCases?: number;
  onProgress?: (message: string) => void;
}

export const TOP_TEXT_TOKENS = 5;
export const DELETION_STEPS = [1, 2, 4, 8, 16, 32];

const VARIANT_DESCRIPTIONS: Record<VariantName, string> = {
  fusion: 'attention fusion model, all available modalities',
  text_only: 'ablation model trained on the note alone (ablations/text_only)',
  image_only: 'ablation model trained on the image alone (ablations/image_only)',
  vitals_only: 'ablation model trained on the vitals alone (ablations/vitals_only)',
  late_fusion: 'mean of the unimodal ablation probabilities over the modalities the patient has',
  fusion_without_text: 'fusion model with the text mask zeroed for every patient',
  fusion_without_image: 'fusion model with the image mask zeroed for every patient',
  fusion_without_vitals: 'fusion model with the vitals mask zeroed for every patient',
};

const round = (value: number, digits = 6): number => Number(value.toFixed(digits));

function column(matrix: ArrayLike<number>, k: number, label: number): number[] {
  const out: number[] = [];
  for (let i = label; i < matrix.length; i += k) out.push(matrix[i]);
  return out;
}

export async function evaluateModel(options: EvaluateModelOptions): Promise<EvaluationReport> {
  const started = Date.now();
  const log = options.onProgress ?? (() => undefined);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const session = { ...DEFAULT_SESSION_OPTIONS, ...options.session };
  const model = await loadModel(options.modelDir, { session });
  const loaded: LoadedModel[] = [model];
  try {
    const ablations = await loadAblations(model, { session });
    loaded.push(...ablations.values());
    const cohort = await readHeldOutCohort(options.cohortDir);
    const cohortLabels = cohort.manifest.labels.map((label) => label.slug);
    const missing = model.labels.filter((label) => !(cohortLabels as string[]).includes(label));
    if (missing.length > 0) {
      throw new FusionError(
        FusionErrorCode.LabelMismatch,
        `the cohort has no ground truth for ${missing.join(', ')}`,
      );
    }
    const n = cohort.records.length;
    const k = model.labels.length;
    const truth = new Float64Array(n * k);
    cohort.records.forEach((record, row) =>
      model.labels.forEach((label, j) => {
        truth[row * k + j] = (record.labels as string[]).includes(label) ? 1 : 0;
      }),
    );

    // 1. Preprocess every patient through libs/preprocess.
    const inputs: ModelInputs[] = [];
    try {
      for (const record of cohort.records) {
        inputs.push(
          await prepareModelInputs(await readPatientInputs(cohort.dir, record), model.preprocessing),
        );
        if (inputs.length % 100 === 0 || inputs.length === n) {
          log(`preprocessed ${inputs.length}/${n} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        }
      }
    } finally {
      await closeCodecWorker();
    }
    const preprocessed = Date.now();

    // 2. Fusion, occlusion re-runs (= fusion without each modality) and the ablation models.
    const encoded = await encodeBatch(model, inputs, { batchSize });
    const runs = await runWithOcclusion(model, encoded, { batchSize });
    log(`fusion and occlusion runs done (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    const probs = {} as Record<VariantName, Float64Array>;
    probs.fusion = probabilities(runs.full.logits, model.temperatures);
    for (const modality of MODALITIES) {
      probs[`fusion_without_${modality}`] = probabilities(runs.without[modality].logits, model.temperatures);
    }
    for (const name of ['text_only', 'image_only', 'vitals_only'] as const) {
      const ablation = ablations.get(name);
      if (!ablation)
        throw new FusionError(FusionErrorCode.ModelFolderUpdate, `the model folder has no ${name} ablation`);
      const out = await fuseBatch(ablation, await encodeBatch(ablation, inputs, { batchSize }), {
        batchSize,
      });
      probs[name] = probabilities(out.logits, ablation.temperatures);
      log(`${name} done (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    probs.late_fusion = lateFusion(inputs, probs, k);
    const inferred = Date.now();

    // 3. Discrimination, calibration, slices.
    const variants = {} as EvaluationReport['variants'];
    for (const name of VARIANTS) {
      const perLabel: EvaluationReport['variants'][VariantName]['perLabel'] = {};
      model.labels.forEach((label, j) => {
        const y = column(truth, k, j);
        const p = column(probs[name], k, j);
        perLabel[label] = {
          auroc: nullableRound(auroc(p, y)),
          auprc: nullableRound(auprc(p, y)),
          positives: sum(y),
        };
      });
      variants[name] = {
        description: VARIANT_DESCRIPTIONS[name],
        macroAuroc: nullableRound(macroAverage(Object.values(perLabel).map((m) => m.auroc))),
        macroAuprc: nullableRound(macroAverage(Object.values(perLabel).map((m) => m.auprc))),
        perLabel,
      };
    }
    const uncalibrated = probabilities(
      runs.full.logits,
      model.labels.map(() => 1),
    );
    const calibration: EvaluationReport['calibration'] = {
      bins: ECE_BINS,
      macroEceBefore: null,
      macroEceAfter: null,
      perLabel: {},
    };
    model.labels.forEach((label, j) => {
      const y = column(truth, k, j);
      calibration.perLabel[label] = {
        eceBefore: nullableRound(expectedCalibrationError(column(uncalibrated, k, j), y)),
        eceAfter: nullableRound(expectedCalibrationError(column(probs.fusion, k, j), y)),
        temperature: model.temperatures[j],
      };
    });
    calibration.macroEceBefore = nullableRound(
      macroAverage(Object.values(calibration.perLabel).map((c) => c.eceBefore)),
    );
    calibration.macroEceAfter = nullableRound(
      macroAverage(Object.values(calibration.perLabel).map((c) => c.eceAfter)),
    );

    const slice = (has: (record: PatientGroundTruth) => boolean): EvaluationReport['slices']['negation'] => {
      const rows = cohort.records.map((r, i) => (has(r) ? i : -1)).filter((i) => i >= 0);
      const macro = (matrix: Float64Array): number | null =>
        nullableRound(
          macroAverage(
            model.labels.map((_, j) =>
              auroc(
                rows.map((r) => matrix[r * k + j]),
                rows.map((r) => truth[r * k + j]),
              ),
            ),
          ),
        );
      return {
        patients: rows.length,
        macroAuroc: macro(probs.fusion),
        textOnlyMacroAuroc: macro(probs.text_only),
      };
    };
    const slices: EvaluationReport['slices'] = {
      negation: slice((r) => !!r.note?.hasNegation),
      familyHistory: slice((r) => !!r.note?.hasFamilyHistory),
      hedge: slice((r) => !!r.note?.hasHedge),
    };

    // 4. Faithfulness on true positives (calibrated probability ≥ the manifest threshold).
    const faithfulness = await measureFaithfulness(
      model,
      cohort.dir,
      cohort.records,
      inputs,
      encoded,
      runs,
      truth,
      {
        batchSize,
        deletionCases: options.deletionCases ?? 300,
      },
    );
    log(`faithfulness done (${((Date.now() - started) / 1000).toFixed(1)} s)`);

    const predictions: PatientPrediction[] = cohort.records.map((record, row) => ({
      patientId: record.patientId,
      labels: [...record.labels],
      modalities: { text: !!inputs[row].text, image: !!inputs[row].image, vitals: !!inputs[row].vitals },
      probabilities: Object.fromEntries(
        VARIANTS.map((name) => [
          name,
          Array.from(probs[name].subarray(row * k, (row + 1) * k), (p) => round(p)),
        ]),
      ) as Record<VariantName, number[]>,
      fusionLogits: Array.from(runs.full.logits.subarray(row * k, (row + 1) * k), (l) => round(l)),
    }));

    const goals = checkGoals(variants, calibration, faithfulness);
    const singles = (['text_only', 'image_only', 'vitals_only'] as const).map((v) => ({
      variant: v,
      macroAuroc: variants[v].macroAuroc,
    }));
    const missingVariants = (
      ['fusion_without_text', 'fusion_without_image', 'fusion_without_vitals'] as const
    ).map((v) => ({
      variant: v,
      macroAuroc: variants[v].macroAuroc,
    }));
    const byAuroc = (a: { macroAuroc: number | null }, b: { macroAuroc: number | null }): number =>
      (b.macroAuroc ?? -1) - (a.macroAuroc ?? -1);
    const trainingCohort = model.manifest.training.cohort as { seed?: number } | undefined;
    const finished = Date.now();
    return {
      format: REPORT_FORMAT,
      notice: model.manifest.notice,
      model: {
        id: model.manifest.modelId,
        version: model.manifest.version,
        dir: model.dir,
        smokeTest: model.manifest.smokeTest === true,
        onnxSha256: Object.fromEntries(
          model.manifest.files.filter((f) => f.path.endsWith('.onnx')).map((f) => [f.path, f.sha256]),
        ),
      },
      cohort: {
        dir: cohort.dir,
        seed: cohort.manifest.seed,
        generatorVersion: cohort.manifest.generatorVersion,
        patients: n,
        groundTruthDigest: cohort.manifest.groundTruthDigest,
      },
      trainingCohortSeed: typeof trainingCohort?.seed === 'number' ? trainingCohort.seed : null,
      labels: model.labels,
      thresholds: model.thresholds,
      summary: {
        fusionMacroAuroc: variants.fusion.macroAuroc,
        bestSingleModality: [...singles].sort(byAuroc)[0],
        lateFusionMacroAuroc: variants.late_fusion.macroAuroc,
        worstMissingModality: [...missingVariants].sort(byAuroc)[missingVariants.length - 1],
        macroEceAfter: calibration.macroEceAfter,
        pointingGame: {
          text: faithfulness.text.hitRate,
          image: faithfulness.image.hitRate,
          vitals: faithfulness.vitals.hitRate,
        },
        goalsMet: goals.filter((g) => g.met).length,
        goals: goals.length,
      },
      variants,
      calibration,
      slices,
      faithfulness,
      goals,
      timing: {
        seconds: round((finished - started) / 1000, 1),
        preprocessSeconds: round((preprocessed - started) / 1000, 1),
        inferenceSeconds: round((inferred - preprocessed) / 1000, 1),
        faithfulnessSeconds: round((finished - inferred) / 1000, 1),
      },
      runtime: {
        onnxruntime: (require('onnxruntime-node/package.json') as { version: string }).version,
        node: process.version,
        intraOpNumThreads: session.intraOpNumThreads,
        interOpNumThreads: session.interOpNumThreads,
        batchSize,
      },
      predictions,
    };
  } finally {
    for (const each of loaded) await each.release();
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function nullableRound(value: number | null): number | null {
  return value === null ? null : round(value);
}

/** Mean of the unimodal probabilities over the modalities the patient has (at least one always). */
function lateFusion(
  inputs: readonly ModelInputs[],
  probs: Record<VariantName, Float64Array>,
  k: number,
): Float64Array {
  const out = new Float64Array(inputs.length * k);
  const unimodal: [Modality, VariantName][] = [
    ['text', 'text_only'],
    ['image', 'image_only'],
    ['vitals', 'vitals_only'],
  ];
  inputs.forEach((row, r) => {
    const available = unimodal.filter(([m]) => row[m]);
    for (let j = 0; j < k; j++) {
      out[r * k + j] =
        available.length === 0 ? 0.5 : sum(available.map(([, v]) => probs[v][r * k + j])) / available.length;
    }
  });
  return out;
}

interface CaseStat {
  label: string;
  hit: boolean;
  chance: number;
}

function hitRate(stats: readonly CaseStat[], labels: readonly string[]): HitRate {
  const mean = (values: number[]): number | null =>
    values.length === 0 ? null : round(sum(values) / values.length);
  const perLabel: HitRate['perLabel'] = {};
  for (const label of labels) {
    const s = stats.filter((c) => c.label === label);
    if (s.length > 0)
      perLabel[label] = {
        cases: s.length,
        hitRate: mean(s.map((c) => Number(c.hit))),
        chance: mean(s.map((c) => c.chance)),
      };
  }
  return {
    cases: stats.length,
    hits: stats.filter((c) => c.hit).length,
    hitRate: mean(stats.map((c) => Number(c.hit))),
    chance: mean(stats.map((c) => c.chance)),
    perLabel,
  };
}

async function measureFaithfulness(
  model: LoadedModel,
  cohortDir: string,
  records: readonly PatientGroundTruth[],
  inputs: readonly ModelInputs[],
  encoded: Awaited<ReturnType<typeof encodeBatch>>,
  runs: OcclusionRuns,
  truth: Float64Array,
  options: { batchSize: number; deletionCases: number },
): Promise<Faithfulness> {
  const k = model.labels.length;
  const fusion = probabilities(runs.full.logits, model.temperatures);
  const image: CaseStat[] = [];
  const imageAreaShares: number[] = [];
  const text: CaseStat[] = [];
  const textShares: number[] = [];
  let truncated = 0;
  const vitals: CaseStat[] = [];
  const cases: { row: number; label: number }[] = [];
  for (let row = 0; row < records.length; row++) {
    const record = records[row];
    for (let j = 0; j < k; j++) {
      if (truth[row * k + j] !== 1 || fusion[row * k + j] < model.thresholds[j]) continue;
      cases.push({ row, label: j });
      const slug = model.labels[j];
      const input = inputs[row];
      const findings = (record.image?.findings ?? []).filter((f) => f.evidence && f.label === slug);
      if (input.image && findings.length > 0) {
        const masks = await Promise.all(
          findings.map(async (f) =>
            decodeMaskPng(await readFile(path.join(cohortDir, ...f.mask.split('/')))),
          ),
        );
        const mask = unionMasks(masks);
        const evidence = imageEvidence(
          input.image,
          model.preprocessing.grid,
          modalityAttention(model, runs.full, row, j, 'image'),
        );
        const top = topImageCell(evidence);
        if (mask && top !== null) {
          const result = pointingGame(evidence.toPixel, top, mask);
          image.push({ label: slug, hit: result.hit, chance: result.chance });
          imageAreaShares.push(result.maskAreaShare);
        }
      }
      const spans = (record.note?.spans ?? []).filter((s) => s.evidence && s.label === slug);
      if (input.text && spans.length > 0) {
        const weights = modalityAttention(model, runs.full, row, j, 'text');
        const result = textTopTokensHit(input.text, topTokens(input.text, weights, TOP_TEXT_TOKENS), spans);
        if (result.evidenceTokens === 0) truncated++;
        else {
          text.push({ label: slug, hit: result.hit, chance: result.chance });
          textShares.push(result.evidenceTokenShare);
        }
      }
      const windows = (record.vitals?.windows ?? []).filter((w) => w.evidence && w.label === slug);
      if (input.vitals && windows.length > 0) {
        const result = vitalsTopHourHit(
          topHour(modalityAttention(model, runs.full, row, j, 'vitals')),
          windows,
          input.vitals.hours,
        );
        vitals.push({ label: slug, hit: result.hit, chance: result.chance });
      }
    }
  }
  const mean = (values: number[]): number | null =>
    values.length === 0 ? null : round(sum(values) / values.length);
  return {
    truePositives: cases.length,
    image: {
      definition:
        'hit when the rectangle (original pixels, via toPixel) of the most-attended image cell contains at least one pixel of the union of the label\u2019s evidence masks (pixel centre inside the half-open rectangle); chance = share of image-showing cells that would hit',
      ...hitRate(image, model.labels),
      maskAreaShare: mean(imageAreaShares),
    },
    text: {
      definition: `hit when any of the ${TOP_TEXT_TOKENS} most-attended text tokens overlaps an affirmed evidence span of the label (half-open UTF-16 offsets); chance = 1 \u2212 C(n\u2212e, ${TOP_TEXT_TOKENS}) / C(n, ${TOP_TEXT_TOKENS}) for n text tokens of which e overlap evidence; cases whose evidence was truncated out of the ${model.preprocessing.maxTokens}-token window are skipped`,
      ...hitRate(text, model.labels),
      evidenceTokenShare: mean(textShares),
      skippedEvidenceTruncated: truncated,
    },
    vitals: {
      definition:
        'hit when the most-attended hour of the grid lies inside a planted evidence window of the label [startHour, endHour); chance = share of the 48 hours inside such windows',
      ...hitRate(vitals, model.labels),
    },
    deletion: await deletionCurve(
      model,
      encoded,
      runs,
      cases.slice(0, options.deletionCases),
      options.batchSize,
    ),
  };
}

/**
 * Deletion curve (Samek et al. 2017; Petsiuk et al. 2018): mask the k most-attended present
 * positions of the label (any modality) and re-run fusion; compare with masking k random present
 * positions (seeded), so the drop is read against a baseline.
 */
async function deletionCurve(
  model: LoadedModel,
  encoded: Awaited<ReturnType<typeof encodeBatch>>,
  runs: OcclusionRuns,
  cases: readonly { row: number; label: number }[],
  batchSize: number,
): Promise<Faithfulness['deletion']> {
  const definition =
    'mean drop in calibrated probability of true-positive (patient, label) cases after masking the k most-attended present positions (text tokens, image patches, vitals hours) versus k random present positions';
  if (cases.length === 0) return { definition, cases: 0, points: [] };
  const p = model.totalPositions;
  const random = SeededRandom.stream('mosaic-evaluation', 'deletion');
  const base = cases.map(
    ({ row, label }) =>
      probabilities(
        runs.full.logits.subarray(row * runs.full.labels, (row + 1) * runs.full.labels),
        model.temperatures,
      )[label],
  );
  const subset = selectRows(
    model,
    encoded,
    cases.map((c) => c.row),
  );
  const present = (masks: FusionMasks, i: number, position: number): boolean => {
    for (const m of MODALITIES) {
      const { start, end } = model.positions[m];
      if (position >= start && position < end) return masks[m][i * (end - start) + position - start] === 1;
    }
    return false;
  };
  const points: Faithfulness['deletion']['points'] = [];
  for (const depth of DELETION_STEPS) {
    const drops = { attended: 0, random: 0 };
    for (const mode of ['attended', 'random'] as const) {
      const masks: FusionMasks = {
        text: new Float32Array(subset.masks.text),
        image: new Float32Array(subset.masks.image),
        vitals: new Float32Array(subset.masks.vitals),
      };
      cases.forEach(({ row, label }, i) => {
        const positions = Array.from({ length: p }, (_, q) => q).filter((q) => present(subset.masks, i, q));
        const attention = runs.full.labelAttention.subarray(
          (row * runs.full.labels + label) * p,
          (row * runs.full.labels + label + 1) * p,
        );
        const chosen =
          mode === 'attended'
            ? positions.sort((a, b) => attention[b] - attention[a] || a - b).slice(0, depth)
            : shuffle(positions, random).slice(0, depth);
        for (const q of chosen) {
          for (const m of MODALITIES) {
            const { start, end } = model.positions[m];
            if (q >= start && q < end) masks[m][i * (end - start) + q - start] = 0;
          }
        }
      });
      const out = await fuseBatch(model, subset, { batchSize, masks });
      const after = probabilities(out.logits, model.temperatures);
      drops[mode] = sum(cases.map(({ label }, i) => base[i] - after[i * out.labels + label])) / cases.length;
    }
    points.push({ k: depth, attendedDrop: round(drops.attended), randomDrop: round(drops.random) });
  }
  return { definition, cases: cases.length, points };
}

function shuffle<T>(items: T[], random: SeededRandom): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
