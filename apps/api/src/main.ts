import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.PORT);
  process.stderr.write(
    `Mosaic API listening on http://localhost:${config.PORT} (OpenAPI: http://localhost:${config.PORT}/api/docs, database: ${
      config.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite in ${config.MOSAIC_DATA_DIR}`
    })\n`,
  );
}

bootstrap().catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`mosaic api: failed to start: ${message}\n`);
  process.exit(1);
});
