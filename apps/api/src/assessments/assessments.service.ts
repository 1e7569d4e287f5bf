import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { applicabilityOf, runAssessment } from '@mosaic/fusion';
import { BatchedRunner, EmbeddingCache } from '@mosaic/inference';
import { Assessment } from '@mosaic/persistence';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import type { RequestActor } from '../common/context/request-actor';
import { ModelRegistryService } from '../models/model-registry.service';
import type { Page, PageQueryDto } from '../patients/dto/paging.dto';
import { PatientsService } from '../patients/patients.service';
import { AssessmentInputsService } from './assessment-inputs.service';
import type { InputModality } from './assessment-inputs.service';
import { AssessmentError, AssessmentErrorCode } from './assessments.errors';
import type { RecordedInputs, RecordedOutputColumn } from './dto/assessment-response.dto';
import type { CreateAssessmentDto } from './dto/create-assessment.dto';

const MODALITY_ORDER: InputModality[] = ['text', 'image', 'vitals'];

export interface AssessmentCreation {
  record: Assessment;
  persistenceMs: number;
}

/**
 * Runs and records assessments (docs/assessments.md). The inputs are read and the model runs
 * outside any transaction, so the (embedded, single-session) database is not held during
 * inference; the record and its audit entry are then written in one transaction. Concurrent
 * assessments share encoder and fusion runs, and encoder outputs are cached (docs/assessments.md
 * §Serving); replays never go through this runner.
 */
@Injectable()
export class AssessmentsService {
  readonly runner: BatchedRunner;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly patients: PatientsService,
    private readonly models: ModelRegistryService,
    private readonly inputs: AssessmentInputsService,
    config: AppConfig,
  ) {
    this.runner = new BatchedRunner({
      maxSize: config.MOSAIC_BATCH_MAX_SIZE,
      maxWaitMs: config.MOSAIC_BATCH_MAX_WAIT_MS,
      cache: new EmbeddingCache(config.MOSAIC_EMBEDDING_CACHE_BYTES),
    });
  }

  async assess(
    actor: RequestActor,
    patientId: string,
    body: CreateAssessmentDto,
  ): Promise<AssessmentCreation> {
    const started = performance.now();
    const assessedAt = new Date();
    const asOf = body.asOf ? new Date(body.asOf) : assessedAt;
    if (asOf > assessedAt) {
      throw new AssessmentError(
        AssessmentErrorCode.InvalidTimeWindow,
        `asOf ${asOf.toISOString()} is in the future`,
      );
    }
    await this.patients.requireExists(this.dataSource.manager, patientId);
    const lease = await this.models.lease(body.modelVersion);
    try {
      const model = lease.model;
      const applicability = applicabilityOf(model.manifest);
      const vitalsWindow = this.vitalsWindow(body, asOf, applicability.vitals.windowHours);
      const t0 = performance.now();
      const collected = await this.inputs.collect(
        this.dataSource.manager,
        patientId,
        { asOf, assessedAt, noteId: body.noteId, imageId: body.imageId, vitalsWindow },
        applicability,
      );
      const used = new Set(collected.used.map((u) => u.modality));
      const present = MODALITY_ORDER.filter((m) => used.has(m) && model.modalities.includes(m));
      if (present.length === 0) {
        await this.auditRefusal(
          actor,
          patientId,
          collected.leftOut.map((l) => l.id).filter((id): id is string => id !== null),
        );
        throw new AssessmentError(
          AssessmentErrorCode.NoUsableData,
          `patient ${patientId} has no usable input as of ${asOf.toISOString()}: ${collected.leftOut
            .map((l) => `${l.modality}: ${l.reason}`)
            .join('; ')}`,
          collected.leftOut.map((l) => ({
            pointer: `/${l.modality}`,
            detail: l.id ? `${l.id}: ${l.reason}` : l.reason,
          })),
          { missing: MODALITY_ORDER, leftOut: collected.leftOut },
        );
      }
      const t1 = performance.now();
      // In a preprocessing worker when the pool is on (MOSAIC_PREPROCESS_WORKERS).
      const imageRead = collected.used.find((u) => u.modality === 'image');
      const { inputs: tensors, imageInputCached } = await this.inputs.prepareWithCache(
        collected.raw,
        lease,
        imageRead?.sha256,
      );
      const t2 = performance.now();
      const run = await runAssessment(model, tensors, {
        noteText: collected.noteText,
        runner: this.runner,
      });
      const card = this.models.registry.entry(lease.modelId, lease.version)?.card ?? null;
      const recordedInputs: RecordedInputs = {
        used: collected.used,
        leftOut: collected.leftOut,
        present,
        absent: MODALITY_ORDER.filter((m) => !present.includes(m)),
        applicability: applicability.source,
        imageSize: model.preprocessing.imageSize,
      };
      const outputs: RecordedOutputColumn = { raw: run.outputs, notice: model.manifest.notice, card };
      const t3 = performance.now();
      const record = await this.audit.audited(
        actor,
        (manager) =>
          this.insert(manager, {
            patientId,
            assessedAt,
            asOf,
            modelId: lease.modelId,
            modelVersion: lease.version,
            onnxFiles: lease.onnxFiles,
            codeVersion: this.models.codeVersion,
            runtimeVersion: this.models.runtimeVersion,
            inputs: recordedInputs as unknown as Record<string, unknown>,
            tensorDigests: run.digests,
            outputs: outputs as unknown as Record<string, unknown>,
            diagnoses: run.diagnoses as unknown as Record<string, unknown>[],
            latency: {
              queueMs: round(t0 - started),
              collectMs: round(t1 - t0),
              preprocessMs: round(t2 - t1),
              encodersMs: round(run.timings.encodersMs),
              fusionMs: round(run.timings.fusionMs),
              explanationMs: round(run.timings.explanationMs),
              // Not a duration: per modality, whether the encoder output came from the cache.
              cached: run.cached,
              // Whether the prepared image input was reused (null: no image); text and vitals are
              // always prepared (cheap).
              inputCached: { image: imageInputCached },
            },
            requestedBy: actor.username,
          }),
        (saved) => ({
          action: 'assessment.create',
          resourceType: 'Assessment',
          resourceIds: [
            saved.id,
            ...collected.used.flatMap((u) =>
              u.modality === 'text' ? [u.noteId] : u.modality === 'image' ? [u.instanceId] : [],
            ),
          ],
          patientId,
        }),
      );
      return { record, persistenceMs: round(performance.now() - t3) };
    } finally {
      lease.release();
    }
  }

  private vitalsWindow(
    body: CreateAssessmentDto,
    asOf: Date,
    hours: number,
  ): { from: Date; to: Date } | undefined {
    if (!body.vitalsWindow) return undefined;
    const from = new Date(body.vitalsWindow.from);
    const to = new Date(body.vitalsWindow.to);
    const problem =
      from >= to
        ? 'vitalsWindow.from must be before vitalsWindow.to'
        : to > asOf
          ? 'vitalsWindow.to must not be after asOf'
          : to.getTime() - from.getTime() > hours * 3_600_000
            ? `vitalsWindow spans more than the model's ${hours} h grid`
            : null;
    if (problem) throw new AssessmentError(AssessmentErrorCode.InvalidTimeWindow, problem);
    return { from, to };
  }

  /** A refused assessment still read patient data: that read is audited with the refusal's status. */
  private async auditRefusal(actor: RequestActor, patientId: string, ids: string[]): Promise<void> {
    await this.audit.audited(
      actor,
      async () => null,
      () => ({
        action: 'assessment.create',
        resourceType: 'Assessment',
        resourceIds: ids,
        patientId,
        outcome: '422',
      }),
    );
  }

  private async insert(
    manager: EntityManager,
    values: Omit<Assessment, 'id' | 'patient'>,
  ): Promise<Assessment> {
    const repository = manager.getRepository(Assessment);
    return repository.save(repository.create(values));
  }

  async get(manager: EntityManager, id: string): Promise<Assessment> {
    const record = await manager.getRepository(Assessment).findOneBy({ id });
    if (!record) throw new AssessmentError(AssessmentErrorCode.NotFound, `there is no assessment ${id}`);
    return record;
  }

  /** Newest first. */
  async list(manager: EntityManager, patientId: string, query: PageQueryDto): Promise<Page<Assessment>> {
    await this.patients.requireExists(manager, patientId);
    const [items, total] = await manager.getRepository(Assessment).findAndCount({
      where: { patientId },
      order: { assessedAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items, total, limit: query.limit, offset: query.offset };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
