import type { Command } from 'commander';
import { assertNoSchemaDrift, openDatabase, pendingSchemaChanges, runMigrations } from '@mosaic/persistence';
import { printJson, progress } from '../cli-error';
import { databaseSettingsFromEnv } from '../environment';

/** `mosaic database migrate|check` — schema management (the API also migrates at start). */
export function registerDatabaseCommands(program: Command): void {
  const database = program.command('database').description('schema migrations of the Mosaic database');

  database
    .command('migrate')
    .description('apply every pending migration (under the migration advisory lock)')
    .action(async () => {
      const db = await openDatabase(databaseSettingsFromEnv('mosaic database migrate'));
      try {
        progress(`migrating the ${db.engine} database`);
        const applied = await runMigrations(db.dataSource);
        printJson({ engine: db.engine, applied: applied.map((migration) => migration.name) });
      } finally {
        await db.close();
      }
    });

  database
    .command('check')
    .description('apply pending migrations, then fail if the entities need SQL that no migration has (drift)')
    .action(async () => {
      const db = await openDatabase(databaseSettingsFromEnv('mosaic database check'));
      try {
        await runMigrations(db.dataSource);
        const pending = await pendingSchemaChanges(db.dataSource);
        printJson({ engine: db.engine, drift: pending });
        await assertNoSchemaDrift(db.dataSource);
      } finally {
        await db.close();
      }
    });
}
