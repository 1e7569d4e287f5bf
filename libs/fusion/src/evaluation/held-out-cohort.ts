import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CohortManifest, PatientGroundTruth } from '@mosaic/cohort';
import type { RawPatientInputs } from '@mosaic/inference';
import type { VitalsObservation } from '@mosaic/preprocess';
import { FusionError, FusionErrorCode } from '../fusion.errors';

/**
 * Reads a cohort written by `mosaic cohort generate` (docs/cohort.md §Layout) as raw patient
 * inputs — note text, DICOM bytes, vitals observations — the same kind of inputs serving gets, so
 * evaluation prepares tensors with the serving code and not from an export.
 */

export interface HeldOutCohort {
  dir: string;
  manifest: CohortManifest;
  records: PatientGroundTruth[];
}

async function read(dir: string, relative: string): Promise<Buffer> {
  try {
    return await readFile(path.join(dir, ...relative.split('/')));
  } catch {
    throw new FusionError(
      FusionErrorCode.CohortUnreadable,
      `cohort file ${relative} is missing or unreadable`,
    );
  }
}

export async function readHeldOutCohort(dir: string): Promise<HeldOutCohort> {
  let manifest: CohortManifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, 'cohort.json'), 'utf8')) as CohortManifest;
  } catch {
    throw new FusionError(FusionErrorCode.CohortUnreadable, `${dir} has no readable cohort.json`);
  }
  if (manifest.format !== 'mosaic-cohort/1') {
    throw new FusionError(FusionErrorCode.CohortUnreadable, `${dir} is not a mosaic-cohort/1 directory`);
  }
  const records = (await read(dir, manifest.groundTruth))
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as PatientGroundTruth);
  return { dir, manifest, records };
}

/** A patient's raw inputs as serving would receive them; the grid ends at the note time. */
export async function readPatientInputs(
  cohortDir: string,
  record: PatientGroundTruth,
): Promise<RawPatientInputs> {
  const note = record.note
    ? { id: record.note.file, text: (await read(cohortDir, record.note.file)).toString('utf8') }
    : null;
  const image = record.image
    ? {
        instanceId: record.image.sopInstanceUid,
        bytes: new Uint8Array(await read(cohortDir, record.image.file)),
      }
    : null;
  const vitals = record.vitals
    ? {
        observations: JSON.parse(
          (await read(cohortDir, record.vitals.file)).toString('utf8'),
        ) as VitalsObservation[],
        end: record.vitals.end,
      }
    : null;
  return { note, image, vitals };
}
