import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, MaxLength } from 'class-validator';
import { IsInstant } from '../../patients/dto/instant.validator';
import { PageQueryDto } from '../../patients/dto/paging.dto';

export const REVIEW_STATUSES = ['unreviewed', 'plausible', 'implausible', 'uncertain'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const LABEL_SLUG = /^[a-z0-9_]{1,60}$/;

/** Filters shared by the review list and the summary: which model, and when the assessment ran. */
export class ReviewScopeQueryDto {
  @ApiPropertyOptional({ example: 'mosaic-fusion-demo' })
  @IsOptional()
  @MaxLength(100)
  modelId?: string;

  @ApiPropertyOptional({ example: '1.0.0' })
  @IsOptional()
  @Matches(/^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/, {
    message: 'modelVersion must be a semantic version such as 1.0.0',
  })
  modelVersion?: string;

  @ApiPropertyOptional({ description: 'inclusive lower bound on assessedAt (ISO 8601 with offset)' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'exclusive upper bound on assessedAt (ISO 8601 with offset)' })
  @IsOptional()
  @IsInstant()
  to?: string;
}

/** `GET /assessments`: the auditor's work list, newest first. */
export class ReviewListQueryDto extends IntersectionType(PageQueryDto, ReviewScopeQueryDto) {
  @ApiPropertyOptional({
    example: 'pneumonia',
    description: 'only assessments where this label is above its decision threshold',
  })
  @IsOptional()
  @Matches(LABEL_SLUG, { message: 'label must be a label slug such as pneumonia' })
  label?: string;

  @ApiPropertyOptional({ enum: REVIEW_STATUSES, description: "the latest review's verdict, or unreviewed" })
  @IsOptional()
  @IsIn(REVIEW_STATUSES, { message: `reviewStatus must be one of ${REVIEW_STATUSES.join(', ')}` })
  reviewStatus?: ReviewStatus;
}
