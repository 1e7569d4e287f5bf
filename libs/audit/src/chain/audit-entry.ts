import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical/canonical-json';

/** The prev_hash of the first entry: 64 zeros (docs/audit.md §Genesis). */
export const GENESIS_HASH = '0'.repeat(64);

/** Names the canonical form, so a future change of fields is a new format, never a silent one. */
export const AUDIT_ENTRY_FORMAT = 'mosaic.audit-entry.v1';

/**
 * The fields of an audit entry that its hash covers, every one a string (or null, or strings), so
 * the canonical form never depends on number formatting or time-zone rendering. `seq` is the
 * decimal bigint, `occurredAt` an ISO 8601 UTC instant with milliseconds (`…T12:00:00.000Z`).
 */
export interface AuditEntryFields {
  seq: string;
  occurredAt: string;
  actor: string;
  role: string;
  action: string;
  resourceType: string;
  resourceIds: string[];
  patientId: string | null;
  requestId: string;
  outcome: string;
}

/** An entry as stored: its fields and its two chain columns. */
export interface ChainedAuditEntry extends AuditEntryFields {
  prevHash: string;
  hash: string;
}

/** RFC 8785 canonical JSON of an entry: the exact text its hash covers. */
export function canonicalEntry(fields: AuditEntryFields): string {
  return canonicalJson({
    format: AUDIT_ENTRY_FORMAT,
    seq: fields.seq,
    occurredAt: fields.occurredAt,
    actor: fields.actor,
    role: fields.role,
    action: fields.action,
    resourceType: fields.resourceType,
    resourceIds: fields.resourceIds,
    patientId: fields.patientId,
    requestId: fields.requestId,
    outcome: fields.outcome,
  });
}

/**
 * hash = sha256(prevHash ‖ JCS(entry)) (ARCHITECTURE.md §Audit chain): the UTF-8 bytes of the
 * previous hash in lowercase hex, immediately followed by the UTF-8 bytes of the canonical JSON.
 * Hex rather than raw bytes so that `printf '%s%s' "$prev" "$json" | sha256sum` reproduces it.
 */
export function chainHash(prevHash: string, fields: AuditEntryFields): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalEntry(fields), 'utf8').digest('hex');
}

/**
 * The SELECT list that reads an entry back in exactly the textual form it was hashed in, the same
 * on PGlite and PostgreSQL whatever the session time zone or driver type parsers. Order by
 * `audit_events.seq`: a bare `seq` in ORDER BY names the text alias and sorts "10" before "9".
 */
export const AUDIT_ENTRY_COLUMNS = `seq::text AS seq,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
  actor, role, action, resource_type, to_json(resource_ids) AS resource_ids,
  patient_id::text AS patient_id, request_id, outcome, prev_hash, hash`;

export interface AuditEntryRow {
  seq: string;
  occurred_at: string;
  actor: string;
  role: string;
  action: string;
  resource_type: string;
  resource_ids: string[] | string;
  patient_id: string | null;
  request_id: string;
  outcome: string;
  prev_hash: string | null;
  hash: string | null;
}

export function entryFromRow(row: AuditEntryRow): ChainedAuditEntry {
  return {
    seq: row.seq,
    occurredAt: row.occurred_at,
    actor: row.actor,
    role: row.role,
    action: row.action,
    resourceType: row.resource_type,
    // Drivers parse json columns; a driver that does not hands over the text.
    resourceIds:
      typeof row.resource_ids === 'string' ? (JSON.parse(row.resource_ids) as string[]) : row.resource_ids,
    patientId: row.patient_id,
    requestId: row.request_id,
    outcome: row.outcome,
    prevHash: row.prev_hash ?? '',
    hash: row.hash ?? '',
  };
}
