import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openDatabase } from '../database/data-source.factory';
import type { DatabaseEngine, DatabaseSettings, MosaicDatabase } from '../database/data-source.factory';
import { runMigrations } from '../database/migration-runner';

/**
 * The engines every integration test runs on (STYLE.md §Tests): PGlite always, and PostgreSQL when
 * DATABASE_URL is set. Each test database is new and fully migrated; a PostgreSQL one is a fresh
 * database on the DATABASE_URL server, dropped afterwards.
 */
export function testEngines(): DatabaseEngine[] {
  if (process.env.CI === 'true' && !process.env.DATABASE_URL) {
    throw new Error('CI=true but DATABASE_URL is not set: CI must test on PostgreSQL too');
  }
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase extends MosaicDatabase {
  settings: DatabaseSettings;
  dataDir: string;
}

export async function createTestSettings(
  engine: DatabaseEngine,
): Promise<{ settings: DatabaseSettings; cleanup: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mosaic-test-'));
  if (engine === 'pglite') {
    return {
      settings: { dataDir, purpose: 'test' },
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set');
  const name = `mosaic_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL at DATABASE_URL is unreachable (${(error as Error).message}); start it or unset DATABASE_URL`,
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    settings: { dataDir, databaseUrl: url.toString(), purpose: 'test', poolSize: 4 },
    cleanup: async () => {
      const dropper = new Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Opens a fresh, migrated database on the engine; `close()` also deletes it. */
export async function openTestDatabase(engine: DatabaseEngine): Promise<TestDatabase> {
  const { settings, cleanup } = await createTestSettings(engine);
  const database = await openDatabase(settings);
  await runMigrations(database.dataSource);
  return {
    ...database,
    settings,
    dataDir: settings.dataDir,
    close: async () => {
      await database.close();
      await cleanup();
    },
  };
}
