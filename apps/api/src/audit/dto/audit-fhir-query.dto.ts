import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsNumberString, IsOptional, Max, Min } from 'class-validator';

/** `GET /audit/fhir`: entries recorded in [from, to), in chain order, a page at a time. */
export class AuditFhirQueryDto {
  @ApiPropertyOptional({ description: 'inclusive ISO 8601 instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'exclusive ISO 8601 instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'continue after this chain seq (from the Bundle next link)' })
  @IsOptional()
  @IsNumberString({ no_symbols: true })
  afterSeq?: string;

  /** FHIR search's page-size parameter (FHIR R4 §3.1.1.5.7). */
  @ApiPropertyOptional({ default: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  _count = 1000;
}
