/**
 * @jest-environment ../libs/inference/jest.environment.js
 */
// The demo assessments run onnxruntime-node, which checks typed arrays against its own realm.
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { Role } from '@mosaic/domain';
import { loadDemoData } from '../../apps/api/src/demo/demo-data.loader';
import { API } from '../ingest/support/ingest-fixtures';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';

describe('demo data on first start (embedded mode)', () => {
  let t: TestApp;
  let apiUrl: string;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    apiUrl = `http://127.0.0.1:${port}/api/v1`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('ingests the demo cohort through the API, audited, and assesses every patient', async () => {
    const result = await loadDemoData(t.app, { patients: 4, apiUrl });
    expect(result).toEqual({ patients: 4, assessments: 4 });

    const patients = await t.http
      .get(`${API}/patients`)
      .query({ name: 'Demo' })
      .set('Authorization', t.auth(Role.Clinician));
    expect(patients.status).toBe(200);
    expect(patients.body.items).toHaveLength(4);
    const dataSource = t.app.get(DataSource);
    const [counts] = await dataSource.query(`SELECT
      (SELECT count(*)::int FROM clinical_notes) AS notes,
      (SELECT count(*)::int FROM imaging_instances) AS images,
      (SELECT count(*)::int FROM vital_observations) AS vitals,
      (SELECT count(*)::int FROM assessments) AS assessments,
      (SELECT count(*)::int FROM audit_events WHERE actor = 'demo-loader' AND action = 'image.create') AS image_audits`);
    expect(counts.notes).toBeGreaterThan(0);
    expect(counts.images).toBeGreaterThan(0);
    expect(counts.vitals).toBeGreaterThan(100);
    expect(counts.assessments).toBe(4);
    expect(counts.image_audits).toBe(counts.images);
  });

  it('does nothing once the database holds patients', async () => {
    expect(await loadDemoData(t.app, { patients: 4, apiUrl })).toEqual({ patients: 0, assessments: 0 });
  });
});
