import { join, resolve } from 'node:path';
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BLOB_STORE, FilesystemBlobStore, openDatabase, runMigrations } from '@mosaic/persistence';
import type { MosaicDatabase } from '@mosaic/persistence';
import { AppConfig } from '../config/app-config';
import { BlobSweepService } from './blob-sweep.service';

export const MOSAIC_DATABASE = Symbol('MOSAIC_DATABASE');

/**
 * Opens the database (PGlite or PostgreSQL), applies pending migrations under the advisory lock,
 * and provides the DataSource and the blob store to every module.
 */
@Global()
@Module({
  providers: [
    {
      provide: MOSAIC_DATABASE,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<MosaicDatabase> => {
        const database = await openDatabase({
          databaseUrl: config.DATABASE_URL,
          dataDir: config.MOSAIC_DATA_DIR,
          purpose: 'api server',
        });
        try {
          await runMigrations(database.dataSource);
        } catch (error) {
          await database.close();
          throw error;
        }
        return database;
      },
    },
    {
      provide: DataSource,
      inject: [MOSAIC_DATABASE],
      useFactory: (database: MosaicDatabase) => database.dataSource,
    },
    {
      provide: BLOB_STORE,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new FilesystemBlobStore(join(resolve(config.MOSAIC_DATA_DIR), 'blobs')),
    },
    BlobSweepService,
  ],
  exports: [MOSAIC_DATABASE, DataSource, BLOB_STORE],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(MOSAIC_DATABASE) private readonly database: MosaicDatabase) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}
