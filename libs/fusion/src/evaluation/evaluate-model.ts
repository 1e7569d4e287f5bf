import type { PatientGroundTruth } from '@mosaic/cohort';
import { closeCodecWorker } from '@mosaic/dicom';
import type { LoadedModel, Modality, ModelInputs, ModelSessionOptions } from '@mosaic/inference';
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
} from '@mosaic/inference';
import { FusionError, FusionErrorCode } from '../fusion.errors';
import { runWithOcclusion } from '../explanation/explain-label';
import type { EvaluationReport, PatientPrediction, VariantName } from './evaluation-report';
import { REPORT_FORMAT, VARIANTS } from './evaluation-report';
import { checkGoals } from './goals';
import { measureFaithfulness } from './measure-faithfulness';
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
