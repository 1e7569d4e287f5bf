import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SeededRandom } from '@mosaic/cohort';
import { decodeMaskPng, unionMasks } from '@mosaic/dicom';
import type { PatientGroundTruth } from '@mosaic/cohort';
import type { EncodedBatch, FusionMasks, LoadedModel, ModelInputs } from '@mosaic/inference';
import { fuseBatch, MODALITIES, probabilities, selectRows } from '@mosaic/inference';
import type { OcclusionRuns } from '../explanation/explain-label';
import { modalityAttention } from '../explanation/explain-label';
import { imageEvidence, topImageCell } from '../explanation/image-evidence';
import { topTokens } from '../explanation/text-evidence';
import { topHour } from '../explanation/vitals-evidence';
import type { Faithfulness, HitRate } from './evaluation-report';
import { pointingGame, textTopTokensHit, vitalsTopHourHit } from './faithfulness';

/**
 * Faithfulness of the fusion model's explanations on true positives, against the cohort's ground
 * truth (docs/evaluation.md §Faithfulness): the image pointing game, the text top-5 tokens, the
 * vitals top hour, each with its chance level, and the deletion curve.
 */

export const TOP_TEXT_TOKENS = 5;
export const DELETION_STEPS = [1, 2, 4, 8, 16, 32];

const round = (value: number, digits = 6): number => Number(value.toFixed(digits));
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

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

export async function measureFaithfulness(
  model: LoadedModel,
  cohortDir: string,
  records: readonly PatientGroundTruth[],
  inputs: readonly ModelInputs[],
  encoded: EncodedBatch,
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
  encoded: EncodedBatch,
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
