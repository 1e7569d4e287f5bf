import { json } from 'express';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { createValidationPipe } from './common/validation/validation.pipe';
import type { AppConfig } from './config/app-config';
import { UsersService } from './users/users.service';

export const API_PREFIX = 'api/v1';

export interface CreateAppOptions {
  /** Where the first admin's password is printed; the console by default. */
  printSecret?: (message: string) => void;
}

/** Builds the configured Nest application (used by main.ts and by the end-to-end tests). */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
    // Throw instead of exiting the process on a wiring error, so tests and callers see the cause.
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  // 10,000 vitals in one batch is about 1.5 MB of JSON.
  app.use(json({ limit: '20mb', type: ['application/json', 'application/fhir+json'] }));
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(createValidationPipe());
  app.disable('x-powered-by');

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Mosaic API')
      .setDescription(
        'Multimodal clinical decision support: ingest notes, DICOM images and vital signs. Demonstration models are NOT FOR CLINICAL USE.',
      )
      .setVersion('v1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });

  if (config.MOSAIC_BOOTSTRAP_ADMIN) {
    await app
      .get(UsersService)
      .bootstrapAdmin(options.printSecret ?? ((message) => process.stdout.write(`${message}\n`)));
  }
  return app;
}
