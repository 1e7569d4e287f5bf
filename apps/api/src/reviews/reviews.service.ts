import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Diagnosis } from '@mosaic/fusion';
import { Assessment, Review } from '@mosaic/persistence';
import type { EvidenceReference } from '@mosaic/persistence';
import type { ProblemItem } from '../common/errors/mosaic-error';
import type { CreateReviewDto } from './dto/create-review.dto';
import { ReviewDto } from './dto/review-response.dto';
import type { ReviewHistoryDto } from './dto/review-response.dto';
import { lookUpEvidence } from './explanation-evidence';
import { ReviewError, ReviewErrorCode } from './reviews.errors';

/**
 * Records reviews and reads an assessment's review history. Both run inside the caller's audited
 * transaction (AuditService.audited) and use only its manager.
 */
@Injectable()
export class ReviewsService {
  /** Checks every disagreement against the stored explanation, then appends the review. */
  async record(
    manager: EntityManager,
    reviewer: string,
    assessmentId: string,
    body: CreateReviewDto,
  ): Promise<{ review: ReviewDto; patientId: string }> {
    const assessment = await this.requireAssessment(manager, assessmentId);
    const diagnoses = assessment.diagnoses as unknown as Diagnosis[];
    const disagreements: EvidenceReference[] = (body.disagreements ?? []).map(({ label, kind, index }) => ({
      label,
      kind,
      index,
    }));
    const problems: ProblemItem[] = [];
    const seen = new Set<string>();
    disagreements.forEach((reference, i) => {
      const key = `${reference.label}/${reference.kind}/${reference.index}`;
      if (seen.has(key)) {
        problems.push({ pointer: `/disagreements/${i}`, detail: `${key} is listed twice` });
      }
      seen.add(key);
      const lookup = lookUpEvidence(diagnoses, reference);
      if (!lookup.found) problems.push({ pointer: `/disagreements/${i}`, detail: lookup.detail });
    });
    if (problems.length > 0) {
      throw new ReviewError(
        ReviewErrorCode.EvidenceNotFound,
        `${problems.length} disagreement${problems.length === 1 ? '' : 's'} do not match the stored explanation: ${problems
          .slice(0, 3)
          .map((p) => `${p.pointer} ${p.detail}`)
          .join('; ')}`,
        problems,
      );
    }
    const repository = manager.getRepository(Review);
    const review = await repository.save(
      repository.create({
        assessmentId,
        reviewer,
        verdict: body.verdict,
        comment: body.comment ?? null,
        disagreements,
      }),
    );
    // `reviewed_at` and `seq` are filled by the database; read them back as stored.
    const stored = await repository.findOneByOrFail({ id: review.id });
    return {
      review: ReviewDto.from(stored, true, (reference) => resolved(diagnoses, reference)),
      patientId: assessment.patientId,
    };
  }

  /** Every review of the assessment, newest first; the first is the one that sets the status. */
  async history(
    manager: EntityManager,
    assessmentId: string,
  ): Promise<{ history: ReviewHistoryDto; patientId: string }> {
    const assessment = await this.requireAssessment(manager, assessmentId);
    const diagnoses = assessment.diagnoses as unknown as Diagnosis[];
    const reviews = await manager.getRepository(Review).find({
      where: { assessmentId },
      order: { seq: 'DESC' },
    });
    return {
      history: {
        assessmentId,
        status: reviews[0]?.verdict ?? 'unreviewed',
        reviews: reviews.map((review, i) =>
          ReviewDto.from(review, i === 0, (reference) => resolved(diagnoses, reference)),
        ),
      },
      patientId: assessment.patientId,
    };
  }

  private async requireAssessment(manager: EntityManager, id: string): Promise<Assessment> {
    const assessment = await manager.getRepository(Assessment).findOneBy({ id });
    if (!assessment)
      throw new ReviewError(ReviewErrorCode.AssessmentNotFound, `there is no assessment ${id}`);
    return assessment;
  }
}

/** Stored references were checked when recorded and assessments never change, so they resolve. */
function resolved(diagnoses: readonly Diagnosis[], reference: EvidenceReference): Record<string, unknown> {
  const lookup = lookUpEvidence(diagnoses, reference);
  return lookup.found ? lookup.evidence : { missing: lookup.detail };
}
