import { Role } from '@mosaic/domain';
import { testEngines } from '@mosaic/persistence/testing';
import { DataSource } from 'typeorm';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';

const API = '/api/v1';

describe.each(testEngines())('audit chain through the API on %s', (engine) => {
  let t: TestApp;
  let dataSource: DataSource;
  const patientIds: string[] = [];

  beforeAll(async () => {
    t = await startTestApp(engine, { MOSAIC_AUDIT_KEY: 'e2e-audit-checkpoint-key-0123456789abcdef' });
    dataSource = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t.close();
  });

  it('chains many parallel audited requests into one valid chain, one entry per request', async () => {
    const [{ count: before }] = await dataSource.query('SELECT count(*)::int AS count FROM audit_events');
    const creates = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        t.http
          .post(`${API}/patients`)
          .set('Authorization', t.auth(Role.Integration))
          .send({ name: { family: `Parallel${i}` }, identifiers: [{ value: `AUD-${i}` }] }),
      ),
    );
    expect(creates.map((response) => response.status)).toEqual(Array(24).fill(201));
    patientIds.push(...creates.map((response) => response.body.id as string));
    const reads = await Promise.all([
      ...patientIds.map((id) =>
        t.http.get(`${API}/patients/${id}`).set('Authorization', t.auth(Role.Clinician)),
      ),
      t.http.get(`${API}/patients`).set('Authorization', t.auth(Role.Clinician)),
    ]);
    expect(reads.every((response) => response.status === 200)).toBe(true);

    const [{ count: after }] = await dataSource.query('SELECT count(*)::int AS count FROM audit_events');
    // 24 creates + 24 reads + 1 search: the search of many patients is one entry.
    expect(after - before).toBe(49);
    const verify = await t.http.get(`${API}/audit/verify`).set('Authorization', t.auth(Role.Auditor));
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({
      ok: true,
      entries: after,
      brokenLinks: 0,
      checkpointFailureCount: 0,
    });
    const [{ forks }] = await dataSource.query(
      'SELECT count(*)::int - count(DISTINCT prev_hash)::int AS forks FROM audit_events',
    );
    expect(forks).toBe(0);
  });

  it('lets only audit readers verify and export', async () => {
    for (const role of [Role.Clinician, Role.Integration]) {
      expect((await t.http.get(`${API}/audit/verify`).set('Authorization', t.auth(role))).status).toBe(403);
      expect((await t.http.get(`${API}/audit/fhir`).set('Authorization', t.auth(role))).status).toBe(403);
    }
    expect((await t.http.get(`${API}/audit/verify`)).status).toBe(401);
    expect((await t.http.get(`${API}/audit/verify`).set('Authorization', t.auth(Role.Admin))).status).toBe(
      200,
    );
  });

  it('exports a FHIR R4 searchset of BALP-shaped AuditEvents carrying the chain hash', async () => {
    const id = patientIds[0];
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const response = await t.http
      .get(`${API}/audit/fhir`)
      .query({ from, to })
      .set('Authorization', t.auth(Role.Auditor));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/fhir\+json/);
    const bundle = response.body;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(bundle.total).toBe(bundle.entry.length);
    const events = bundle.entry.map((entry: { resource: Record<string, unknown> }) => entry.resource);
    const read = events.find(
      (event: { subtype: { code: string }[]; entity: { what: { reference?: string } }[] }) =>
        event.subtype[0].code === 'read' &&
        event.entity.some((entity) => entity.what.reference === `Patient/${id}`),
    );
    expect(read).toMatchObject({
      resourceType: 'AuditEvent',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
      action: 'R',
      outcome: '0',
      agent: expect.arrayContaining([
        expect.objectContaining({
          requestor: true,
          who: expect.objectContaining({ identifier: { system: 'urn:mosaic:user', value: 'clinician' } }),
          type: { coding: [expect.objectContaining({ code: 'IRCP' })] },
        }),
      ]),
      entity: expect.arrayContaining([
        expect.objectContaining({
          what: { reference: `Patient/${id}` },
          role: expect.objectContaining({ code: '1', display: 'Patient' }),
        }),
      ]),
    });
    expect(new Date(read.recorded).toISOString()).toBe(read.recorded);
    const chain = read.extension.find((extension: { url: string }) => extension.url.endsWith('/audit-chain'));
    const seq = chain.extension.find((part: { url: string }) => part.url === 'seq').valueString;
    const hash = chain.extension.find((part: { url: string }) => part.url === 'hash').valueString;
    const [stored] = await dataSource.query('SELECT hash FROM audit_events WHERE seq = $1::bigint', [seq]);
    expect(hash).toBe(stored.hash);
    const create = events.find(
      (event: { subtype: { code: string }[] }) => event.subtype[0].code === 'create',
    );
    expect(create).toMatchObject({
      action: 'C',
      agent: expect.arrayContaining([expect.objectContaining({ requestor: true })]),
    });
    // An empty range is an empty Bundle, not an error.
    const empty = await t.http
      .get(`${API}/audit/fhir`)
      .query({ from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z' })
      .set('Authorization', t.auth(Role.Auditor));
    expect(empty.body).toMatchObject({ resourceType: 'Bundle', total: 0, entry: [] });
  });

  it('pages the export with a next link', async () => {
    const first = await t.http
      .get(`${API}/audit/fhir`)
      .query({ _count: 5 })
      .set('Authorization', t.auth(Role.Auditor));
    expect(first.status).toBe(200);
    expect(first.body.entry).toHaveLength(5);
    const next = (first.body.link as { relation: string; url: string }[]).find(
      (link) => link.relation === 'next',
    );
    expect(next).toBeDefined();
    const url = new URL(next?.url ?? '');
    const second = await t.http
      .get(`${url.pathname}${url.search}`)
      .set('Authorization', t.auth(Role.Auditor));
    expect(second.body.entry[0].resource.id).toBe(
      `mosaic-audit-${Number(first.body.entry[4].resource.id.split('-').pop()) + 1}`,
    );
  });

  it('reports the first broken link after a row is edited behind the triggers', async () => {
    await dataSource.transaction(async (manager) => {
      await manager.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
      await manager.query("UPDATE audit_events SET outcome = '403' WHERE seq = 3");
      await manager.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    });
    const verify = await t.http.get(`${API}/audit/verify`).set('Authorization', t.auth(Role.Auditor));
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(false);
    expect(verify.body.firstBrokenLink).toMatchObject({ seq: '3', kind: 'hash' });
    // The listing still works and shows the (now inconsistent) row.
    const events = await t.http.get(`${API}/audit/events`).set('Authorization', t.auth(Role.Auditor));
    expect(events.status).toBe(200);
  });
});
