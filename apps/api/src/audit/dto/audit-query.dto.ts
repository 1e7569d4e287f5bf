import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsUUID, Max, Min } from 'class-validator';
import type { AuditEvent } from '@mosaic/persistence';

export class AuditQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() patientId?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) to?: string;
  @ApiPropertyOptional({ default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit =
    100;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset = 0;
}

export class AuditEventDto {
  seq: string;
  occurredAt: string;
  actor: string;
  role: string;
  action: string;
  resourceType: string;
  resourceIds: string[];
  patientId: string | null;
  requestId: string;
  outcome: string;

  static from(event: AuditEvent): AuditEventDto {
    return {
      seq: String(event.seq),
      occurredAt: event.occurredAt.toISOString(),
      actor: event.actor,
      role: event.role,
      action: event.action,
      resourceType: event.resourceType,
      resourceIds: event.resourceIds,
      patientId: event.patientId,
      requestId: event.requestId,
      outcome: event.outcome,
    };
  }
}
