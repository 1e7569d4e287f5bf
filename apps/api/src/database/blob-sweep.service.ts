import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BLOB_STORE, sweepOrphanBlobs } from '@mosaic/persistence';
import type { BlobStore } from '@mosaic/persistence';

/** How often, and after how long an unreferenced blob counts as an orphan (longer than any upload). */
const SWEEP_INTERVAL_MS = 60 * 60_000;
const ORPHAN_GRACE_MS = 60 * 60_000;

/**
 * Removes blobs left by rolled-back uploads, once an hour. Every replica may run it: deleting an
 * orphan twice is harmless, and the grace period protects uploads still in their transaction.
 */
@Injectable()
export class BlobSweepService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BlobSweepService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<void> {
    try {
      const { examined, removed } = await sweepOrphanBlobs(this.dataSource, this.blobs, {
        graceMs: ORPHAN_GRACE_MS,
      });
      if (removed.length > 0) this.logger.log({ examined, removed: removed.length }, 'removed orphan blobs');
    } catch (error) {
      this.logger.warn({ err: error }, 'orphan blob sweep failed; it will run again');
    }
  }
}
