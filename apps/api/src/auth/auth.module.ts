import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { resolveSigningKey } from './signing-key';
import { TokenService } from './token.service';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: resolveSigningKey(config.MOSAIC_JWT_SECRET, config.MOSAIC_DATA_DIR),
        signOptions: { algorithm: 'HS256', issuer: 'mosaic' },
        verifyOptions: { issuer: 'mosaic' },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [TokenService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokenService],
})
export class AuthModule {}
