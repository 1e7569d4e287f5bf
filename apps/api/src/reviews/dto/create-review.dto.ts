import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { EvidenceKind, ReviewVerdict } from '@mosaic/persistence';
import { LABEL_SLUG } from './review-query.dto';

export const VERDICTS: readonly ReviewVerdict[] = ['plausible', 'implausible', 'uncertain'];
export const EVIDENCE_KINDS: readonly EvidenceKind[] = ['text', 'image', 'vitals', 'modalityShare'];

/** A piece of the stored explanation the reviewer disagrees with. */
export class EvidenceReferenceDto {
  @ApiProperty({ example: 'pneumonia', description: 'label slug of the diagnosis' })
  @Matches(LABEL_SLUG, { message: 'label must be a label slug such as pneumonia' })
  label: string;

  @ApiProperty({ enum: EVIDENCE_KINDS })
  @IsIn(EVIDENCE_KINDS, { message: `kind must be one of ${EVIDENCE_KINDS.join(', ')}` })
  kind: EvidenceKind;

  @ApiProperty({
    minimum: 0,
    description:
      '0-based: the text span, vitals window or modality share of that list, or the image grid cell (row-major)',
  })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  index: number;
}

export class CreateReviewDto {
  @ApiProperty({ enum: VERDICTS })
  @IsIn(VERDICTS, { message: `verdict must be one of ${VERDICTS.join(', ')}` })
  verdict: ReviewVerdict;

  @ApiPropertyOptional({ maxLength: 4000, description: 'why; required when the verdict is implausible' })
  @ValidateIf((review: CreateReviewDto) => review.verdict === 'implausible' || review.comment !== undefined)
  @IsString({ message: 'comment must be a string; it is required when the verdict is implausible' })
  @Matches(/\S/, { message: 'comment must not be blank (it is required when the verdict is implausible)' })
  @MaxLength(4000)
  comment?: string;

  @ApiPropertyOptional({ type: EvidenceReferenceDto, isArray: true, maxItems: 100 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => EvidenceReferenceDto)
  disagreements?: EvidenceReferenceDto[];
}
