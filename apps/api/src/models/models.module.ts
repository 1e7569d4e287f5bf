import { Global, Module } from '@nestjs/common';
import { ModelRegistryService } from './model-registry.service';
import { ModelsController } from './models.controller';

/** The model registry, global so that readiness and assessments share one set of sessions. */
@Global()
@Module({
  controllers: [ModelsController],
  providers: [ModelRegistryService],
  exports: [ModelRegistryService],
})
export class ModelsModule {}
