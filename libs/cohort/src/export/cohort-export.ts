import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { closeCodecWorker, decodeMaskPng, gridCellsTouchingMask, unionMasks } from '@mosaic/dicom';
import type { VitalsGrid, VitalsObservation, VitalsStats, Vocabulary } from '@mosaic/preprocess';
import {
  buildVocabulary,
  computeVitalsStats,
  CONTINUATION_PREFIX,
  DEFAULT_IMAGE_SIZE,
  DEFAULT_MAX_TOKENS,
  DEFAULT_VITALS_HOURS,
  MAX_CHARS_PER_WORD,
  normaliseVitalsGrid,
  parseVocabulary,
  prepareImage,
  resampleVitals,
  serializeVocabulary,
  SPECIAL_TOKENS,
  tokenizeNote,
  validateVitalsStats,
  VITALS_CHANNELS,
} from '@mosaic/preprocess';
import { CohortError, CohortErrorCode } from '../cohort.errors';
import type { CohortManifest } from '../generate/cohort-generator';
import type { PatientGroundTruth } from '../generate/patient-generator';
import { encodeNpy } from './npy-writer';

/**
 * `mosaic cohort export`: model-ready tensors exactly as docs/model/tensor-contract.md fixes them,
 * produced by libs/preprocess — the same code serving uses. The vocabulary and the vitals statistics
 * come from the cohort's train rows unless given, so a held-out cohort reuses the training ones.
 */

export const TENSOR_FORMAT = 'mosaic-tensors/1';
export const VOCABULARY_SIZE = 4096;
/** The image encoder's patch grid (docs/model/tensor-contract.md): 8 × 8 tokens, row-major. */
export const IMAGE_GRID = { rows: 8, cols: 8 } as const;

export interface ExportCohortOptions {
  cohortDir: string;
  out: string;
  /** vocab.txt to reuse; built from the train rows when absent. */
  vocabFile?: string;
  /** vitals-stats.json to reuse; computed from the train rows when absent. */
  vitalsStatsFile?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface ExportSummary {
  out: string;
  rows: number;
  files: Record<string, string>;
  truncatedNotes: number;
  vocabularySize: number;
  vocabularySource: 'built' | 'given';
  vitalsStatsSource: 'built' | 'given';
}

async function readJson<T>(file: string, what: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    throw new CohortError(
      CohortErrorCode.NotACohort,
      `cannot read ${what} ${file}: ${(error as Error).message}`,
    );
  }
}

async function readCohortFile(cohortDir: string, relative: string): Promise<Buffer> {
  try {
    return await readFile(path.join(cohortDir, ...relative.split('/')));
  } catch {
    throw new CohortError(CohortErrorCode.MissingFile, `cohort file ${relative} is missing`);
  }
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function exportCohort(options: ExportCohortOptions): Promise<ExportSummary> {
  const manifest = await readJson<CohortManifest>(
    path.join(options.cohortDir, 'cohort.json'),
    'cohort manifest',
  );
  if (manifest.format !== 'mosaic-cohort/1') {
    throw new CohortError(
      CohortErrorCode.NotACohort,
      `${options.cohortDir} is not a mosaic-cohort/1 directory`,
    );
  }
  const groundTruth = (await readCohortFile(options.cohortDir, manifest.groundTruth)).toString('utf8');
  const records = groundTruth
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as PatientGroundTruth);
  const labels = manifest.labels.map((label) => label.slug);
  const n = records.length;

  const notes = new Map<string, string>();
  const grids = new Map<string, VitalsGrid>();
  for (const record of records) {
    if (record.note)
      notes.set(
        record.patientId,
        (await readCohortFile(options.cohortDir, record.note.file)).toString('utf8'),
      );
    if (record.vitals) {
      const observations = JSON.parse(
        (await readCohortFile(options.cohortDir, record.vitals.file)).toString('utf8'),
      ) as VitalsObservation[];
      grids.set(
        record.patientId,
        resampleVitals(observations, { end: record.vitals.end, hours: DEFAULT_VITALS_HOURS }),
      );
    }
  }
  const trainRows = records.filter((record) => record.split === 'train');

  let vocab: Vocabulary;
  if (options.vocabFile) {
    vocab = parseVocabulary(await readFile(options.vocabFile, 'utf8'));
  } else {
    const corpus = trainRows
      .map((record) => notes.get(record.patientId))
      .filter((text): text is string => text !== undefined);
    if (corpus.length === 0) {
      throw new CohortError(
        CohortErrorCode.NoTrainingRows,
        'no train-split notes to build a vocabulary from; pass --vocab',
      );
    }
    vocab = buildVocabulary(corpus, { maxSize: VOCABULARY_SIZE });
  }
  let stats: VitalsStats;
  if (options.vitalsStatsFile) {
    stats = JSON.parse(await readFile(options.vitalsStatsFile, 'utf8')) as VitalsStats;
    validateVitalsStats(stats);
  } else {
    const trainGrids = trainRows
      .map((record) => grids.get(record.patientId))
      .filter((grid): grid is VitalsGrid => !!grid);
    if (trainGrids.length === 0) {
      throw new CohortError(
        CohortErrorCode.NoTrainingRows,
        'no train-split vitals to compute statistics from; pass --vitals-stats',
      );
    }
    stats = computeVitalsStats(trainGrids);
  }

  const tokens = DEFAULT_MAX_TOKENS;
  const size = DEFAULT_IMAGE_SIZE;
  const hours = DEFAULT_VITALS_HOURS;
  const width = VITALS_CHANNELS.length * 2;
  const textIds = new BigInt64Array(n * tokens);
  const textMask = new Uint8Array(n * tokens);
  const image = new Float32Array(n * size * size);
  const imagePresent = new Uint8Array(n);
  const vitals = new Float32Array(n * hours * width);
  const vitalsPresent = new Uint8Array(n);
  const labelMatrix = new Float32Array(n * labels.length);
  const positions = tokens + IMAGE_GRID.rows * IMAGE_GRID.cols + hours;
  const evidence = new Uint8Array(n * labels.length * positions);
  let truncatedNotes = 0;

  try {
    for (let row = 0; row < n; row++) {
      const record = records[row];
      const note = notes.get(record.patientId);
      // Row `column` of this patient's evidence matrix, positions text ‖ image ‖ vitals.
      const evidenceAt = (column: number, position: number): void => {
        evidence[(row * labels.length + column) * positions + position] = 1;
      };
      if (note !== undefined) {
        const tokenized = tokenizeNote(note, vocab, { maxTokens: tokens });
        if (tokenized.truncated) truncatedNotes++;
        for (let i = 0; i < tokens; i++) {
          textIds[row * tokens + i] = BigInt(tokenized.ids[i]);
          textMask[row * tokens + i] = tokenized.mask[i];
        }
        labels.forEach((slug, column) => {
          const spans = (record.note?.spans ?? []).filter((span) => span.evidence && span.label === slug);
          tokenized.tokens.forEach((token, i) => {
            if (spans.some((span) => token.start < span.end && span.start < token.end)) evidenceAt(column, i);
          });
        });
      }
      if (record.image) {
        const prepared = await prepareImage(await readCohortFile(options.cohortDir, record.image.file), {
          size,
        });
        image.set(prepared.tensor, row * size * size);
        imagePresent[row] = 1;
        for (const [column, slug] of labels.entries()) {
          const findings = record.image.findings.filter((f) => f.evidence && f.label === slug);
          const masks = await Promise.all(
            findings.map(async (f) => decodeMaskPng(await readCohortFile(options.cohortDir, f.mask))),
          );
          const mask = unionMasks(masks);
          if (!mask) continue;
          gridCellsTouchingMask(prepared.geometry, IMAGE_GRID, mask).forEach((touches, cell) => {
            if (touches) evidenceAt(column, tokens + cell);
          });
        }
      }
      const grid = grids.get(record.patientId);
      if (grid) {
        vitals.set(normaliseVitalsGrid(grid, stats).values, row * hours * width);
        vitalsPresent[row] = 1;
        labels.forEach((slug, column) => {
          for (const w of record.vitals?.windows ?? []) {
            if (!w.evidence || w.label !== slug) continue;
            for (let h = Math.max(0, w.startHour); h < Math.min(hours, w.endHour); h++) {
              evidenceAt(column, positions - hours + h);
            }
          }
        });
      }
      labels.forEach((slug, column) => {
        labelMatrix[row * labels.length + column] = record.labels.includes(
          slug as PatientGroundTruth['labels'][number],
        )
          ? 1
          : 0;
      });
      options.onProgress?.(row + 1, n);
    }
  } finally {
    await closeCodecWorker();
  }

  await mkdir(options.out, { recursive: true });
  const arrays: [string, Buffer][] = [
    ['text_ids', encodeNpy('<i8', [n, tokens], textIds)],
    ['text_mask', encodeNpy('|u1', [n, tokens], textMask)],
    ['image', encodeNpy('<f4', [n, 1, size, size], image)],
    ['image_present', encodeNpy('|u1', [n], imagePresent)],
    ['vitals', encodeNpy('<f4', [n, hours, width], vitals)],
    ['vitals_present', encodeNpy('|u1', [n], vitalsPresent)],
    ['labels', encodeNpy('<f4', [n, labels.length], labelMatrix)],
    ['evidence', encodeNpy('|u1', [n, labels.length, positions], evidence)],
  ];
  const files: Record<string, string> = {};
  const digests: Record<string, string> = {};
  for (const [name, bytes] of arrays) {
    files[name] = `${name}.npy`;
    digests[`${name}.npy`] = sha256(bytes);
    await writeFile(path.join(options.out, `${name}.npy`), bytes);
  }
  const vocabText = serializeVocabulary(vocab);
  const statsText = `${JSON.stringify(stats, null, 2)}\n`;
  files.vocab = 'vocab.txt';
  files.vitals_stats = 'vitals-stats.json';
  digests['vocab.txt'] = sha256(vocabText);
  digests['vitals-stats.json'] = sha256(statsText);
  await writeFile(path.join(options.out, 'vocab.txt'), vocabText);
  await writeFile(path.join(options.out, 'vitals-stats.json'), statsText);

  const index = {
    format: TENSOR_FORMAT,
    cohort: {
      seed: manifest.seed,
      generatorVersion: manifest.generatorVersion,
      patients: manifest.patients,
      digest: manifest.groundTruthDigest,
    },
    labels,
    labelCodes: manifest.labels,
    rows: records.map((record) => ({ patientId: record.patientId, split: record.split })),
    preprocessing: {
      text: {
        tokenizer: 'wordpiece',
        lowercase: true,
        maxTokens: tokens,
        vocabFile: 'vocab.txt',
        vocabSize: vocab.tokens.length,
        vocabSha256: digests['vocab.txt'],
        vocabSource: options.vocabFile ? 'given' : 'train-split',
        specialTokens: [...SPECIAL_TOKENS],
        continuationPrefix: CONTINUATION_PREFIX,
        maxCharsPerWord: MAX_CHARS_PER_WORD,
        truncatedNotes,
      },
      image: {
        size,
        channels: 1,
        resize: 'aspect-preserving, area averaging when shrinking, centred zero padding',
        window: 'DICOM header window (VOI LUT), else histogram; MONOCHROME1 inverted',
        range: [0, 1],
        implementation: '@mosaic/dicom prepareModelInput',
      },
      vitals: {
        hours,
        step: 'PT1H',
        aggregation: 'mean of observations in the half-open hour',
        gridEnd: 'vitals window end (the note time)',
        channels: VITALS_CHANNELS.map((channel) => ({
          code: channel.code,
          key: channel.key,
          unit: channel.unit,
        })),
        maskChannels: 'channels 6–11: 1 = at least one observation in the hour',
        missing: 0,
        normalisation: 'z-score',
        statsFile: 'vitals-stats.json',
        statsSource: options.vitalsStatsFile ? 'given' : 'train-split',
        mean: stats.mean,
        std: stats.std,
      },
    },
    files,
    sha256: digests,
  };
  await writeFile(path.join(options.out, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return {
    out: options.out,
    rows: n,
    files,
    truncatedNotes,
    vocabularySize: vocab.tokens.length,
    vocabularySource: options.vocabFile ? 'given' : 'built',
    vitalsStatsSource: options.vitalsStatsFile ? 'given' : 'built',
  };
}
