import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { RecordStatus, VitalCode } from '@mosaic/domain';
import type { VitalObservation } from '@mosaic/persistence';
import { IsInstant } from '../../patients/dto/instant.validator';

/** The most observations one request may carry; the whole batch is one transaction. */
export const MAX_VITALS_BATCH = 10_000;

/** One observation as a client sends it; checked by `parseVitalsBatch`, not by class-validator (see there). */
export class VitalObservationInputDto {
  @ApiProperty({ enum: VitalCode, example: VitalCode.HeartRate }) code: string;
  @ApiProperty({ example: 72 }) value: number;
  @ApiProperty({ example: '/min', description: 'UCUM unit; docs/ingest.md lists the accepted spellings' })
  unit: string;
  @ApiProperty({ example: '2024-03-15T10:15:00Z' }) effectiveAt: string;
  @ApiPropertyOptional({ enum: RecordStatus, default: RecordStatus.Final }) status?: RecordStatus;
}

/** The POST body, for the OpenAPI document; `parseVitalsBatch` validates it. */
export class CreateVitalsDto {
  @ApiProperty({ type: [VitalObservationInputDto], minItems: 1, maxItems: MAX_VITALS_BATCH })
  observations: VitalObservationInputDto[];
}

export class VitalsQueryDto {
  @ApiPropertyOptional({ description: 'LOINC code(s), comma-separated', example: '8867-4,8310-5' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,7}-\d(,\d{1,7}-\d)*$/, { message: 'code must be one or more comma-separated LOINC codes' })
  code?: string;

  @ApiPropertyOptional({ description: 'inclusive lower bound on effectiveAt' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'exclusive upper bound on effectiveAt' })
  @IsOptional()
  @IsInstant()
  to?: string;

  @ApiPropertyOptional({ default: 1000, maximum: MAX_VITALS_BATCH })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_VITALS_BATCH)
  limit = 1000;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;
}

export class VitalsIngestResponseDto {
  @ApiProperty({ description: 'observations in the request' }) received: number;
  @ApiProperty({ description: 'observations stored by this request' }) created: number;
  @ApiProperty({ description: 'observations already stored (same patient, code, effectiveAt, value)' })
  existing: number;
}

export class VitalObservationResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty({ description: 'in the canonical unit' }) value: number;
  @ApiProperty() unit: string;
  @ApiProperty() receivedValue: number;
  @ApiProperty() receivedUnit: string;
  @ApiProperty() effectiveAt: string;
  @ApiProperty() recordedAt: string;
  @ApiProperty({ enum: RecordStatus }) status: RecordStatus;
  @ApiProperty() sourceKind: string;
  @ApiProperty() sourceId: string;

  static from(observation: VitalObservation): VitalObservationResponseDto {
    return {
      id: observation.id,
      code: observation.code,
      value: observation.value,
      unit: observation.unit,
      receivedValue: observation.receivedValue,
      receivedUnit: observation.receivedUnit,
      effectiveAt: observation.effectiveAt.toISOString(),
      recordedAt: observation.recordedAt.toISOString(),
      status: observation.status,
      sourceKind: observation.sourceKind,
      sourceId: observation.sourceId,
    };
  }
}
