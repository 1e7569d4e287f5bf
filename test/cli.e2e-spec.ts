import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testEngines } from '@mosaic/persistence/testing';
import { startTestApp } from './support/test-app';
import type { TestApp } from './support/test-app';

const run = promisify(execFile);
const MOSAIC = join(__dirname, '..', 'bin', 'mosaic.js');

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

describe.each(testEngines())('mosaic CLI against a running server on %s', (engine) => {
  let t: TestApp;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await startTestApp(engine);
    env = {
      MOSAIC_DATA_DIR: t.config.MOSAIC_DATA_DIR,
      MOSAIC_JWT_SECRET: t.config.MOSAIC_JWT_SECRET ?? '',
      // Empty means unset: the child must not inherit the suite's PostgreSQL URL on the PGlite run.
      DATABASE_URL: t.config.DATABASE_URL ?? '',
    };
  });
  afterAll(async () => {
    await t.close();
  });

  it('mosaic token mints a token the server accepts, JSON on stdout', async () => {
    const result = await mosaic(['token', '--user', 'auditor'], env);
    expect(result.code).toBe(0);
    const { access_token: token } = JSON.parse(result.stdout) as { access_token: string };
    const response = await t.http.get('/api/v1/audit/events').set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(200);
  });

  it('a minted token carries no roles: the server applies the user’s own (auditor cannot manage users)', async () => {
    const result = await mosaic(['token', '--user', 'auditor'], env);
    const { access_token: token } = JSON.parse(result.stdout) as { access_token: string };
    const response = await t.http.get('/api/v1/users').set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(403);
  });

  it('a usage error exits 2 and names the missing option', async () => {
    const result = await mosaic(['token'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--user <name>'");
  });

  if (engine === 'pglite') {
    it('refuses to migrate the embedded database while the server owns it, and says why', async () => {
      const result = await mosaic(['database', 'migrate'], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/in use by process \d+ \(api server\)/);
    });
  } else {
    it('mosaic token refuses an unknown user with exit 1', async () => {
      const result = await mosaic(['token', '--user', 'nobody'], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("no user named 'nobody'");
    });
  }
});
