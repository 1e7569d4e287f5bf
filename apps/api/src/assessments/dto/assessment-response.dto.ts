import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Diagnosis, RecordedOutputs } from '@mosaic/fusion';
import type { ModelCardSummary, OnnxFileHash } from '@mosaic/inference';
import type { Assessment } from '@mosaic/persistence';
import type { InputModality, LeftOutInput, UsedInput } from '../assessment-inputs.service';

/** What the record's `inputs` column holds. */
export interface RecordedInputs {
  used: UsedInput[];
  leftOut: LeftOutInput[];
  present: InputModality[];
  absent: InputModality[];
  applicability: 'manifest' | 'default';
  /** The model's square input size, to map the patch grid back onto the image. */
  imageSize: number;
}

/** What the record's `outputs` column holds. */
export interface RecordedOutputColumn {
  raw: RecordedOutputs;
  notice: string;
  card: ModelCardSummary | null;
}

export class AssessmentModelDto {
  @ApiProperty() id: string;
  @ApiProperty() version: string;
  @ApiPropertyOptional({ type: Object, nullable: true }) card: ModelCardSummary | null;
  @ApiProperty({ type: Object, isArray: true }) onnxFiles: OnnxFileHash[];
  @ApiProperty({ description: 'git commit of the serving code' }) codeVersion: string;
  @ApiProperty() runtimeVersion: string;
}

export class AssessmentResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() patientId: string;
  @ApiProperty() assessedAt: string;
  @ApiProperty() asOf: string;
  @ApiProperty({ enum: [true] }) notForClinicalUse: true;
  @ApiProperty() notice: string;
  @ApiProperty({ type: AssessmentModelDto }) model: AssessmentModelDto;
  @ApiProperty({ type: Object }) inputs: { used: UsedInput[]; leftOut: LeftOutInput[] };
  @ApiProperty({ type: Object }) modalities: {
    present: InputModality[];
    absent: InputModality[];
    masked: InputModality[];
  };
  @ApiProperty({ enum: ['manifest', 'default'] }) applicability: 'manifest' | 'default';
  @ApiProperty({ type: Object, isArray: true, description: 'ranked by calibrated probability' })
  diagnoses: (Diagnosis & { explanation: { image: { overlayUrl?: string } | null } })[];
  @ApiProperty({ type: Object }) tensorDigests: Record<string, string | null>;
  @ApiProperty({
    type: Object,
    description:
      'milliseconds per stage; `cached`: per modality, true (cache hit), false (encoder ran) or null (absent); `inputCached.image`: whether the prepared image input (decoded, windowed, resized) was reused (null without an image)',
  })
  latencyMs: Record<string, number | Record<string, boolean | null>>;

  static from(
    record: Assessment,
    apiPrefix: string,
    extraLatency: Record<string, number> = {},
  ): AssessmentResponseDto {
    const inputs = record.inputs as unknown as RecordedInputs;
    const outputs = record.outputs as unknown as RecordedOutputColumn;
    const diagnoses = (record.diagnoses as unknown as Diagnosis[]).map((d) => ({
      ...d,
      explanation: {
        ...d.explanation,
        image: d.explanation.image
          ? {
              ...d.explanation.image,
              overlayUrl: `${apiPrefix}/assessments/${record.id}/explanations/${d.label}/image.png`,
            }
          : null,
      },
    }));
    return {
      id: record.id,
      patientId: record.patientId,
      assessedAt: record.assessedAt.toISOString(),
      asOf: record.asOf.toISOString(),
      notForClinicalUse: true,
      notice: outputs.notice,
      model: {
        id: record.modelId,
        version: record.modelVersion,
        card: outputs.card,
        onnxFiles: record.onnxFiles,
        codeVersion: record.codeVersion,
        runtimeVersion: record.runtimeVersion,
      },
      inputs: { used: inputs.used, leftOut: inputs.leftOut },
      modalities: { present: inputs.present, absent: inputs.absent, masked: inputs.absent },
      applicability: inputs.applicability,
      diagnoses,
      tensorDigests: record.tensorDigests,
      latencyMs: { ...record.latency, ...extraLatency },
    };
  }
}

export class AssessmentSummaryDto {
  @ApiProperty() id: string;
  @ApiProperty() assessedAt: string;
  @ApiProperty() asOf: string;
  @ApiProperty() modelId: string;
  @ApiProperty() modelVersion: string;
  @ApiProperty({ enum: [true] }) notForClinicalUse: true;
  @ApiProperty({ type: Object, isArray: true }) topDiagnoses: {
    label: string;
    probability: number;
    aboveThreshold: boolean;
  }[];

  static from(record: Assessment): AssessmentSummaryDto {
    return {
      id: record.id,
      assessedAt: record.assessedAt.toISOString(),
      asOf: record.asOf.toISOString(),
      modelId: record.modelId,
      modelVersion: record.modelVersion,
      notForClinicalUse: true,
      topDiagnoses: (record.diagnoses as unknown as Diagnosis[]).slice(0, 3).map((d) => ({
        label: d.label,
        probability: d.probability,
        aboveThreshold: d.aboveThreshold,
      })),
    };
  }
}
