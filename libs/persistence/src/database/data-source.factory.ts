import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '@mosaic/migrations';
import { ENTITIES } from '../entities';
import { acquireOwnerLock, createPGliteDriver } from './pglite-session';
import type { OwnerLock } from './pglite-session';

export type DatabaseEngine = 'pglite' | 'postgres';

export interface DatabaseSettings {
  /** PostgreSQL connection string; when absent the embedded PGlite engine is used. */
  databaseUrl?: string;
  /** Holds the PGlite data (pglite/) and the owner lock; the blob store lives beside it. */
  dataDir: string;
  /** Recorded in the owner lock so a refused second process can say who holds the data. */
  purpose?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

export interface MosaicDatabase {
  dataSource: DataSource;
  engine: DatabaseEngine;
  /** Destroys the DataSource and releases the embedded owner lock. */
  close(): Promise<void>;
}

/**
 * The one DataSource factory (ARCHITECTURE.md §Persistence): PostgreSQL through `pg` whenever
 * DATABASE_URL is set, otherwise embedded PGlite in `<dataDir>/pglite`. synchronize is always false:
 * the schema changes only through migrations.
 */
export function createDataSourceOptions(settings: DatabaseSettings): {
  options: DataSourceOptions;
  engine: DatabaseEngine;
} {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  if (settings.databaseUrl) {
    return {
      engine: 'postgres',
      options: {
        ...common,
        url: settings.databaseUrl,
        extra: { max: settings.poolSize ?? 10 },
        applicationName: 'mosaic',
      },
    };
  }
  return {
    engine: 'pglite',
    options: {
      ...common,
      driver: createPGliteDriver(join(resolve(settings.dataDir), 'pglite')),
      // PGlite ships gen_random_uuid() (PostgreSQL ≥ 13) and cannot install extensions.
      uuidExtension: 'pgcrypto',
      installExtensions: false,
    },
  };
}

export async function openDatabase(settings: DatabaseSettings): Promise<MosaicDatabase> {
  const { options, engine } = createDataSourceOptions(settings);
  let lock: OwnerLock | undefined;
  if (engine === 'pglite') lock = acquireOwnerLock(resolve(settings.dataDir), settings.purpose ?? 'mosaic');
  const dataSource = new DataSource(options);
  try {
    await dataSource.initialize();
  } catch (error) {
    lock?.release();
    throw error;
  }
  return {
    dataSource,
    engine,
    close: async () => {
      try {
        if (dataSource.isInitialized) await dataSource.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}
