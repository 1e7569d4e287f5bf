/**
 * @jest-environment ../../libs/inference/jest.environment.js
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generatePatient } from '@mosaic/cohort';
import { closeCodecWorker, DicomError } from '@mosaic/dicom';
import type { LoadedModel, ModelInputs, ModelLease, RawPatientInputs } from '@mosaic/inference';
import { committedModelDirs, loadModel, prepareModelInputs, tensorDigests } from '@mosaic/inference';
import type { VitalsObservation } from '@mosaic/preprocess';
import { PreprocessError, PreprocessErrorCode } from '@mosaic/preprocess';
import type { AppConfig } from '../../config/app-config';
import type { BlobStore } from '@mosaic/persistence';
import { AssessmentInputsService } from '../assessment-inputs.service';
import { AssessmentError, AssessmentErrorCode } from '../assessments.errors';
import { PreprocessPool } from './preprocess-pool';
import { PreprocessPoolError, PreprocessPoolErrorCode } from './preprocess-pool.errors';

const TWELVE_BIT_JPEG = path.resolve(
  __dirname,
  '../../../../../libs/dicom/src/testing/fixtures/jpeg-extended-12bit.dcm',
);

/** Raw inputs of generated cohort patients (every modality the generator wrote, all its transfer syntaxes). */
async function cohortInputs(seed: number, count: number): Promise<RawPatientInputs[]> {
  const out: RawPatientInputs[] = [];
  for (let index = 0; index < count; index++) {
    const { record, files } = await generatePatient(seed, index);
    const file = (name: string | undefined): Uint8Array | undefined =>
      files.find((f) => f.path === name)?.bytes;
    const note = file(record.note?.file);
    const image = file(record.image?.file);
    const vitals = file(record.vitals?.file);
    out.push({
      note: note && record.note ? { id: record.note.file, text: Buffer.from(note).toString('utf8') } : null,
      image: image && record.image ? { instanceId: record.image.sopInstanceUid, bytes: image } : null,
      vitals:
        vitals && record.vitals
          ? {
              observations: JSON.parse(Buffer.from(vitals).toString('utf8')) as VitalsObservation[],
              end: record.vitals.end,
            }
          : null,
    });
  }
  return out;
}

/** A copy whose image bytes own their buffer, since the pool takes them over. */
function forPool(raw: RawPatientInputs): RawPatientInputs {
  return raw.image ? { ...raw, image: { ...raw.image, bytes: new Uint8Array(raw.image.bytes) } } : raw;
}

function comparable(inputs: ModelInputs): unknown {
  return {
    digests: tensorDigests(inputs),
    tokens: inputs.text?.tokens,
    truncated: inputs.text?.truncated,
    geometry: inputs.image?.geometry,
    frame: inputs.image?.frame,
    vitals: inputs.vitals && {
      start: inputs.vitals.start,
      end: inputs.vitals.end,
      hours: inputs.vitals.hours,
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('preprocessing worker pool', () => {
  let model: LoadedModel;
  let pool: PreprocessPool;
  let cohort: RawPatientInputs[];

  beforeAll(async () => {
    model = await loadModel(committedModelDirs()[0]);
    pool = new PreprocessPool({ workers: 2 });
    cohort = await cohortInputs(7301, 16);
  });

  afterAll(async () => {
    await pool.close();
    await model.release();
    await closeCodecWorker();
  });

  it('prepares tensors bit-identical to the in-process path for generated patients of every transfer syntax', async () => {
    const images = cohort.filter((raw) => raw.image).length;
    expect(images).toBeGreaterThanOrEqual(8);
    const inProcess = [];
    for (const raw of cohort) inProcess.push(comparable(await prepareModelInputs(raw, model.preprocessing)));
    const pooled = await Promise.all(cohort.map((raw) => pool.prepare(forPool(raw), model.preprocessing)));
    expect(pooled.map(comparable)).toEqual(inProcess);
    expect(pooled.filter((inputs) => inputs.image).length).toBe(images);
  });

  it('prepares the committed 12-bit JPEG fixture identically (a codec worker inside the preprocessing worker)', async () => {
    const raw: RawPatientInputs = {
      image: { instanceId: 'fixture', bytes: new Uint8Array(readFileSync(TWELVE_BIT_JPEG)) },
    };
    const expected = comparable(await prepareModelInputs(raw, model.preprocessing));
    expect(comparable(await pool.prepare(forPool(raw), model.preprocessing))).toEqual(expected);
  });

  it('transfers the image bytes to the worker and the tensors back instead of copying them', async () => {
    const raw = forPool(cohort.find((r) => r.image) as RawPatientInputs);
    const bytes = raw.image?.bytes as Uint8Array;
    expect(bytes.byteLength).toBeGreaterThan(0);
    const inputs = await pool.prepare(raw, model.preprocessing);
    expect(bytes.byteLength).toBe(0); // detached: moved, not cloned
    const tensor = inputs.image?.tensor as Float32Array;
    expect(tensor.buffer.byteLength).toBe(tensor.byteLength);
  });

  it('rejects with the same error class, code and message as the in-process path', async () => {
    const cases: RawPatientInputs[] = [
      { image: { instanceId: 'garbage', bytes: new Uint8Array(600).fill(7) } },
      {
        vitals: {
          observations: [{ code: '0000-0', time: '2024-03-15T09:00:00Z', value: 1 }],
          end: '2024-03-15T10:00:00Z',
        },
      },
    ];
    for (const raw of cases) {
      const local = await rejection(prepareModelInputs(raw, model.preprocessing));
      const remote = await rejection(pool.prepare(forPool(raw), model.preprocessing));
      expect(remote.constructor).toBe(local.constructor);
      expect(remote).toMatchObject({ name: local.name, message: local.message });
      expect((remote as { code?: string }).code).toBe((local as { code?: string }).code);
    }
    const [dicom, vitals] = await Promise.all(
      cases.map((raw) => rejection(pool.prepare(forPool(raw), model.preprocessing))),
    );
    expect(dicom).toBeInstanceOf(DicomError);
    expect(vitals).toBeInstanceOf(PreprocessError);
    expect((vitals as PreprocessError).code).toBe(PreprocessErrorCode.InvalidObservation);
  });

  it('maps a preprocessing or image-decoding failure to the same 422 problem in both modes (AssessmentInputsService.prepare)', async () => {
    const lease = { model } as unknown as ModelLease;
    const blobs = {} as BlobStore;
    const bad: RawPatientInputs = {
      vitals: { observations: [{ code: 'x', time: 'not a time', value: 1 }], end: '2024-03-15T10:00:00Z' },
    };
    const undecodable = (): RawPatientInputs => ({
      image: { instanceId: 'garbage', bytes: new Uint8Array(600).fill(7) },
    });
    const failures: Error[] = [];
    for (const workers of [0, 1]) {
      const service = new AssessmentInputsService(blobs, {
        MOSAIC_PREPROCESS_WORKERS: workers,
      } as AppConfig);
      expect(service.pool === null).toBe(workers === 0);
      failures.push(await rejection(service.prepare(bad, lease)));
      failures.push(await rejection(service.prepare(undecodable(), lease)));
      const good = await service.prepare(forPool(cohort[0]), lease);
      expect(comparable(good)).toEqual(comparable(await prepareModelInputs(cohort[0], model.preprocessing)));
      await service.onApplicationShutdown();
    }
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(AssessmentError);
      expect((failure as AssessmentError).code).toBe(AssessmentErrorCode.InputNotUsable);
    }
    expect(failures[2].message).toBe(failures[0].message);
    expect(failures[3].message).toBe(failures[1].message);
    expect(failures[1].message).toMatch(/^an input cannot be prepared: /);
  });

  it('bounds the queue: beyond it a request is refused at once with PREPROCESSING_BUSY and Retry-After', async () => {
    const small = new PreprocessPool({ workers: 1, maxQueue: 2 });
    try {
      const raws = cohort.filter((r) => r.image).slice(0, 4);
      const jobs = raws.map((raw) => small.prepare(forPool(raw), model.preprocessing));
      // One job runs, two wait; the fourth finds the queue full.
      const refused = await rejection(jobs[3]);
      expect(refused).toBeInstanceOf(PreprocessPoolError);
      expect(refused).toMatchObject({
        code: PreprocessPoolErrorCode.Busy,
        extensions: { retryAfter: expect.any(Number) },
      });
      const done = await Promise.all(jobs.slice(0, 3));
      expect(done.map(comparable)).toEqual(
        await Promise.all(
          raws.slice(0, 3).map(async (raw) => comparable(await prepareModelInputs(raw, model.preprocessing))),
        ),
      );
      expect(small.stats()).toMatchObject({ queued: 0, busy: 0, completed: 3 });
    } finally {
      await small.close();
    }
  });

  it('bounds the queue by the bytes it holds too: a job that would exceed them is refused', async () => {
    const raws = cohort.filter((r) => r.image).slice(0, 3);
    // What a waiting job holds: the DICOM bytes and the note's UTF-16 text.
    const cost = (raw: RawPatientInputs): number =>
      (raw.image?.bytes.byteLength ?? 0) + (raw.note?.text.length ?? 0) * 2;
    // The first job runs at once; the second waits; the third would need one byte more than is left.
    const small = new PreprocessPool({ workers: 1, maxQueueBytes: cost(raws[1]) + cost(raws[2]) - 1 });
    try {
      const jobs = raws.map((raw) => small.prepare(forPool(raw), model.preprocessing));
      expect(await rejection(jobs[2])).toMatchObject({ code: PreprocessPoolErrorCode.Busy });
      await Promise.all(jobs.slice(0, 2));
      // Once the queue drained, its bytes are free again.
      await small.prepare(forPool(raws[2]), model.preprocessing);
      expect(small.stats()).toMatchObject({ queued: 0, busy: 0, completed: 3 });
    } finally {
      await small.close();
    }
  });

  it('fails only the job of a worker that dies, restarts the worker and keeps serving', async () => {
    const one = new PreprocessPool({ workers: 1 });
    try {
      const raw = cohort.find((r) => r.image) as RawPatientInputs;
      const running = one.prepare(forPool(raw), model.preprocessing);
      const queued = one.prepare(forPool(raw), model.preprocessing);
      const [first] = one.threads();
      // The fresh worker is still starting, so the first job cannot have been answered yet.
      await first.terminate();
      const failure = await rejection(running);
      expect(failure).toMatchObject({ code: PreprocessPoolErrorCode.WorkerFailed });
      const expected = comparable(await prepareModelInputs(raw, model.preprocessing));
      expect(comparable(await queued)).toEqual(expected);
      expect(one.threads()).toHaveLength(1);
      expect(one.threads()[0]).not.toBe(first);
      expect(one.stats()).toMatchObject({ restarts: 1, completed: 1 });
      expect(comparable(await one.prepare(forPool(raw), model.preprocessing))).toEqual(expected);
    } finally {
      await one.close();
    }
  });

  it('rejects waiting jobs on close and refuses new ones', async () => {
    const closing = new PreprocessPool({ workers: 1 });
    const raw = cohort.find((r) => r.image) as RawPatientInputs;
    const jobs = [0, 1, 2].map(() => rejection(closing.prepare(forPool(raw), model.preprocessing)));
    await closing.close();
    for (const error of await Promise.all(jobs)) {
      expect(error).toMatchObject({ code: PreprocessPoolErrorCode.Closed });
    }
    expect(await rejection(closing.prepare(forPool(raw), model.preprocessing))).toMatchObject({
      code: PreprocessPoolErrorCode.Closed,
    });
    expect(closing.threads()).toHaveLength(0);
  });
});
