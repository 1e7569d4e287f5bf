import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { RecordStatus } from '@mosaic/domain';
import type { Applicability } from '@mosaic/fusion';
import { imageMismatch, staleness } from '@mosaic/fusion';
import type { ImageInput, ModelInputs, ModelLease, RawPatientInputs } from '@mosaic/inference';
import { ByteBoundedLru, prepareModelInputs } from '@mosaic/inference';
import { VITALS_CHANNELS } from '@mosaic/preprocess';
import type { VitalsObservation } from '@mosaic/preprocess';
import { BLOB_STORE, ClinicalNote, ImagingInstance, VitalObservation } from '@mosaic/persistence';
import type { BlobStore } from '@mosaic/persistence';
import { AppConfig } from '../config/app-config';
import { asInputNotUsable, AssessmentError, AssessmentErrorCode } from './assessments.errors';
import { PreprocessPool } from './preprocess-pool/preprocess-pool';

/**
 * Chooses an assessment's inputs by the time contract (ARCHITECTURE.md §Time): among a patient's
 * records that are not entered-in-error, with effectiveAt ≤ asOf and recordedAt ≤ the assessment
 * time, the latest note, the latest image that fits the model (applicability) and the vitals of
 * the model's grid ending at asOf. It also reloads exactly the recorded inputs for a replay, and
 * turns raw inputs into tensors — in a pool of worker threads (MOSAIC_PREPROCESS_WORKERS, default
 * 1) or, with 0, on the event loop.
 */

export type InputModality = 'text' | 'image' | 'vitals';

export interface UsedNote {
  modality: 'text';
  noteId: string;
  effectiveAt: string;
  recordedAt: string;
  /** sha256 of the UTF-8 text read for this assessment. */
  sha256: string;
}

export interface UsedImage {
  modality: 'image';
  instanceId: string;
  frame: number;
  effectiveAt: string;
  recordedAt: string;
  /** sha256 of the DICOM bytes read from the blob store. */
  sha256: string;
}

export interface UsedVitals {
  modality: 'vitals';
  /** The grid, half-open: [start, end). */
  window: { start: string; end: string };
  observationIds: string[];
  observationCount: number;
  /** sha256 of the canonical list of observations (id, code, time, value) read. */
  sha256: string;
}

export type UsedInput = UsedNote | UsedImage | UsedVitals;

export interface LeftOutInput {
  modality: InputModality;
  /** The record left out, or null when there was none to use. */
  id: string | null;
  reason: string;
}

export interface CollectedInputs {
  raw: RawPatientInputs;
  noteText: string | null;
  used: UsedInput[];
  leftOut: LeftOutInput[];
}

const HOUR_MS = 3_600_000;
const MODEL_CODES = VITALS_CHANNELS.map((c) => c.code);

export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

interface ListedObservation {
  id: string;
  code: string;
  time: string;
  value: number;
}

/**
 * Observations in one canonical order (time, then id, by code units). The resampler sums each
 * hour's values in input order and float addition is not associative, so the recorded run and its
 * replay must feed the same order, whatever order the database returns rows in.
 */
export function canonicalObservations(rows: readonly VitalObservation[]): ListedObservation[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return rows
    .map((r) => ({ id: r.id, code: r.code, time: r.effectiveAt.toISOString(), value: r.value }))
    .sort((a, b) => cmp(a.time, b.time) || cmp(a.id, b.id));
}

/** Digest of the observations a grid was built from (ids, codes, instants and values, in canonical order). */
export function vitalsDigest(listed: readonly ListedObservation[]): string {
  return sha256Text(JSON.stringify(listed.map((r) => [r.id, r.code, r.time, r.value])));
}

export interface CollectRequest {
  asOf: Date;
  assessedAt: Date;
  noteId?: string;
  imageId?: string;
  vitalsWindow?: { from: Date; to: Date };
}

@Injectable()
export class AssessmentInputsService implements OnApplicationShutdown {
  /** null: preprocessing runs in process (MOSAIC_PREPROCESS_WORKERS=0). */
  readonly pool: PreprocessPool | null;

  /** Prepared image inputs of recent assessments (MOSAIC_IMAGE_INPUT_CACHE_BYTES; see prepareWithCache). */
  readonly imageInputs: ByteBoundedLru<ImageInput>;

  constructor(
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    config: AppConfig,
  ) {
    this.imageInputs = new ByteBoundedLru<ImageInput>(
      config.MOSAIC_IMAGE_INPUT_CACHE_BYTES,
      (input) => input.tensor.byteLength,
    );
    this.pool =
      config.MOSAIC_PREPROCESS_WORKERS > 0
        ? new PreprocessPool({ workers: config.MOSAIC_PREPROCESS_WORKERS })
        : null;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.close();
  }

  /**
   * The model tensors of collected (or reloaded) raw inputs, through libs/preprocess — in a worker
   * thread when the pool is on, bit-identical to the in-process path either way. The image bytes
   * of `raw` are handed to the worker (the array is detached afterwards). A preprocessing failure
   * is a 422 in both modes; a full queue is 503 with Retry-After.
   */
  async prepare(raw: RawPatientInputs, lease: ModelLease): Promise<ModelInputs> {
    if (!this.pool) return this.prepareInProcess(raw, lease);
    try {
      return await this.pool.prepare(raw, lease.model.preprocessing);
    } catch (error) {
      throw asInputNotUsable(error);
    }
  }

  /**
   * `prepare` on the calling thread whatever the pool setting: the replay path, which recomputes
   * the tensors through the reference in-process code rather than the workers that made them.
   */
  async prepareInProcess(raw: RawPatientInputs, lease: ModelLease): Promise<ModelInputs> {
    try {
      return await prepareModelInputs(raw, lease.model.preprocessing);
    } catch (error) {
      throw asInputNotUsable(error);
    }
  }

  /**
   * `prepare` for a new assessment: a prepared image input (decoded, windowed, resized) is reused
   * when the same model version prepared the same frame of the same instance with the same bytes
   * (`imageSha256`, the digest recorded for the read) — the same bits, since preprocessing is
   * deterministic. `imageInputCached` is true on a hit, false when the image was prepared, null
   * without an image. Replays never use the cache (they call `prepare`).
   */
  async prepareWithCache(
    raw: RawPatientInputs,
    lease: ModelLease,
    imageSha256: string | undefined,
  ): Promise<{ inputs: ModelInputs; imageInputCached: boolean | null }> {
    const image = raw.image;
    if (!image) return { inputs: await this.prepare(raw, lease), imageInputCached: null };
    const key =
      this.imageInputs.enabled && imageSha256
        ? [lease.modelId, lease.version, image.instanceId, image.frame ?? 0, imageSha256].join('\u0000')
        : null;
    const hit = key ? this.imageInputs.get(key) : undefined;
    if (hit) {
      const rest = await this.prepare({ ...raw, image: null }, lease);
      return { inputs: { ...rest, image: hit }, imageInputCached: true };
    }
    const inputs = await this.prepare(raw, lease);
    if (key && inputs.image) this.imageInputs.set(key, inputs.image);
    return { inputs, imageInputCached: false };
  }

  async collect(
    manager: EntityManager,
    patientId: string,
    request: CollectRequest,
    applicability: Applicability,
  ): Promise<CollectedInputs> {
    const out: CollectedInputs = { raw: {}, noteText: null, used: [], leftOut: [] };
    await this.collectNote(manager, patientId, request, applicability, out);
    await this.collectImage(manager, patientId, request, applicability, out);
    await this.collectVitals(manager, patientId, request, applicability, out);
    return out;
  }

  /** Why a record breaks the time contract for this assessment, or null. */
  private timeProblem(
    record: { status: RecordStatus; effectiveAt: Date; recordedAt: Date },
    request: CollectRequest,
  ): string | null {
    if (record.status === RecordStatus.EnteredInError) return 'entered in error';
    if (record.effectiveAt > request.asOf) return `effective ${record.effectiveAt.toISOString()}, after asOf`;
    if (record.recordedAt > request.assessedAt) return 'recorded after the assessment time';
    return null;
  }

  private async collectNote(
    manager: EntityManager,
    patientId: string,
    request: CollectRequest,
    applicability: Applicability,
    out: CollectedInputs,
  ): Promise<void> {
    const repository = manager.getRepository(ClinicalNote);
    let note: ClinicalNote | null;
    if (request.noteId) {
      note = await repository.findOneBy({ id: request.noteId, patientId });
      if (!note)
        throw new AssessmentError(
          AssessmentErrorCode.InputNotFound,
          `patient ${patientId} has no note ${request.noteId}`,
        );
      const problem = this.timeProblem(note, request);
      if (problem)
        throw new AssessmentError(
          AssessmentErrorCode.InputNotUsable,
          `note ${note.id} cannot be used: ${problem}`,
        );
    } else {
      note = await repository
        .createQueryBuilder('note')
        .where('note.patient_id = :patientId', { patientId })
        .andWhere('note.status <> :eie', { eie: RecordStatus.EnteredInError })
        .andWhere('note.effective_at <= :asOf', { asOf: request.asOf })
        .andWhere('note.recorded_at <= :assessedAt', { assessedAt: request.assessedAt })
        .orderBy('note.effective_at', 'DESC')
        .addOrderBy('note.recorded_at', 'DESC')
        .addOrderBy('note.id', 'ASC')
        .getOne();
      if (!note) {
        out.leftOut.push({
          modality: 'text',
          id: null,
          reason: `no note effective by ${request.asOf.toISOString()}`,
        });
        return;
      }
    }
    const stale = staleness(note.effectiveAt, request.asOf, applicability.text.maxAgeHours);
    if (stale) {
      if (request.noteId)
        throw new AssessmentError(
          AssessmentErrorCode.InputNotUsable,
          `note ${note.id} cannot be used: ${stale}`,
        );
      out.leftOut.push({ modality: 'text', id: note.id, reason: stale });
      return;
    }
    out.raw.note = { id: note.id, text: note.text };
    out.noteText = note.text;
    out.used.push({
      modality: 'text',
      noteId: note.id,
      effectiveAt: note.effectiveAt.toISOString(),
      recordedAt: note.recordedAt.toISOString(),
      sha256: sha256Text(note.text),
    });
  }

  private async collectImage(
    manager: EntityManager,
    patientId: string,
    request: CollectRequest,
    applicability: Applicability,
    out: CollectedInputs,
  ): Promise<void> {
    const builder = manager
      .getRepository(ImagingInstance)
      .createQueryBuilder('instance')
      .innerJoinAndSelect('instance.series', 'series')
      .where('instance.patient_id = :patientId', { patientId });
    let candidates: ImagingInstance[];
    if (request.imageId) {
      const one = await builder.andWhere('instance.id = :id', { id: request.imageId }).getOne();
      if (!one)
        throw new AssessmentError(
          AssessmentErrorCode.InputNotFound,
          `patient ${patientId} has no image ${request.imageId}`,
        );
      const problem = this.timeProblem(one, request) ?? this.imageProblem(one, request, applicability);
      if (problem)
        throw new AssessmentError(
          AssessmentErrorCode.InputNotUsable,
          `image ${one.id} cannot be used: ${problem}`,
        );
      candidates = [one];
    } else {
      // Newest first; images that do not fit are listed as left out until one fits.
      candidates = await builder
        .andWhere('instance.status <> :eie', { eie: RecordStatus.EnteredInError })
        .andWhere('instance.effective_at <= :asOf', { asOf: request.asOf })
        .andWhere('instance.recorded_at <= :assessedAt', { assessedAt: request.assessedAt })
        .orderBy('instance.effective_at', 'DESC')
        .addOrderBy('instance.recorded_at', 'DESC')
        .addOrderBy('instance.id', 'ASC')
        .take(20)
        .getMany();
      if (candidates.length === 0) {
        out.leftOut.push({
          modality: 'image',
          id: null,
          reason: `no image acquired by ${request.asOf.toISOString()}`,
        });
        return;
      }
    }
    for (const instance of candidates) {
      const problem = this.imageProblem(instance, request, applicability);
      if (problem) {
        out.leftOut.push({ modality: 'image', id: instance.id, reason: problem });
        if (problem.startsWith('stale')) return; // every older image is staler
        continue;
      }
      const bytes = await this.blobs.get(instance.blobKey);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      out.raw.image = { instanceId: instance.id, bytes: new Uint8Array(bytes), frame: 0 };
      out.used.push({
        modality: 'image',
        instanceId: instance.id,
        frame: 0,
        effectiveAt: instance.effectiveAt.toISOString(),
        recordedAt: instance.recordedAt.toISOString(),
        sha256,
      });
      return;
    }
  }

  private imageProblem(
    instance: ImagingInstance,
    request: CollectRequest,
    applicability: Applicability,
  ): string | null {
    return (
      imageMismatch(applicability, {
        modality: instance.series.modality,
        bodyPart: instance.series.bodyPart,
        view: instance.viewPosition,
        effectiveAt: instance.effectiveAt,
      }) ?? staleness(instance.effectiveAt, request.asOf, applicability.image.maxAgeHours)
    );
  }

  private async collectVitals(
    manager: EntityManager,
    patientId: string,
    request: CollectRequest,
    applicability: Applicability,
    out: CollectedInputs,
  ): Promise<void> {
    const hours = applicability.vitals.windowHours;
    const end = request.vitalsWindow?.to ?? request.asOf;
    const gridStart = new Date(end.getTime() - hours * HOUR_MS);
    const from = request.vitalsWindow
      ? new Date(Math.max(request.vitalsWindow.from.getTime(), gridStart.getTime()))
      : gridStart;
    const rows = await manager
      .getRepository(VitalObservation)
      .createQueryBuilder('v')
      .select(['v.id', 'v.code', 'v.value', 'v.effectiveAt'])
      .where('v.patient_id = :patientId', { patientId })
      .andWhere('v.code IN (:...codes)', { codes: MODEL_CODES })
      .andWhere('v.status <> :eie', { eie: RecordStatus.EnteredInError })
      .andWhere('v.effective_at >= :from', { from })
      .andWhere('v.effective_at < :end', { end })
      .andWhere('v.recorded_at <= :assessedAt', { assessedAt: request.assessedAt })
      .andWhere('v.effective_at <= :asOf', { asOf: request.asOf })
      .getMany();
    if (rows.length === 0) {
      out.leftOut.push({
        modality: 'vitals',
        id: null,
        reason: `no vital signs of the model's channels between ${from.toISOString()} and ${end.toISOString()}`,
      });
      return;
    }
    const listed = canonicalObservations(rows);
    out.raw.vitals = {
      observations: listed.map((r): VitalsObservation => ({ code: r.code, time: r.time, value: r.value })),
      end: end.toISOString(),
    };
    out.used.push({
      modality: 'vitals',
      window: { start: gridStart.toISOString(), end: end.toISOString() },
      observationIds: listed.map((r) => r.id),
      observationCount: rows.length,
      sha256: vitalsDigest(listed),
    });
  }

  /**
   * The raw inputs a recorded assessment used, read again by id with no cache, and the digests of
   * what was read now — for the replay to compare with the recorded ones.
   */
  async reload(
    manager: EntityManager,
    patientId: string,
    used: readonly UsedInput[],
  ): Promise<{
    raw: RawPatientInputs;
    noteText: string | null;
    current: Record<InputModality, string | null>;
    missing: string[];
  }> {
    const raw: RawPatientInputs = {};
    const current: Record<InputModality, string | null> = { text: null, image: null, vitals: null };
    const missing: string[] = [];
    let noteText: string | null = null;
    for (const input of used) {
      switch (input.modality) {
        case 'text': {
          const note = await manager.getRepository(ClinicalNote).findOneBy({ id: input.noteId, patientId });
          if (!note) {
            missing.push(`note ${input.noteId}`);
            break;
          }
          raw.note = { id: note.id, text: note.text };
          noteText = note.text;
          current.text = sha256Text(note.text);
          break;
        }
        case 'image': {
          const instance = await manager
            .getRepository(ImagingInstance)
            .findOneBy({ id: input.instanceId, patientId });
          const bytes = instance ? await this.blobs.get(instance.blobKey).catch(() => null) : null;
          if (!instance || !bytes) {
            missing.push(`image ${input.instanceId}`);
            break;
          }
          raw.image = { instanceId: instance.id, bytes: new Uint8Array(bytes), frame: input.frame };
          current.image = createHash('sha256').update(bytes).digest('hex');
          break;
        }
        case 'vitals': {
          const rows = input.observationIds.length
            ? await manager
                .getRepository(VitalObservation)
                .findBy({ id: In(input.observationIds), patientId })
            : [];
          if (rows.length !== input.observationIds.length) {
            missing.push(`${input.observationIds.length - rows.length} vital observation(s)`);
          }
          const listed = canonicalObservations(rows);
          raw.vitals = {
            observations: listed.map((r) => ({ code: r.code, time: r.time, value: r.value })),
            end: input.window.end,
          };
          current.vitals = vitalsDigest(listed);
          break;
        }
      }
    }
    return { raw, noteText, current, missing };
  }
}
