import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { canonicalJson } from '@mosaic/audit';
import type { JsonValue } from '@mosaic/audit';
import type { Diagnosis } from '@mosaic/fusion';
import { runAssessment } from '@mosaic/fusion';
import type { RecordedOutputs } from '@mosaic/fusion';
import type { ModelLease } from '@mosaic/inference';
import { base64ToFloat32, MODALITIES, tensorDigests } from '@mosaic/inference';
import type { Assessment } from '@mosaic/persistence';
import { AuditService } from '../audit/audit.service';
import type { RequestActor } from '../common/context/request-actor';
import { ModelError } from '../models/models.errors';
import { ModelRegistryService } from '../models/model-registry.service';
import { AssessmentInputsService } from './assessment-inputs.service';
import { AssessmentError, AssessmentErrorCode } from './assessments.errors';
import { AssessmentsService } from './assessments.service';
import type { RecordedInputs, RecordedOutputColumn } from './dto/assessment-response.dto';

export type ReplayStage = 'model' | 'raw-input' | 'tensor' | 'output';

export interface ReplayCheck {
  stage: ReplayStage;
  name: string;
  match: boolean;
  recorded: unknown;
  replayed: unknown;
  detail?: string;
}

export interface ReplayReport {
  assessmentId: string;
  replayedAt: string;
  match: boolean;
  /** The first check that failed, in pipeline order (model, raw inputs, tensors, outputs); null when all match. */
  firstMismatch: ReplayCheck | null;
  checks: ReplayCheck[];
  model: { id: string; version: string };
  codeVersion: { recorded: string; current: string };
  runtimeVersion: { recorded: string; current: string };
}

/**
 * Replays a recorded assessment (ARCHITECTURE.md §Replay): reads the inputs it names again, with no
 * cache, re-derives the tensors through libs/preprocess, runs the recorded model version through
 * the same unbatched path, and compares, exactly: ONNX file hashes, raw-input digests, tensor
 * digests, then the float32 bytes of every output. Every difference is reported; the first one in
 * pipeline order is named, with the first differing value for an output.
 */
@Injectable()
export class AssessmentReplayService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly assessments: AssessmentsService,
    private readonly models: ModelRegistryService,
    private readonly inputs: AssessmentInputsService,
  ) {}

  async replay(actor: RequestActor, id: string): Promise<ReplayReport> {
    const record = await this.assessments.get(this.dataSource.manager, id);
    let lease: ModelLease;
    try {
      lease = await this.models.lease(record.modelVersion);
    } catch (error) {
      if (error instanceof ModelError) {
        throw new AssessmentError(
          AssessmentErrorCode.ReplayModelUnavailable,
          `assessment ${id} ran on ${record.modelId} ${record.modelVersion}, which cannot be loaded now: ${error.message}`,
        );
      }
      throw error;
    }
    try {
      const report = await this.compare(record, lease);
      await this.audit.audited(
        actor,
        async () => report,
        () => ({
          action: 'assessment.replay',
          resourceType: 'Assessment',
          resourceIds: [record.id],
          patientId: record.patientId,
          outcome: report.match ? 'success' : 'mismatch',
        }),
      );
      return report;
    } finally {
      lease.release();
    }
  }

  private async compare(record: Assessment, lease: ModelLease): Promise<ReplayReport> {
    const checks: ReplayCheck[] = [];
    const check = (
      stage: ReplayStage,
      name: string,
      recorded: unknown,
      replayed: unknown,
      detail?: string,
    ): void => {
      checks.push({
        stage,
        name,
        match: recorded === replayed,
        recorded,
        replayed,
        ...(detail ? { detail } : {}),
      });
    };
    const recordedFiles = new Map(record.onnxFiles.map((f) => [f.path, f.sha256]));
    for (const file of lease.onnxFiles)
      check('model', file.path, recordedFiles.get(file.path) ?? null, file.sha256);

    const inputs = record.inputs as unknown as RecordedInputs;
    const reloaded = await this.inputs.reload(this.dataSource.manager, record.patientId, inputs.used);
    for (const used of inputs.used)
      check('raw-input', used.modality, used.sha256, reloaded.current[used.modality]);
    if (reloaded.missing.length > 0) {
      checks.push({
        stage: 'raw-input',
        name: 'missing',
        match: false,
        recorded: [],
        replayed: reloaded.missing,
        detail: `no longer found: ${reloaded.missing.join(', ')}`,
      });
    }

    try {
      const tensors = await this.inputs.prepareInProcess(reloaded.raw, lease);
      const digests = tensorDigests(tensors);
      for (const modality of MODALITIES)
        check('tensor', modality, record.tensorDigests[modality] ?? null, digests[modality]);
      const run = await runAssessment(lease.model, tensors, { noteText: reloaded.noteText });
      const recorded = (record.outputs as unknown as RecordedOutputColumn).raw;
      this.compareOutputs(recorded, run.outputs, lease.model.labels, checks);
      const recordedDiagnoses = record.diagnoses as unknown as Diagnosis[];
      // RFC 8785 canonical JSON: jsonb reorders object keys, numbers keep their shortest form.
      check(
        'output',
        'diagnoses',
        canonicalJson(recordedDiagnoses as unknown as JsonValue),
        canonicalJson(JSON.parse(JSON.stringify(run.diagnoses)) as JsonValue),
      );
      const last = checks[checks.length - 1];
      if (!last.match) {
        // The full payloads are in the record; the report names where they part.
        last.recorded = 'see GET /assessments/:id';
        last.replayed = firstDiagnosisDifference(recordedDiagnoses, run.diagnoses);
      }
    } catch (error) {
      checks.push({
        stage: 'output',
        name: 'run',
        match: false,
        recorded: 'completed',
        replayed: 'failed',
        detail: (error as Error).message,
      });
    }
    const firstMismatch = checks.find((c) => !c.match) ?? null;
    return {
      assessmentId: record.id,
      replayedAt: new Date().toISOString(),
      match: firstMismatch === null,
      firstMismatch,
      checks,
      model: { id: record.modelId, version: record.modelVersion },
      codeVersion: { recorded: record.codeVersion, current: this.models.codeVersion },
      runtimeVersion: { recorded: record.runtimeVersion, current: this.models.runtimeVersion },
    };
  }

  private compareOutputs(
    recorded: RecordedOutputs,
    replayed: RecordedOutputs,
    labels: string[],
    checks: ReplayCheck[],
  ): void {
    const floats = (stage: string, a: string, b: string): void => {
      if (a === b) {
        checks.push({ stage: 'output', name: stage, match: true, recorded: a, replayed: b });
        return;
      }
      const x = base64ToFloat32(a);
      const y = base64ToFloat32(b);
      let index = 0;
      while (index < Math.min(x.length, y.length) && Object.is(x[index], y[index])) index++;
      checks.push({
        stage: 'output',
        name: stage,
        match: false,
        recorded: index < x.length ? x[index] : null,
        replayed: index < y.length ? y[index] : null,
        detail: `first differing value at index ${index}${index < labels.length ? ` (label ${labels[index]})` : ''}`,
      });
    };
    floats('logits', recorded.logits, replayed.logits);
    for (const modality of MODALITIES) {
      floats(
        `logits without ${modality}`,
        recorded.occludedLogits[modality],
        replayed.occludedLogits[modality],
      );
    }
    checks.push({
      stage: 'output',
      name: 'label attention',
      match: recorded.labelAttentionSha256 === replayed.labelAttentionSha256,
      recorded: recorded.labelAttentionSha256,
      replayed: replayed.labelAttentionSha256,
    });
  }
}

function firstDiagnosisDifference(recorded: readonly Diagnosis[], replayed: readonly Diagnosis[]): string {
  for (let i = 0; i < Math.max(recorded.length, replayed.length); i++) {
    const same =
      recorded[i] !== undefined &&
      replayed[i] !== undefined &&
      canonicalJson(recorded[i] as unknown as JsonValue) ===
        canonicalJson(JSON.parse(JSON.stringify(replayed[i])) as JsonValue);
    if (!same) {
      return `rank ${i + 1}: recorded ${recorded[i]?.label ?? 'none'} p=${recorded[i]?.probability ?? 'n/a'}, replayed ${replayed[i]?.label ?? 'none'} p=${replayed[i]?.probability ?? 'n/a'}`;
    }
  }
  return 'same diagnoses';
}
