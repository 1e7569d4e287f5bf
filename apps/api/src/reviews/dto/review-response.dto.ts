import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { EvidenceKind, EvidenceReference, Review, ReviewVerdict } from '@mosaic/persistence';
import { EVIDENCE_KINDS, VERDICTS } from './create-review.dto';
import { REVIEW_STATUSES } from './review-query.dto';
import type { ReviewStatus } from './review-query.dto';

export class EvidenceReferenceResponseDto {
  @ApiProperty() label: string;
  @ApiProperty({ enum: EVIDENCE_KINDS }) kind: EvidenceKind;
  @ApiProperty() index: number;
  @ApiProperty({
    type: Object,
    description:
      'the referenced item of the stored explanation (a text span, image cell, vitals window or share)',
  })
  evidence: Record<string, unknown>;
}

export class ReviewDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) assessmentId: string;
  @ApiProperty() reviewer: string;
  @ApiProperty() reviewedAt: string;
  @ApiProperty({ enum: VERDICTS }) verdict: ReviewVerdict;
  @ApiPropertyOptional({ nullable: true }) comment: string | null;
  @ApiProperty({ type: EvidenceReferenceResponseDto, isArray: true })
  disagreements: EvidenceReferenceResponseDto[];
  @ApiProperty({ description: 'true for the latest review, which sets the review status' })
  current: boolean;

  static from(
    review: Review,
    current: boolean,
    resolve: (reference: EvidenceReference) => Record<string, unknown>,
  ): ReviewDto {
    return {
      id: review.id,
      assessmentId: review.assessmentId,
      reviewer: review.reviewer,
      reviewedAt: review.reviewedAt.toISOString(),
      verdict: review.verdict,
      comment: review.comment,
      disagreements: review.disagreements.map((reference) => ({
        ...reference,
        evidence: resolve(reference),
      })),
      current,
    };
  }
}

export class ReviewHistoryDto {
  @ApiProperty({ format: 'uuid' }) assessmentId: string;
  @ApiProperty({ enum: REVIEW_STATUSES }) status: ReviewStatus;
  @ApiProperty({ type: ReviewDto, isArray: true, description: 'newest first' }) reviews: ReviewDto[];
}

export class LatestReviewDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: VERDICTS }) verdict: ReviewVerdict;
  @ApiProperty() reviewer: string;
  @ApiProperty() reviewedAt: string;
}

export class AssessmentReviewStateDto {
  @ApiProperty({ enum: REVIEW_STATUSES }) status: ReviewStatus;
  @ApiProperty() reviewCount: number;
  @ApiPropertyOptional({ type: LatestReviewDto, nullable: true }) latest: LatestReviewDto | null;
}

export class ReviewableDiagnosisDto {
  @ApiProperty() rank: number;
  @ApiProperty() label: string;
  @ApiProperty() probability: number;
  @ApiProperty() aboveThreshold: boolean;
}

/** One row of the auditor's work list: enough to choose what to open, no explanation payload. */
export class ReviewableAssessmentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) patientId: string;
  @ApiProperty() assessedAt: string;
  @ApiProperty() asOf: string;
  @ApiProperty() modelId: string;
  @ApiProperty() modelVersion: string;
  @ApiProperty({ enum: [true] }) notForClinicalUse: true;
  @ApiProperty({ type: String, isArray: true, description: 'labels above their decision threshold, by rank' })
  labelsAboveThreshold: string[];
  @ApiProperty({ type: ReviewableDiagnosisDto, isArray: true, description: 'the three highest-ranked' })
  topDiagnoses: ReviewableDiagnosisDto[];
  @ApiProperty({ type: AssessmentReviewStateDto }) review: AssessmentReviewStateDto;
}

export class ReviewCountsDto {
  @ApiProperty({ description: 'assessments in scope' }) assessments: number;
  @ApiProperty({ description: 'of which reviewed at least once' }) reviewed: number;
  @ApiProperty({ description: 'latest review plausible' }) plausible: number;
  @ApiProperty() implausible: number;
  @ApiProperty() uncertain: number;
  @ApiPropertyOptional({ nullable: true, description: 'plausible / reviewed; null when none is reviewed' })
  plausibleShare: number | null;
}

export class LabelReviewSummaryDto extends ReviewCountsDto {
  @ApiProperty() label: string;
}

export class ModelVersionReviewSummaryDto extends ReviewCountsDto {
  @ApiProperty() modelId: string;
  @ApiProperty() modelVersion: string;
}

export class ReviewSummaryDto {
  @ApiProperty({ type: Object, description: 'the filters applied' }) scope: Record<string, string>;
  @ApiProperty({ type: ReviewCountsDto }) overall: ReviewCountsDto;
  @ApiProperty({
    type: LabelReviewSummaryDto,
    isArray: true,
    description: 'per label, over the assessments where the label is above its threshold',
  })
  perLabel: LabelReviewSummaryDto[];
  @ApiProperty({ type: ModelVersionReviewSummaryDto, isArray: true })
  perModelVersion: ModelVersionReviewSummaryDto[];
}
