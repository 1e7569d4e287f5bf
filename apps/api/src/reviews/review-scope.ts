import { RequestError, RequestErrorCode } from '../common/errors/request.errors';
import type { ReviewListQueryDto, ReviewScopeQueryDto } from './dto/review-query.dto';

/** A WHERE clause over `assessments a` with its positional parameters. */
export interface SqlFilter {
  where: string;
  params: unknown[];
}

/** The latest review's verdict of assessment `a` (the highest seq), or NULL when unreviewed. */
export const LATEST_VERDICT_SQL =
  '(SELECT r.verdict FROM reviews r WHERE r.assessment_id = a.id ORDER BY r.seq DESC LIMIT 1)';

/**
 * Translates the list and summary filters into SQL on both engines (plain PostgreSQL: PGlite is
 * PostgreSQL too). `label` matches when the label is among the diagnoses above their decision
 * threshold — the labels the model asserted, which are what a reviewer judges; jsonb containment
 * keeps it one expression.
 */
export function reviewScopeFilter(query: ReviewScopeQueryDto & Partial<ReviewListQueryDto>): SqlFilter {
  if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to)) {
    throw new RequestError(
      RequestErrorCode.ValidationFailed,
      'from must be before to: the range is [from, to)',
      [{ pointer: '/to', detail: `to (${query.to}) must be after from (${query.from})` }],
    );
  }
  const conditions: string[] = [];
  const params: unknown[] = [];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.modelId) conditions.push(`a.model_id = ${bind(query.modelId)}`);
  if (query.modelVersion) conditions.push(`a.model_version = ${bind(query.modelVersion)}`);
  if (query.from) conditions.push(`a.assessed_at >= ${bind(query.from)}`);
  if (query.to) conditions.push(`a.assessed_at < ${bind(query.to)}`);
  if (query.label) {
    conditions.push(
      `a.diagnoses @> ${bind(JSON.stringify([{ label: query.label, aboveThreshold: true }]))}::jsonb`,
    );
  }
  if (query.reviewStatus === 'unreviewed') {
    conditions.push('NOT EXISTS (SELECT 1 FROM reviews r WHERE r.assessment_id = a.id)');
  } else if (query.reviewStatus) {
    conditions.push(`${LATEST_VERDICT_SQL} = ${bind(query.reviewStatus)}`);
  }
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** pg returns timestamptz as Date; normalise whatever the driver returns to ISO 8601 UTC. */
export function isoInstant(value: Date | string): string {
  return new Date(value).toISOString();
}
