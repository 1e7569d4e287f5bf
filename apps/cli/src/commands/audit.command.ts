import type { Command } from 'commander';
import { AuditChain, AuditError, CheckpointSigner, resolveAuditKey } from '@mosaic/audit';
import type { ChainVerification } from '@mosaic/audit';
import { DatabaseError, DatabaseErrorCode, openDatabase } from '@mosaic/persistence';
import type { MosaicDatabase } from '@mosaic/persistence';
import { CliError, ExitCode, printJson, progress } from '../cli-error';
import { databaseSettingsFromEnv } from '../environment';

/**
 * `mosaic audit verify|checkpoint` — the tamper-evident audit chain (docs/audit.md). Both read the
 * database directly with the checkpoint key (MOSAIC_AUDIT_KEY, or the embedded key file); `verify
 * --server` asks a running server instead, which is the only way while it holds the embedded data.
 */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('verify and checkpoint the hash-chained audit trail');

  audit
    .command('verify')
    .description('recompute every link and check every signed checkpoint; exit 1 when anything is broken')
    .option('--batch-size <n>', 'entries read per query', '1000')
    .option(
      '--server <url>',
      'ask a running server (GET /api/v1/audit/verify) with the token in MOSAIC_TOKEN',
    )
    .action(async (options: { batchSize: string; server?: string }) => {
      const batchSize = Number(options.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
        throw new CliError('--batch-size must be a whole number between 1 and 100000', ExitCode.Usage);
      }
      const report = options.server
        ? await verifyThroughServer(options.server)
        : await withChain('mosaic audit verify', (chain, db) =>
            chain.verify(db.dataSource, {
              batchSize,
              onBatch: (checked) => progress(`checked ${checked} entries`),
            }),
          );
      printJson(report);
      if (!report.ok) {
        throw new CliError(
          report.firstBrokenLink
            ? `the audit chain is broken at seq ${report.firstBrokenLink.seq} (${report.firstBrokenLink.kind})`
            : `${report.checkpointFailureCount} audit checkpoint(s) failed`,
        );
      }
    });

  audit
    .command('checkpoint')
    .description(
      'sign the current chain head now (if it moved) and print the checkpoint, e.g. to keep off-site',
    )
    .action(async () => {
      const result = await withChain('mosaic audit checkpoint', (chain, db) =>
        chain.checkpoint(db.dataSource),
      );
      printJson(result ?? { checkpoint: null, created: false, detail: 'the audit chain is empty' });
    });
}

async function withChain<T>(
  purpose: string,
  work: (chain: AuditChain, db: MosaicDatabase) => Promise<T>,
): Promise<T> {
  const settings = databaseSettingsFromEnv(purpose);
  let key: string;
  try {
    // Never generate a key here: a new key would only make every existing checkpoint fail.
    key = resolveAuditKey(process.env.MOSAIC_AUDIT_KEY || undefined, settings.dataDir, { create: false });
  } catch (error) {
    if (error instanceof AuditError) throw new CliError(error.message);
    throw error;
  }
  let db: MosaicDatabase;
  try {
    db = await openDatabase(settings);
  } catch (error) {
    if (error instanceof DatabaseError && error.code === DatabaseErrorCode.DataDirectoryLocked) {
      throw new CliError(
        `${error.message}. Use 'mosaic audit verify --server http://HOST:PORT' with MOSAIC_TOKEN set to an auditor token`,
      );
    }
    throw error;
  }
  try {
    return await work(new AuditChain(new CheckpointSigner(key)), db);
  } finally {
    await db.close();
  }
}

async function verifyThroughServer(server: string): Promise<ChainVerification> {
  const token = process.env.MOSAIC_TOKEN;
  if (!token)
    throw new CliError('--server needs MOSAIC_TOKEN (see mosaic token --user <auditor>)', ExitCode.Usage);
  let url: URL;
  try {
    url = new URL('/api/v1/audit/verify', server);
  } catch {
    throw new CliError(`--server ${server} is not a URL`, ExitCode.Usage);
  }
  progress(`asking ${url.origin} to verify the audit chain`);
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new CliError(`${url.origin} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ChainVerification;
}
