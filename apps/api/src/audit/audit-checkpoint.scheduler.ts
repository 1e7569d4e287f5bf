import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditChain } from '@mosaic/audit';

/** How often the head is signed when it has moved, besides every N-th entry (docs/audit.md). */
export const CHECKPOINT_INTERVAL_MS = 5 * 60 * 1000;

/**
 * Signs the chain head at start-up, every five minutes and at shutdown, each time only if it moved:
 * entries after the last N-th-entry checkpoint are then attested within minutes rather than after
 * up to N-1 more requests.
 */
@Injectable()
export class AuditCheckpointScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpoints');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly chain: AuditChain,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.checkpoint('start-up');
    this.timer = setInterval(() => void this.checkpoint('periodic'), CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.checkpoint('shutdown');
  }

  private async checkpoint(reason: string): Promise<void> {
    try {
      const result = await this.chain.checkpoint(this.dataSource);
      if (result?.created) this.logger.log({ seq: result.checkpoint.seq, reason }, 'audit checkpoint signed');
    } catch (error) {
      // A missed checkpoint weakens nothing already signed; the next one covers the same entries.
      this.logger.error({ err: error, reason }, 'audit checkpoint failed');
    }
  }
}
