import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ReviewScopeQueryDto } from './dto/review-query.dto';
import type {
  LabelReviewSummaryDto,
  ModelVersionReviewSummaryDto,
  ReviewCountsDto,
  ReviewSummaryDto,
} from './dto/review-response.dto';
import { LATEST_VERDICT_SQL, reviewScopeFilter } from './review-scope';

interface CountRow {
  assessments: number;
  reviewed: number;
  plausible: number;
  implausible: number;
  uncertain: number;
}

/** Counts per group of `scoped` rows (s) joined with each one's latest verdict (s.verdict). */
const COUNTS_SQL = `count(*)::int AS assessments,
  count(s.verdict)::int AS reviewed,
  (count(*) FILTER (WHERE s.verdict = 'plausible'))::int AS plausible,
  (count(*) FILTER (WHERE s.verdict = 'implausible'))::int AS implausible,
  (count(*) FILTER (WHERE s.verdict = 'uncertain'))::int AS uncertain`;

/**
 * The share of plausible reviews per label and per model version. Each assessment counts once, with
 * its latest review (a later review supersedes an earlier one); an assessment counts for every label
 * above its decision threshold, so the label rows may sum to more than the assessments. The share is
 * plausible / reviewed: unreviewed assessments are counted beside it, never as implausible.
 */
@Injectable()
export class ReviewSummaryService {
  async summarise(manager: EntityManager, query: ReviewScopeQueryDto): Promise<ReviewSummaryDto> {
    const { where, params } = reviewScopeFilter(query);
    const scoped = `WITH s AS (SELECT a.id, a.model_id, a.model_version, a.diagnoses,
                                      ${LATEST_VERDICT_SQL} AS verdict
                                 FROM assessments a ${where})`;
    const perModelVersion = (await manager.query(
      `${scoped}
       SELECT s.model_id, s.model_version, ${COUNTS_SQL}
         FROM s GROUP BY s.model_id, s.model_version ORDER BY s.model_id, s.model_version`,
      params,
    )) as (CountRow & { model_id: string; model_version: string })[];
    const perLabel = (await manager.query(
      `${scoped}
       SELECT d->>'label' AS label, ${COUNTS_SQL}
         FROM s CROSS JOIN LATERAL jsonb_array_elements(s.diagnoses) d
        WHERE d @> '{"aboveThreshold": true}'::jsonb
        GROUP BY d->>'label' ORDER BY d->>'label'`,
      params,
    )) as (CountRow & { label: string })[];

    const overall = perModelVersion.reduce<CountRow>(
      (sum, row) => ({
        assessments: sum.assessments + row.assessments,
        reviewed: sum.reviewed + row.reviewed,
        plausible: sum.plausible + row.plausible,
        implausible: sum.implausible + row.implausible,
        uncertain: sum.uncertain + row.uncertain,
      }),
      { assessments: 0, reviewed: 0, plausible: 0, implausible: 0, uncertain: 0 },
    );
    const scope: Record<string, string> = {};
    for (const key of ['modelId', 'modelVersion', 'from', 'to'] as const) {
      const value = query[key];
      if (value) scope[key] = value;
    }
    return {
      scope,
      overall: withShare(overall),
      perLabel: perLabel.map((row): LabelReviewSummaryDto => ({ label: row.label, ...withShare(row) })),
      perModelVersion: perModelVersion.map((row): ModelVersionReviewSummaryDto => ({
        modelId: row.model_id,
        modelVersion: row.model_version,
        ...withShare(row),
      })),
    };
  }
}

function withShare(row: CountRow): ReviewCountsDto {
  return {
    assessments: row.assessments,
    reviewed: row.reviewed,
    plausible: row.plausible,
    implausible: row.implausible,
    uncertain: row.uncertain,
    plausibleShare: row.reviewed === 0 ? null : row.plausible / row.reviewed,
  };
}
