import { Global, Module } from '@nestjs/common';
import { AuditChain, CheckpointSigner, resolveAuditKey } from '@mosaic/audit';
import { AppConfig } from '../config/app-config';
import { AuditCheckpointScheduler } from './audit-checkpoint.scheduler';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

@Global()
@Module({
  controllers: [AuditController],
  providers: [
    {
      provide: AuditChain,
      inject: [AppConfig],
      // MOSAIC_AUDIT_KEY, or (embedded) a key generated once in the data directory.
      useFactory: (config: AppConfig) =>
        new AuditChain(
          new CheckpointSigner(
            resolveAuditKey(config.MOSAIC_AUDIT_KEY, config.MOSAIC_DATA_DIR, { create: true }),
          ),
        ),
    },
    AuditService,
    AuditCheckpointScheduler,
  ],
  exports: [AuditService, AuditChain],
})
export class AuditModule {}
