/**
 * @jest-environment ../libs/inference/jest.environment.js
 */
// The fixture runs an assessment through onnxruntime-node, which checks typed arrays against its own realm.
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Role } from '@mosaic/domain';
import { testEngines } from '@mosaic/persistence/testing';
import {
  completeCohortPatients,
  ingestCohortPatient,
  waitUntilReady,
} from '../assessments/support/assessment-fixtures';
import { API } from '../ingest/support/ingest-fixtures';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';

const run = promisify(execFile);
const MOSAIC = join(__dirname, '..', '..', 'bin', 'mosaic.js');

async function mosaic(
  args: string[],
  token: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MOSAIC, ...args], {
      env: { ...process.env, MOSAIC_TOKEN: token },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.each(testEngines())('mosaic review through a running server on %s', (engine) => {
  let t: TestApp;
  let server: string;
  let assessmentId: string;
  let label: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    await t.app.listen(0, '127.0.0.1');
    server = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    await waitUntilReady(t);
    const [generated] = await completeCohortPatients(911, 1, 10);
    const patient = await ingestCohortPatient(t, generated);
    const assessment = await t.http
      .post(`${API}/patients/${patient.patientId}/assessments`)
      .set('Authorization', t.auth(Role.Clinician))
      .send({ asOf: generated.record.note?.effectiveAt })
      .expect(201);
    assessmentId = assessment.body.id;
    label = assessment.body.diagnoses[0].label;
  }, 300_000);
  afterAll(async () => {
    await t.close();
  });

  it('records a review with a disagreement, then lists, shows the history and summarises it', async () => {
    const auditor = t.tokens[Role.Auditor];
    const recorded = await mosaic(
      [
        'review',
        'record',
        assessmentId,
        '--verdict',
        'implausible',
        '--comment',
        'Heatmap on the padding.',
        '--disagree',
        `${label}:image:0`,
        '--server',
        server,
      ],
      auditor,
    );
    expect(recorded.stderr).toContain(`recording the review (implausible) of assessment ${assessmentId}`);
    expect(recorded.code).toBe(0);
    const review = JSON.parse(recorded.stdout);
    expect(review).toMatchObject({
      assessmentId,
      verdict: 'implausible',
      reviewer: 'auditor',
      disagreements: [{ label, kind: 'image', index: 0, evidence: { cell: 0, row: 0, col: 0 } }],
    });

    const listed = await mosaic(['review', 'list', '--status', 'implausible', '--server', server], auditor);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).items.map((a: { id: string }) => a.id)).toEqual([assessmentId]);

    const history = await mosaic(['review', 'history', assessmentId, '--server', server], auditor);
    expect(history.code).toBe(0);
    expect(JSON.parse(history.stdout)).toMatchObject({ status: 'implausible', reviews: [{ id: review.id }] });

    const summary = await mosaic(['review', 'summary', '--server', server], auditor);
    expect(summary.code).toBe(0);
    expect(JSON.parse(summary.stdout).overall).toEqual({
      assessments: 1,
      reviewed: 1,
      plausible: 0,
      implausible: 1,
      uncertain: 0,
      plausibleShare: 0,
    });
  });

  it('exits 2 on malformed arguments, 1 when the server refuses', async () => {
    const auditor = t.tokens[Role.Auditor];
    const badReference = await mosaic(
      [
        'review',
        'record',
        assessmentId,
        '--verdict',
        'uncertain',
        '--disagree',
        'image-7',
        '--server',
        server,
      ],
      auditor,
    );
    expect(badReference.code).toBe(2);
    expect(badReference.stderr).toMatch(/--disagree image-7 must be label:kind:index/);
    const noComment = await mosaic(
      ['review', 'record', assessmentId, '--verdict', 'implausible', '--server', server],
      auditor,
    );
    expect(noComment.code).toBe(2);
    expect(noComment.stderr).toMatch(/answered 400.*comment/);
    const missingEvidence = await mosaic(
      [
        'review',
        'record',
        assessmentId,
        '--verdict',
        'uncertain',
        '--disagree',
        `${label}:text:999`,
        '--server',
        server,
      ],
      auditor,
    );
    expect(missingEvidence.code).toBe(1);
    expect(missingEvidence.stderr).toMatch(/answered 422.*REVIEW_EVIDENCE_NOT_FOUND/);
    const clinician = await mosaic(['review', 'list', '--server', server], t.tokens[Role.Clinician]);
    expect(clinician.code).toBe(1);
    expect(clinician.stderr).toMatch(/answered 403/);
  });
});
