import { Role } from '@mosaic/domain';
import { testEngines } from '@mosaic/persistence/testing';
import { startTestApp } from './support/test-app';
import type { TestApp } from './support/test-app';

describe.each(testEngines())('authentication on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a wrong password with 401 problem+json, the same as an unknown user', async () => {
    const wrong = await t.http.post('/api/v1/auth/token').send({ username: 'admin', password: 'not-it' });
    const unknown = await t.http.post('/api/v1/auth/token').send({ username: 'nobody', password: 'not-it' });
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    }
  });

  it('refuses a forged token', async () => {
    const [header, payload] = t.tokens[Role.Admin].split('.');
    const response = await t.http
      .get('/api/v1/users')
      .set('Authorization', `Bearer ${header}.${payload}.AAAA`);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('INVALID_TOKEN');
  });

  it('lets an admin create a user, refuses a duplicate with 409, and stores only a scrypt hash', async () => {
    const body = { username: 'dr.lee', password: 'correct horse battery', roles: [Role.Clinician] };
    const created = await t.http.post('/api/v1/users').set('Authorization', t.auth(Role.Admin)).send(body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'dr.lee', roles: ['clinician'] });
    expect(created.body).not.toHaveProperty('passwordHash');
    const again = await t.http.post('/api/v1/users').set('Authorization', t.auth(Role.Admin)).send(body);
    expect(again.status).toBe(409);
    const { DataSource } = await import('typeorm');
    const rows = await t.app
      .get(DataSource)
      .query('SELECT password_hash FROM users WHERE username = $1', ['dr.lee']);
    expect(rows[0].password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(rows[0].password_hash).not.toContain('correct horse');
  });

  it('rejects unknown and invalid fields with a field-level 400', async () => {
    const response = await t.http
      .post('/api/v1/users')
      .set('Authorization', t.auth(Role.Admin))
      .send({ username: 'ok-name', password: 'short', roles: ['nurse'], shoeSize: 44 });
    expect(response.status).toBe(400);
    const pointers = (response.body.errors as { pointer: string }[]).map((error) => error.pointer).sort();
    expect(pointers).toEqual(['/password', '/roles', '/shoeSize']);
  });

  it('audits user creation with actor, role and request id', async () => {
    const response = await t.http
      .post('/api/v1/users')
      .set('Authorization', t.auth(Role.Admin))
      .set('X-Request-Id', 'req-audit-1')
      .send({ username: 'auditee', password: 'another long password', roles: [Role.Auditor] });
    expect(response.status).toBe(201);
    const trail = await t.http.get('/api/v1/audit/events').set('Authorization', t.auth(Role.Auditor));
    expect(trail.status).toBe(200);
    expect(trail.body.items).toContainEqual(
      expect.objectContaining({
        actor: 'admin',
        role: 'admin',
        action: 'user.create',
        resourceIds: [response.body.id],
        requestId: 'req-audit-1',
      }),
    );
  });
});
