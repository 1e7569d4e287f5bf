import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Page } from '../patients/dto/paging.dto';
import type { ReviewListQueryDto, ReviewStatus } from './dto/review-query.dto';
import type { ReviewableAssessmentDto, ReviewableDiagnosisDto } from './dto/review-response.dto';
import { isoInstant, reviewScopeFilter } from './review-scope';

interface WorklistRow {
  id: string;
  patient_id: string;
  assessed_at: Date | string;
  as_of: Date | string;
  model_id: string;
  model_version: string;
  diagnoses: ReviewableDiagnosisDto[];
  review_count: number;
  latest_id: string | null;
  latest_verdict: Exclude<ReviewStatus, 'unreviewed'> | null;
  latest_reviewer: string | null;
  latest_reviewed_at: Date | string | null;
}

/**
 * The auditor's work list: assessments across patients, newest first, with each one's review
 * status (its latest review). Only the ranked labels and probabilities are read from the stored
 * diagnoses, not the explanation payloads.
 */
@Injectable()
export class ReviewWorklistService {
  async list(manager: EntityManager, query: ReviewListQueryDto): Promise<Page<ReviewableAssessmentDto>> {
    const { where, params } = reviewScopeFilter(query);
    const [{ total }] = (await manager.query(
      `SELECT count(*)::int AS total FROM assessments a ${where}`,
      params,
    )) as { total: number }[];
    const rows = (await manager.query(
      `SELECT a.id, a.patient_id, a.assessed_at, a.as_of, a.model_id, a.model_version,
              (SELECT jsonb_agg(jsonb_build_object('rank', d->'rank', 'label', d->'label',
                        'probability', d->'probability', 'aboveThreshold', d->'aboveThreshold')
                        ORDER BY (d->>'rank')::int)
                 FROM jsonb_array_elements(a.diagnoses) d) AS diagnoses,
              (SELECT count(*)::int FROM reviews r WHERE r.assessment_id = a.id) AS review_count,
              latest.id AS latest_id, latest.verdict AS latest_verdict,
              latest.reviewer AS latest_reviewer, latest.reviewed_at AS latest_reviewed_at
         FROM assessments a
         LEFT JOIN LATERAL (SELECT r.id, r.verdict, r.reviewer, r.reviewed_at FROM reviews r
                             WHERE r.assessment_id = a.id ORDER BY r.seq DESC LIMIT 1) latest ON true
         ${where}
        ORDER BY a.assessed_at DESC, a.id ASC
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    )) as WorklistRow[];
    return { items: rows.map(toDto), total, limit: query.limit, offset: query.offset };
  }
}

function toDto(row: WorklistRow): ReviewableAssessmentDto {
  const diagnoses = row.diagnoses ?? [];
  return {
    id: row.id,
    patientId: row.patient_id,
    assessedAt: isoInstant(row.assessed_at),
    asOf: isoInstant(row.as_of),
    modelId: row.model_id,
    modelVersion: row.model_version,
    notForClinicalUse: true,
    labelsAboveThreshold: diagnoses.filter((d) => d.aboveThreshold).map((d) => d.label),
    topDiagnoses: diagnoses.slice(0, 3),
    review: {
      status: row.latest_verdict ?? 'unreviewed',
      reviewCount: row.review_count,
      latest:
        row.latest_id && row.latest_verdict && row.latest_reviewer && row.latest_reviewed_at
          ? {
              id: row.latest_id,
              verdict: row.latest_verdict,
              reviewer: row.latest_reviewer,
              reviewedAt: isoInstant(row.latest_reviewed_at),
            }
          : null,
    },
  };
}
