/**
 * @jest-environment ../libs/inference/jest.environment.js
 */
// onnxruntime-node checks typed arrays against its own realm (see that environment file).
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { rmSync } from 'node:fs';
import { Role } from '@mosaic/domain';
import { testEngines } from '@mosaic/persistence/testing';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';
import {
  completeCohortPatients,
  ingestCohortPatient,
  modelsDirWithTwoVersions,
  waitUntilReady,
} from './support/assessment-fixtures';
import type { IngestedCohortPatient } from './support/assessment-fixtures';

const run = promisify(execFile);
const MOSAIC = join(__dirname, '..', '..', 'bin', 'mosaic.js');

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

describe.each(testEngines())('mosaic assess through a running server on %s', (engine) => {
  let t: TestApp;
  let models: ReturnType<typeof modelsDirWithTwoVersions>;
  let server: string;
  let patient: IngestedCohortPatient;
  let mrn: string;

  beforeAll(async () => {
    models = modelsDirWithTwoVersions();
    t = await startTestApp(engine, { MOSAIC_MODELS_DIR: models.modelsDir });
    await t.app.listen(0, '127.0.0.1');
    server = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    await waitUntilReady(t);
    const [generated] = await completeCohortPatients(911, 1);
    patient = await ingestCohortPatient(t, generated);
    const stored = await t.http
      .get(`/api/v1/patients/${patient.patientId}`)
      .set('Authorization', t.auth(Role.Clinician))
      .expect(200);
    mrn = stored.body.identifiers[0].value as string;
  });
  afterAll(async () => {
    await t.close();
    rmSync(models.modelsDir, { recursive: true, force: true });
  });

  it('assesses a patient named by MRN and prints the recorded assessment as JSON on stdout', async () => {
    const asOf = patient.record.note?.effectiveAt as string;
    const result = await mosaic(['assess', mrn, '--as-of', asOf, '--server', server], {
      MOSAIC_TOKEN: t.tokens[Role.Clinician],
    });
    expect(result.stderr).toContain(`assessing patient ${patient.patientId}`);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({
      patientId: patient.patientId,
      notForClinicalUse: true,
      asOf: new Date(asOf).toISOString(),
    });
    expect(body.diagnoses).toHaveLength(8);
    const stored = await t.http
      .get(`/api/v1/assessments/${body.id}`)
      .set('Authorization', t.auth(Role.Auditor))
      .expect(200);
    expect(stored.body.diagnoses).toEqual(body.diagnoses);
  });

  it('exits 2 on a usage error and 1 when the server refuses', async () => {
    const usage = await mosaic(['assess', patient.patientId, '--as-of', 'yesterday', '--server', server], {
      MOSAIC_TOKEN: 'x',
    });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--as-of must be an ISO 8601 date-time');
    const noToken = await mosaic(['assess', patient.patientId, '--server', server], { MOSAIC_TOKEN: '' });
    expect(noToken.code).toBe(2);
    const forbidden = await mosaic(['assess', patient.patientId, '--server', server], {
      MOSAIC_TOKEN: t.tokens[Role.Auditor],
    });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain('answered 403');
    expect(forbidden.stdout).toBe('');
  });
});
