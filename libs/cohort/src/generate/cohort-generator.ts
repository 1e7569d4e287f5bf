import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { COHORT_LABELS } from '../labels/cohort-labels';
import type { CohortLabel } from '../labels/cohort-labels';
import { CohortError, CohortErrorCode } from '../cohort.errors';
import { MISSING_RATES } from '../plan/patient-plan';
import { generatePatient, GENERATOR_VERSION } from './patient-generator';
import type { PatientGroundTruth } from './patient-generator';

/**
 * Writes a cohort directory (docs/cohort.md §Layout):
 *   cohort.json          manifest: generator version, seed, labels with codes, digests
 *   ground-truth.jsonl   one line per patient, in patient order
 *   patients/<id>/       note.txt, vitals.json, image.dcm, masks/<k>-<kind>.png
 * Every byte depends only on (seed, patients, generator version): no clock, no Math.random.
 */

export const COHORT_FORMAT = 'mosaic-cohort/1';

export interface CohortManifest {
  format: typeof COHORT_FORMAT;
  generatorVersion: string;
  seed: number;
  patients: number;
  labels: CohortLabel[];
  missingRates: typeof MISSING_RATES;
  groundTruth: string;
  /** sha256 of ground-truth.jsonl. */
  groundTruthDigest: string;
  /** sha256 over every generated file's path and sha256, in path order. */
  contentDigest: string;
  counts: {
    withNote: number;
    withImage: number;
    withVitals: number;
    withoutLabels: number;
    perLabel: Record<string, number>;
  };
  disclaimer: string;
}

export interface GenerateCohortOptions {
  patients: number;
  seed: number;
  out: string;
  /** Called after each patient with the number done. */
  onProgress?: (done: number, total: number) => void;
  /** Patients generated concurrently (image encoding awaits codecs). */
  concurrency?: number;
}

export async function generateCohort(options: GenerateCohortOptions): Promise<CohortManifest> {
  const { patients, seed, out } = options;
  if (!Number.isInteger(patients) || patients < 1) {
    throw new CohortError(
      CohortErrorCode.InvalidOptions,
      `--patients must be a positive integer, got ${patients}`,
    );
  }
  if (!Number.isInteger(seed) || seed < 0) {
    throw new CohortError(
      CohortErrorCode.InvalidOptions,
      `--seed must be a non-negative integer, got ${seed}`,
    );
  }
  await mkdir(out, { recursive: true });
  if ((await readdir(out)).length > 0) {
    throw new CohortError(CohortErrorCode.OutputNotEmpty, `${out} is not empty; choose a new directory`);
  }

  const records: PatientGroundTruth[] = new Array(patients);
  const fileDigests: [string, string][] = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < patients) {
      const index = next++;
      const generated = await generatePatient(seed, index);
      for (const file of generated.files) {
        const target = path.join(out, ...file.path.split('/'));
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, file.bytes);
        fileDigests.push([file.path, createHash('sha256').update(file.bytes).digest('hex')]);
      }
      records[index] = generated.record;
      done++;
      options.onProgress?.(done, patients);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, () => worker()));

  const groundTruth = records.map((record) => JSON.stringify(record)).join('\n') + '\n';
  await writeFile(path.join(out, 'ground-truth.jsonl'), groundTruth);
  fileDigests.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const content = createHash('sha256');
  for (const [file, digest] of fileDigests) content.update(`${file}\u0000${digest}\n`);

  const perLabel: Record<string, number> = {};
  for (const label of COHORT_LABELS)
    perLabel[label.slug] = records.filter((r) => r.labels.includes(label.slug)).length;
  const manifest: CohortManifest = {
    format: COHORT_FORMAT,
    generatorVersion: GENERATOR_VERSION,
    seed,
    patients,
    labels: [...COHORT_LABELS],
    missingRates: MISSING_RATES,
    groundTruth: 'ground-truth.jsonl',
    groundTruthDigest: createHash('sha256').update(groundTruth).digest('hex'),
    contentDigest: content.digest('hex'),
    counts: {
      withNote: records.filter((r) => r.note).length,
      withImage: records.filter((r) => r.image).length,
      withVitals: records.filter((r) => r.vitals).length,
      withoutLabels: records.filter((r) => r.labels.length === 0).length,
      perLabel,
    },
    disclaimer: 'Synthetic data for software testing and model demonstration. NOT FOR CLINICAL USE.',
  };
  await writeFile(path.join(out, 'cohort.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
