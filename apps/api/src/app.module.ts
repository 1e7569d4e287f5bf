import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { LoggingModule } from './common/logging/logging.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { INGESTION_MODULES } from './ingestion.modules';
import { ReviewsModule } from './reviews/reviews.module';
import { UsersModule } from './users/users.module';

/**
 * The API's composition root. Cross-cutting behaviour is registered once here or in `configureApp`:
 * the exception filter and the auth guard (AuthModule) globally, the ValidationPipe in main.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule,
        AuditModule,
        AuthModule,
        UsersModule,
        HealthModule,
        ...INGESTION_MODULES,
        ReviewsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
