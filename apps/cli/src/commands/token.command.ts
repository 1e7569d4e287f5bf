import type { Command } from 'commander';
import { BearerTokens, resolveSigningKey } from '@mosaic/auth';
import { DatabaseError, DatabaseErrorCode, openDatabase, User } from '@mosaic/persistence';
import { CliError, ExitCode, printJson, progress } from '../cli-error';
import { databaseSettingsFromEnv } from '../environment';

/**
 * `mosaic token --user NAME`: mints a bearer token on the server's host, signed with the server's
 * key (MOSAIC_JWT_SECRET, or the key kept in the data directory). Tokens carry only the user name;
 * the server checks the user and its roles on every request.
 */
export function registerTokenCommands(program: Command): void {
  program
    .command('token')
    .description("mint a bearer token for an existing user with the server's signing key")
    .requiredOption('--user <name>', 'user name')
    .option('--ttl <seconds>', 'lifetime in seconds', '28800')
    .action(async (options: { user: string; ttl: string }) => {
      const ttl = Number(options.ttl);
      if (!Number.isInteger(ttl) || ttl < 60 || ttl > 7 * 24 * 3600) {
        throw new CliError('--ttl must be a whole number of seconds between 60 and 604800', ExitCode.Usage);
      }
      const settings = databaseSettingsFromEnv('mosaic token');
      await assertUserExists(settings, options.user);
      const key = resolveSigningKey(process.env.MOSAIC_JWT_SECRET || undefined, settings.dataDir);
      const token = new BearerTokens(key).issue(options.user, ttl);
      printJson({ user: options.user, access_token: token, token_type: 'Bearer', expires_in: ttl });
    });
}

async function assertUserExists(
  settings: ReturnType<typeof databaseSettingsFromEnv>,
  username: string,
): Promise<void> {
  let db;
  try {
    db = await openDatabase(settings);
  } catch (error) {
    if (error instanceof DatabaseError && error.code === DatabaseErrorCode.DataDirectoryLocked) {
      // The running server owns the embedded database; it checks the user on every request anyway.
      progress(
        'the server holds the embedded database, so the user was not looked up; the server checks it on use',
      );
      return;
    }
    throw error;
  }
  try {
    const user = await db.dataSource.getRepository(User).findOneBy({ username });
    if (!user)
      throw new CliError(`no user named '${username}'; an admin creates users with POST /api/v1/users`);
    if (user.disabled) throw new CliError(`user '${username}' is disabled`);
  } finally {
    await db.close();
  }
}
