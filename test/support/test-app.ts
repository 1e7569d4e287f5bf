import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { Role } from '@mosaic/domain';
import type { DatabaseEngine } from '@mosaic/persistence';
import { createTestSettings } from '@mosaic/persistence/testing';
import { createApp } from '../../apps/api/src/app.factory';
import { loadConfig } from '../../apps/api/src/config/app-config';
import type { AppConfig } from '../../apps/api/src/config/app-config';

export type RoleTokens = Record<Role, string>;

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  engine: DatabaseEngine;
  http: TestAgent;
  /** A bearer token for one user per role (user names: clinician, auditor, integration, admin). */
  tokens: RoleTokens;
  /** `Authorization` header value for a role. */
  auth(role: Role): string;
  close(): Promise<void>;
}

/**
 * Starts the real Nest application on a fresh, migrated database of the given engine, with one user
 * per role. End-to-end tests drive it through HTTP only (supertest), as a client would.
 */
export async function startTestApp(
  engine: DatabaseEngine,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const { settings, cleanup } = await createTestSettings(engine);
  const config = loadConfig({
    MOSAIC_DATA_DIR: settings.dataDir,
    ...(settings.databaseUrl ? { DATABASE_URL: settings.databaseUrl } : {}),
    LOG_LEVEL: 'silent',
    MOSAIC_JWT_SECRET: 'test-signing-key-that-is-at-least-32-characters',
    ...env,
  });
  let printed = '';
  const app = await createApp(config, { printSecret: (message) => (printed += message) });
  await app.init();
  const http = request(app.getHttpServer());

  const adminPassword = /password: (\S+)/.exec(printed)?.[1];
  if (!adminPassword) throw new Error('the first start did not print an admin password');
  const login = async (username: string, password: string): Promise<string> => {
    const response = await http.post('/api/v1/auth/token').send({ username, password }).expect(200);
    return response.body.access_token as string;
  };
  const tokens = { [Role.Admin]: await login('admin', adminPassword) } as RoleTokens;
  for (const role of [Role.Clinician, Role.Auditor, Role.Integration]) {
    const password = `${role}-password-for-tests`;
    await http
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${tokens[Role.Admin]}`)
      .send({ username: role, password, roles: [role] })
      .expect(201);
    tokens[role] = await login(role, password);
  }
  return {
    app,
    config,
    engine,
    http,
    tokens,
    auth: (role) => `Bearer ${tokens[role]}`,
    close: async () => {
      await app.close();
      await cleanup();
    },
  };
}
