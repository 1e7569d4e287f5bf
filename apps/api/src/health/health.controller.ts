import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { HealthCheckResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { Public } from '../auth/authorize.decorator';
import { ModelRegistryService } from '../models/model-registry.service';

/** Liveness and readiness probes (no token; they reveal no data). */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly models: ModelRegistryService,
  ) {}

  /** The process is up and its event loop turns. */
  @Get('live')
  @Public()
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** The process can serve: the database answers and the active model is loaded and warm. */
  @Get('ready')
  @Public()
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('database');
        try {
          await this.dataSource.query('SELECT 1');
          return indicator.up({
            engine:
              'driver' in this.dataSource.options && this.dataSource.options.driver ? 'pglite' : 'postgres',
          });
        } catch (error) {
          return indicator.down({ message: (error as Error).message });
        }
      },
      () => {
        const model = this.models.readiness();
        const indicator = this.indicators.check('model');
        const details = { state: model.state, modelId: model.modelId, version: model.version };
        return model.ready ? indicator.up(details) : indicator.down({ ...details, message: model.problem });
      },
    ]);
  }
}
