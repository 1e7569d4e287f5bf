import type { DatabaseSettings } from '@mosaic/persistence';

/**
 * The CLI reads the same environment variables as the API server (README §Configuration), so a
 * command run beside the server talks to the same database and data directory.
 */
export function databaseSettingsFromEnv(
  purpose: string,
  env: NodeJS.ProcessEnv = process.env,
): DatabaseSettings {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.MOSAIC_DATA_DIR || './var',
    purpose,
  };
}
