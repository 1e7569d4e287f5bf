import type { DataSource } from 'typeorm';
import { AUDIT_ENTRY_COLUMNS, entryFromRow } from '../chain/audit-entry';
import type { AuditEntryRow, ChainedAuditEntry } from '../chain/audit-entry';

export interface AuditEntryRange {
  /** Inclusive ISO 8601 instant. */
  from?: string;
  /** Exclusive ISO 8601 instant. */
  to?: string;
  /** Continue after this seq (paging). */
  afterSeq?: string;
  limit: number;
}

/** One page of chained entries in seq order, the total in the time range, and whether more follow. */
export async function readAuditEntries(
  dataSource: DataSource,
  range: AuditEntryRange,
): Promise<{ entries: ChainedAuditEntry[]; total: number; more: boolean }> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (range.from) {
    params.push(range.from);
    conditions.push(`occurred_at >= $${params.length}::timestamptz`);
  }
  if (range.to) {
    params.push(range.to);
    conditions.push(`occurred_at < $${params.length}::timestamptz`);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const [{ total }] = (await dataSource.query(
    `SELECT count(*)::int AS total FROM audit_events ${where}`,
    params,
  )) as { total: number }[];
  params.push(range.afterSeq ?? '0');
  const afterCondition = `seq > $${params.length}::bigint`;
  params.push(range.limit + 1);
  const rows = (await dataSource.query(
    `SELECT ${AUDIT_ENTRY_COLUMNS} FROM audit_events
     ${where ? `${where} AND ${afterCondition}` : `WHERE ${afterCondition}`}
     ORDER BY audit_events.seq LIMIT $${params.length}`,
    params,
  )) as AuditEntryRow[];
  return {
    entries: rows.slice(0, range.limit).map(entryFromRow),
    total,
    more: rows.length > range.limit,
  };
}
