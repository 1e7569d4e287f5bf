import type { DataSource, Migration } from 'typeorm';
import { MigrationExecutor } from 'typeorm/migration/MigrationExecutor';
import { DatabaseError, DatabaseErrorCode } from './database.errors';

/**
 * Arbitrary but fixed key for pg_advisory_lock, so that replicas starting together run migrations
 * one at a time (ARCHITECTURE.md §Stateless replicas). ASCII "MOSAICMG".
 */
export const MIGRATION_LOCK_KEY = '5570426475616216903';

/** Runs every pending migration while holding the migration advisory lock. */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      // The migrations run on the session that holds the lock: PGlite has only that one session.
      const executor = new MigrationExecutor(dataSource, lockRunner);
      executor.transaction = 'each';
      return await executor.executePendingMigrations();
    } finally {
      await lockRunner.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  } finally {
    await lockRunner.release();
  }
}

/**
 * The SQL TypeORM would generate to bring the schema in line with the entities. Empty when the
 * migrations and entities agree; anything else is drift and fails CI.
 */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}

export async function assertNoSchemaDrift(dataSource: DataSource): Promise<void> {
  const pending = await pendingSchemaChanges(dataSource);
  if (pending.length > 0) {
    throw new DatabaseError(
      DatabaseErrorCode.SchemaDrift,
      `entities and migrations have drifted; a new migration is needed for:\n${pending.join(';\n')}`,
    );
  }
}
