import { createHash } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Turns the audit trail into a hash chain (docs/audit.md): prev_hash and hash on every entry, signed
 * head checkpoints, and triggers that refuse UPDATE, DELETE and TRUNCATE on both tables.
 *
 * Entries written before this migration are chained here, in seq order, with the v1 canonical form
 * frozen below: a migration must mean the same thing forever, so it does not import @mosaic/audit
 * (which also depends on this package). A test checks that @mosaic/audit verifies the result.
 */
export class AuditChain1795990312679 implements MigrationInterface {
  name = 'AuditChain1795990312679';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "audit_checkpoints" ("seq" bigint NOT NULL, "head_hash" character(64) NOT NULL, "previous_seq" bigint, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "key_id" character(16) NOT NULL, "signature" character(64) NOT NULL, CONSTRAINT "pk_audit_checkpoints" PRIMARY KEY ("seq"))',
    );
    await queryRunner.query('ALTER TABLE "audit_events" ADD "prev_hash" character(64)');
    await queryRunner.query('ALTER TABLE "audit_events" ADD "hash" character(64)');
    await chainExistingEntries(queryRunner);
    await queryRunner.query('ALTER TABLE "audit_events" ALTER COLUMN "prev_hash" SET NOT NULL');
    await queryRunner.query('ALTER TABLE "audit_events" ALTER COLUMN "hash" SET NOT NULL');
    await queryRunner.query(
      'ALTER TABLE "audit_events" ADD CONSTRAINT "uq_audit_events_prev_hash" UNIQUE ("prev_hash")',
    );
    // Append-only (ARCHITECTURE.md §Audit chain). A database owner can still disable a trigger;
    // the hash chain and the signed checkpoints are what detect that.
    await queryRunner.query(`CREATE FUNCTION "audit_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$`);
    for (const table of ['audit_events', 'audit_checkpoints']) {
      await queryRunner.query(
        `CREATE TRIGGER "trg_${table}_append_only" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "audit_refuse_change"()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "trg_${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "audit_refuse_change"()`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_events', 'audit_checkpoints']) {
      await queryRunner.query(`DROP TRIGGER "trg_${table}_no_truncate" ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER "trg_${table}_append_only" ON "${table}"`);
    }
    await queryRunner.query('DROP FUNCTION "audit_refuse_change"()');
    await queryRunner.query('ALTER TABLE "audit_events" DROP CONSTRAINT "uq_audit_events_prev_hash"');
    await queryRunner.query('ALTER TABLE "audit_events" DROP COLUMN "hash"');
    await queryRunner.query('ALTER TABLE "audit_events" DROP COLUMN "prev_hash"');
    await queryRunner.query('DROP TABLE "audit_checkpoints"');
  }
}

interface LegacyRow {
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
}

/** Chains the entries that predate the chain, batch by batch, from the genesis hash (64 zeros). */
async function chainExistingEntries(queryRunner: QueryRunner): Promise<void> {
  let prevHash = '0'.repeat(64);
  let after = '0';
  for (;;) {
    const rows = (await queryRunner.query(
      `SELECT seq::text AS seq,
         to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
         actor, role, action, resource_type, to_json(resource_ids) AS resource_ids,
         patient_id::text AS patient_id, request_id, outcome
       FROM audit_events WHERE seq > $1::bigint ORDER BY audit_events.seq LIMIT 500`,
      [after],
    )) as LegacyRow[];
    if (rows.length === 0) return;
    for (const row of rows) {
      const resourceIds =
        typeof row.resource_ids === 'string' ? (JSON.parse(row.resource_ids) as string[]) : row.resource_ids;
      const hash = createHash('sha256')
        .update(prevHash, 'utf8')
        .update(canonicalEntryV1(row, resourceIds), 'utf8')
        .digest('hex');
      await queryRunner.query(
        'UPDATE "audit_events" SET "prev_hash" = $1, "hash" = $2 WHERE "seq" = $3::bigint',
        [prevHash, hash, row.seq],
      );
      prevHash = hash;
    }
    after = rows[rows.length - 1].seq;
  }
}

/**
 * RFC 8785 canonical JSON of a v1 entry. Every member is a string, null or an array of strings, so
 * canonicalisation is: members sorted by UTF-16 code units, values as JSON.stringify writes them.
 */
function canonicalEntryV1(row: LegacyRow, resourceIds: string[]): string {
  const members: Record<string, string | null | string[]> = {
    format: 'mosaic.audit-entry.v1',
    seq: row.seq,
    occurredAt: row.occurred_at,
    actor: row.actor,
    role: row.role,
    action: row.action,
    resourceType: row.resource_type,
    resourceIds,
    patientId: row.patient_id,
    requestId: row.request_id,
    outcome: row.outcome,
  };
  return `{${Object.keys(members)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(members[key])}`)
    .join(',')}}`;
}
