import { createTestSettings, openTestDatabase, testEngines } from '../testing';
import { MIGRATIONS } from '@mosaic/migrations';
import { openDatabase } from './data-source.factory';
import { pendingSchemaChanges, runMigrations } from './migration-runner';

describe.each(testEngines())('migrations on %s', (engine) => {
  it('applies every migration and leaves nothing for TypeORM to generate (no entity drift)', async () => {
    const database = await openTestDatabase(engine);
    try {
      const applied = await database.dataSource.query('SELECT name FROM schema_migrations ORDER BY id');
      expect(applied.map((row: { name: string }) => row.name)).toEqual(
        MIGRATIONS.map((migration) => migration.name),
      );
      expect(await pendingSchemaChanges(database.dataSource)).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('is a no-op when run a second time', async () => {
    const database = await openTestDatabase(engine);
    try {
      expect(await runMigrations(database.dataSource)).toEqual([]);
    } finally {
      await database.close();
    }
  });
});

// Replicas share a server only on PostgreSQL; PGlite is single-process by design (owner lock).
if (testEngines().includes('postgres')) {
  describe('migrations under concurrent start (PostgreSQL advisory lock)', () => {
    it('two processes migrating the same database at once both succeed, and each migration runs once', async () => {
      const { settings, cleanup } = await createTestSettings('postgres');
      const [a, b] = await Promise.all([openDatabase(settings), openDatabase(settings)]);
      try {
        const results = await Promise.all([runMigrations(a.dataSource), runMigrations(b.dataSource)]);
        expect(results.map((r) => r.length).sort()).toEqual([0, MIGRATIONS.length]);
        const rows = await a.dataSource.query('SELECT count(*)::int AS n FROM schema_migrations');
        expect(rows[0].n).toBe(MIGRATIONS.length);
      } finally {
        await a.close();
        await b.close();
        await cleanup();
      }
    });
  });
}
