import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AuditChain, CheckpointSigner } from '@mosaic/audit';
import { openDatabase, runMigrations } from '@mosaic/persistence';
import type { DatabaseSettings } from '@mosaic/persistence';
import { createTestSettings, testEngines } from '@mosaic/persistence/testing';

const run = promisify(execFile);
const MOSAIC = join(__dirname, '..', '..', 'bin', 'mosaic.js');
const KEY = 'cli-test-audit-checkpoint-key-0123456789';

async function mosaic(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MOSAIC, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.each(testEngines())('mosaic audit on %s', (engine) => {
  let settings: DatabaseSettings;
  let cleanup: () => Promise<void>;
  let env: Record<string, string>;

  async function withDatabase(
    work: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<void>,
  ): Promise<void> {
    const db = await openDatabase(settings);
    try {
      await work(db);
    } finally {
      await db.close();
    }
  }

  beforeAll(async () => {
    ({ settings, cleanup } = await createTestSettings(engine));
    env = {
      MOSAIC_DATA_DIR: settings.dataDir,
      // Empty means unset: the child must not inherit the suite's PostgreSQL URL on the PGlite run.
      DATABASE_URL: settings.databaseUrl ?? '',
      MOSAIC_AUDIT_KEY: KEY,
    };
    await withDatabase(async (db) => {
      await runMigrations(db.dataSource);
      const chain = new AuditChain(new CheckpointSigner(KEY), { checkpointEvery: 4 });
      for (let i = 0; i < 10; i += 1) {
        await db.dataSource.transaction((manager) =>
          chain.append(manager, {
            actor: 'clinician',
            role: 'clinician',
            action: 'patient.read',
            resourceType: 'Patient',
            resourceIds: [`00000000-0000-4000-8000-00000000000${i}`],
            requestId: `cli-${i}`,
          }),
        );
      }
    });
  });
  afterAll(async () => {
    await cleanup();
  });

  it('verify prints an ok report as JSON and exits 0; checkpoint signs the head once', async () => {
    const verified = await mosaic(['audit', 'verify', '--batch-size', '3'], env);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, entries: 10, head: { seq: '10' } });
    expect(verified.stderr).toContain('checked 3 entries');
    const signed = await mosaic(['audit', 'checkpoint'], env);
    expect(signed.code).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({
      created: true,
      checkpoint: { seq: '10', previousSeq: '8' },
    });
    const again = await mosaic(['audit', 'checkpoint'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: false, checkpoint: { seq: '10' } });
  });

  it('refuses to verify without the key rather than invent one, and a usage error exits 2', async () => {
    const keyless = await mosaic(['audit', 'verify'], { ...env, MOSAIC_AUDIT_KEY: '' });
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toContain('MOSAIC_AUDIT_KEY is not set');
    expect((await mosaic(['audit', 'verify', '--batch-size', '0'], env)).code).toBe(2);
  });

  it('reports checkpoints signed under another key', async () => {
    const result = await mosaic(['audit', 'verify'], { ...env, MOSAIC_AUDIT_KEY: `${KEY}-rotated` });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).checkpointFailures[0]).toMatchObject({ kind: 'signature' });
  });

  it('exits 1 naming the first broken link after tampering', async () => {
    await withDatabase(async (db) => {
      await db.dataSource.transaction(async (manager) => {
        await manager.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
        await manager.query('DELETE FROM audit_events WHERE seq = 6');
        await manager.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
      });
    });
    const result = await mosaic(['audit', 'verify'], env);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).firstBrokenLink).toMatchObject({ seq: '7', kind: 'prev_hash' });
    expect(result.stderr).toContain('broken at seq 7');
  });

  if (engine === 'pglite') {
    it('refuses clearly while another process holds the embedded database', async () => {
      await withDatabase(async () => {
        const result = await mosaic(['audit', 'verify'], env);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('--server');
      });
    });
  }
});
