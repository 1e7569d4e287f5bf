import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsInstant } from './instant.validator';

/** Offset pagination shared by every list route of the ingestion API. */
export class PageQueryDto {
  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;
}

/** A page plus a half-open [from, to) filter on effectiveAt, the clinical time. */
export class TimeRangePageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'inclusive lower bound on effectiveAt (ISO 8601 with offset)' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'exclusive upper bound on effectiveAt (ISO 8601 with offset)' })
  @IsOptional()
  @IsInstant()
  to?: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
