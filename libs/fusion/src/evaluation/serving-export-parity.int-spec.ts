import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportCohort, generateCohort } from '@mosaic/cohort';
import { closeCodecWorker } from '@mosaic/dicom';
import type { PreprocessingConfig } from '@mosaic/inference';
import { prepareModelInputs, readNpy } from '@mosaic/inference';
import type { VitalsStats } from '@mosaic/preprocess';
import { parseVocabulary } from '@mosaic/preprocess';
import { readHeldOutCohort, readPatientInputs } from './held-out-cohort';

/**
 * Export and serving cannot drift: for a small generated cohort, the tensors evaluation and serving
 * prepare (libs/inference prepareModelInputs over libs/preprocess, from the raw note, DICOM and
 * vitals) equal the rows `mosaic cohort export` wrote to the .npy files, bit for bit.
 */
describe('serving inputs equal the exported training tensors', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'mosaic-serving-export-'));
  });

  afterAll(async () => {
    await closeCodecWorker();
    await rm(work, { recursive: true, force: true });
  });

  it('matches text ids and masks, image pixels and vitals grids row by row', async () => {
    const cohortDir = path.join(work, 'cohort');
    const exportDir = path.join(work, 'export');
    await generateCohort({ patients: 12, seed: 4242, out: cohortDir });
    await exportCohort({ cohortDir, out: exportDir });
    const npy = async (name: string) => readNpy(await readFile(path.join(exportDir, `${name}.npy`)));
    const [textIds, textMask, image, imagePresent, vitals, vitalsPresent] = await Promise.all(
      ['text_ids', 'text_mask', 'image', 'image_present', 'vitals', 'vitals_present'].map(npy),
    );
    const config: PreprocessingConfig = {
      vocab: parseVocabulary(await readFile(path.join(exportDir, 'vocab.txt'), 'utf8')),
      vitalsStats: JSON.parse(
        await readFile(path.join(exportDir, 'vitals-stats.json'), 'utf8'),
      ) as VitalsStats,
      maxTokens: 128,
      imageSize: 128,
      hours: 48,
      grid: { rows: 8, cols: 8 },
    };
    const cohort = await readHeldOutCohort(cohortDir);
    const seen = { text: 0, image: 0, vitals: 0, missing: 0 };
    for (const [row, record] of cohort.records.entries()) {
      const inputs = await prepareModelInputs(await readPatientInputs(cohortDir, record), config);
      const ids = textIds.data.subarray(row * 128, (row + 1) * 128) as BigInt64Array;
      const mask = textMask.data.subarray(row * 128, (row + 1) * 128);
      if (inputs.text) {
        seen.text++;
        expect(Array.from(inputs.text.ids, BigInt)).toEqual(Array.from(ids));
        expect(Buffer.from(inputs.text.mask)).toEqual(Buffer.from(mask as Uint8Array));
      } else {
        expect((mask as Uint8Array).every((v) => v === 0)).toBe(true);
      }
      const imageRow = (image.data as Float32Array).subarray(row * 128 * 128, (row + 1) * 128 * 128);
      expect(imagePresent.data[row]).toBe(inputs.image ? 1 : 0);
      if (inputs.image) {
        seen.image++;
        // Bytes, not values: bit-for-bit equality (and NaN-safe).
        expect(Buffer.from(inputs.image.tensor.buffer).equals(Buffer.from(imageRow.slice().buffer))).toBe(
          true,
        );
      }
      const vitalsRow = (vitals.data as Float32Array).subarray(row * 48 * 12, (row + 1) * 48 * 12);
      expect(vitalsPresent.data[row]).toBe(inputs.vitals ? 1 : 0);
      if (inputs.vitals) {
        seen.vitals++;
        expect(Buffer.from(inputs.vitals.values.buffer).equals(Buffer.from(vitalsRow.slice().buffer))).toBe(
          true,
        );
      }
      if (!inputs.text || !inputs.image || !inputs.vitals) seen.missing++;
    }
    // The cohort must exercise every modality, and at least one missing one.
    expect(seen.text).toBeGreaterThan(0);
    expect(seen.image).toBeGreaterThan(0);
    expect(seen.vitals).toBeGreaterThan(0);
    expect(seen.missing).toBeGreaterThan(0);
  });
});
