import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';
import { loadDemoData } from './demo/demo-data.loader';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.PORT);
  process.stderr.write(
    `Mosaic API listening on http://localhost:${config.PORT} (OpenAPI: http://localhost:${config.PORT}/api/docs, database: ${
      config.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite in ${config.MOSAIC_DATA_DIR}`
    })\n`,
  );
  if (config.MOSAIC_DEMO && !config.DATABASE_URL) {
    // In the background: the API serves while the demo cohort is ingested and assessed.
    loadDemoData(app, {
      patients: config.MOSAIC_DEMO_PATIENTS,
      apiUrl: `http://127.0.0.1:${config.PORT}/api/v1`,
    }).catch((error: unknown) =>
      process.stderr.write(`mosaic api: demo data not loaded: ${(error as Error).message}\n`),
    );
  }
}

bootstrap().catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`mosaic api: failed to start: ${message}\n`);
  process.exit(1);
});
