/**
 * @jest-environment ../libs/inference/jest.environment.js
 */
// The fixtures run assessments through onnxruntime-node, which checks typed arrays against its own realm.
import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { Role } from '@mosaic/domain';
import { testEngines } from '@mosaic/persistence/testing';
import {
  completeCohortPatients,
  ingestCohortPatient,
  modelsDirWithTwoVersions,
  waitUntilReady,
} from '../assessments/support/assessment-fixtures';
import { API } from '../ingest/support/ingest-fixtures';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';

// Seed 911: used neither in training (901) nor by the other assessment tests (903, 907, 919).
const SEED = 911;

interface Recorded {
  id: string;
  patientId: string;
  assessedAt: string;
  modelVersion: string;
  labelsAboveThreshold: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  diagnoses: any[];
}

describe.each(testEngines())('explanation review on %s', (engine) => {
  let t: TestApp;
  let models: ReturnType<typeof modelsDirWithTwoVersions>;
  /** Oldest first, as recorded: three on the active (newer) version, one on the older. */
  const recorded: Recorded[] = [];
  let secondAuditor: string;

  const auditor = (): string => t.auth(Role.Auditor);

  beforeAll(async () => {
    models = modelsDirWithTwoVersions();
    t = await startTestApp(engine, { MOSAIC_MODELS_DIR: models.modelsDir });
    await waitUntilReady(t);
    const generated = await completeCohortPatients(SEED, 4);
    for (const [i, patient] of generated.entries()) {
      const ingested = await ingestCohortPatient(t, patient);
      const response = await t.http
        .post(`${API}/patients/${ingested.patientId}/assessments`)
        .set('Authorization', t.auth(Role.Clinician))
        .send({ asOf: patient.record.note?.effectiveAt, ...(i === 3 ? { modelVersion: models.older } : {}) });
      if (response.status !== 201) throw new Error(`assessment failed: ${response.status} ${response.text}`);
      const diagnoses = response.body.diagnoses as { label: string; aboveThreshold: boolean }[];
      recorded.push({
        id: response.body.id,
        patientId: ingested.patientId,
        assessedAt: response.body.assessedAt,
        modelVersion: response.body.model.version,
        labelsAboveThreshold: diagnoses.filter((d) => d.aboveThreshold).map((d) => d.label),
        diagnoses,
      });
    }
    const password = 'second-auditor-password';
    await t.http
      .post(`${API}/users`)
      .set('Authorization', t.auth(Role.Admin))
      .send({ username: 'auditor2', password, roles: [Role.Auditor] })
      .expect(201);
    const login = await t.http.post(`${API}/auth/token`).send({ username: 'auditor2', password }).expect(200);
    secondAuditor = `Bearer ${login.body.access_token}`;
    // Four ingests and four model runs: minutes, not seconds, when the whole suite shares two cores.
  }, 600_000);
  afterAll(async () => {
    await t.close();
    rmSync(models.modelsDir, { recursive: true, force: true });
  });

  const newestFirst = (): Recorded[] => [...recorded].reverse();
  const list = (query: Record<string, string | number> = {}) =>
    t.http.get(`${API}/assessments`).query(query).set('Authorization', auditor());
  const review = (id: string, body: object, as = auditor()) =>
    t.http.post(`${API}/assessments/${id}/reviews`).set('Authorization', as).send(body);

  it('lists every assessment newest first, unreviewed, with the labels above threshold', async () => {
    const response = await list().expect(200);
    expect(response.body).toMatchObject({ total: 4, limit: 100, offset: 0 });
    expect(response.body.items.map((a: { id: string }) => a.id)).toEqual(newestFirst().map((a) => a.id));
    const [first] = response.body.items;
    const expected = newestFirst()[0];
    expect(first).toEqual({
      id: expected.id,
      patientId: expected.patientId,
      assessedAt: expected.assessedAt,
      asOf: expect.any(String),
      modelId: models.modelId,
      modelVersion: models.older,
      notForClinicalUse: true,
      labelsAboveThreshold: expected.labelsAboveThreshold,
      topDiagnoses: expected.diagnoses.slice(0, 3).map((d) => ({
        rank: d.rank,
        label: d.label,
        probability: d.probability,
        aboveThreshold: d.aboveThreshold,
      })),
      review: { status: 'unreviewed', reviewCount: 0, latest: null },
    });
  });

  it('audits the work list with the ids it returned', async () => {
    await list({ limit: 2 }).expect(200);
    const events = await t.http
      .get(`${API}/audit/events`)
      .query({ limit: 5 })
      .set('Authorization', auditor());
    expect(
      events.body.items.find((e: { action: string }) => e.action === 'review.assessment-list'),
    ).toMatchObject({
      actor: 'auditor',
      resourceType: 'Assessment',
      resourceIds: newestFirst()
        .slice(0, 2)
        .map((a) => a.id),
    });
  });

  it('pages newest first', async () => {
    const page = await list({ limit: 2, offset: 1 }).expect(200);
    expect(page.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.body.items.map((a: { id: string }) => a.id)).toEqual(
      newestFirst()
        .slice(1, 3)
        .map((a) => a.id),
    );
  });

  it('filters by model version, assessment time and label above threshold', async () => {
    const byVersion = await list({ modelVersion: models.newer }).expect(200);
    expect(byVersion.body.items.map((a: { id: string }) => a.id)).toEqual(
      newestFirst()
        .filter((a) => a.modelVersion === models.newer)
        .map((a) => a.id),
    );
    expect(byVersion.body.total).toBe(3);
    expect((await list({ modelId: models.modelId }).expect(200)).body.total).toBe(4);
    expect((await list({ modelId: 'another-model' }).expect(200)).body).toMatchObject({
      total: 0,
      items: [],
    });

    // [from, to): from the second assessment up to, not including, the fourth.
    const ranged = await list({ from: recorded[1].assessedAt, to: recorded[3].assessedAt }).expect(200);
    expect(ranged.body.items.map((a: { id: string }) => a.id)).toEqual([recorded[2].id, recorded[1].id]);

    const labels = [...new Set(recorded.flatMap((a) => a.labelsAboveThreshold))];
    expect(labels.length).toBeGreaterThan(0); // the fixture must exercise the label filter
    for (const label of labels) {
      const byLabel = await list({ label }).expect(200);
      expect({ label, ids: byLabel.body.items.map((a: { id: string }) => a.id) }).toEqual({
        label,
        ids: newestFirst()
          .filter((a) => a.labelsAboveThreshold.includes(label))
          .map((a) => a.id),
      });
    }
    // A label present in every assessment but below threshold somewhere is not matched there.
    const below = recorded[0].diagnoses.find((d) => !d.aboveThreshold);
    if (below) {
      const byLabel = await list({ label: below.label }).expect(200);
      expect(byLabel.body.items.map((a: { id: string }) => a.id)).not.toContain(recorded[0].id);
    }
  });

  it('refuses malformed filters with 400 and names the field', async () => {
    const cases: [Record<string, string | number>, string][] = [
      [{ label: 'Pneumonia!' }, '/label'],
      [{ reviewStatus: 'approved' }, '/reviewStatus'],
      [{ from: '2024-03-15' }, '/from'],
      [{ to: '2024-03-15T10:00:00' }, '/to'],
      [{ limit: 0 }, '/limit'],
      [{ modelVersion: 'latest' }, '/modelVersion'],
      [{ patientName: 'Doe' }, '/patientName'],
      [{ from: '2024-03-15T10:00:00Z', to: '2024-03-15T10:00:00Z' }, '/to'],
    ];
    for (const [query, pointer] of cases) {
      const response = await list(query);
      expect({ query, status: response.status, type: response.type }).toEqual({
        query,
        status: 400,
        type: 'application/problem+json',
      });
      expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    }
  });

  it('records a review with the evidence disagreed with, resolved from the stored explanation', async () => {
    const target = recorded[0];
    const diagnosis = target.diagnoses[0];
    const explanation = diagnosis.explanation;
    const disagreements = [
      { label: diagnosis.label, kind: 'modalityShare', index: 0 },
      { label: diagnosis.label, kind: 'image', index: 0 },
      ...(explanation.text.length > 0 ? [{ label: diagnosis.label, kind: 'text', index: 0 }] : []),
      ...(explanation.vitals.length > 0 ? [{ label: diagnosis.label, kind: 'vitals', index: 0 }] : []),
    ];
    const response = await review(target.id, {
      verdict: 'implausible',
      comment: 'Attention sits on the padded edge of the radiograph.',
      disagreements,
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      assessmentId: target.id,
      reviewer: 'auditor',
      verdict: 'implausible',
      comment: 'Attention sits on the padded edge of the radiograph.',
      current: true,
    });
    expect(Date.parse(response.body.reviewedAt)).not.toBeNaN();
    const resolved = response.body.disagreements as { kind: string; evidence: Record<string, unknown> }[];
    expect(resolved.map(({ kind }) => kind)).toEqual(disagreements.map((d) => d.kind));
    expect(resolved[0].evidence).toEqual(explanation.modalityShares[0]);
    expect(resolved[1].evidence).toMatchObject({
      instanceId: explanation.image.instanceId,
      cell: 0,
      row: 0,
      col: 0,
      weight: explanation.image.weights[0],
      rect: explanation.image.toPixel[0],
    });
    if (explanation.text.length > 0) expect(resolved[2].evidence).toEqual(explanation.text[0]);

    const listed = await list({ reviewStatus: 'implausible' }).expect(200);
    expect(listed.body.items.map((a: { id: string }) => a.id)).toEqual([target.id]);
    expect(listed.body.items[0].review).toEqual({
      status: 'implausible',
      reviewCount: 1,
      latest: {
        id: response.body.id,
        verdict: 'implausible',
        reviewer: 'auditor',
        reviewedAt: response.body.reviewedAt,
      },
    });
    const unreviewed = await list({ reviewStatus: 'unreviewed' }).expect(200);
    expect(unreviewed.body.items.map((a: { id: string }) => a.id)).toEqual(
      newestFirst()
        .filter((a) => a.id !== target.id)
        .map((a) => a.id),
    );
  });

  it('writes the review and its audit entry in one transaction, and nothing for a refused one', async () => {
    const target = recorded[1];
    const created = await review(target.id, { verdict: 'plausible' }).expect(201);
    const refused = await review(target.id, {
      verdict: 'uncertain',
      disagreements: [{ label: 'no_such_label', kind: 'text', index: 0 }],
    });
    expect(refused.status).toBe(422);
    const events = await t.http
      .get(`${API}/audit/events`)
      .query({ patientId: target.patientId })
      .set('Authorization', auditor())
      .expect(200);
    const reviewEvents = events.body.items.filter((e: { action: string }) =>
      e.action.startsWith('review.create'),
    );
    expect(reviewEvents).toEqual([
      expect.objectContaining({
        actor: 'auditor',
        role: 'auditor',
        action: 'review.create',
        resourceType: 'Review',
        resourceIds: [created.body.id, target.id],
        patientId: target.patientId,
        outcome: 'success',
      }),
    ]);
    const history = await t.http
      .get(`${API}/assessments/${target.id}/reviews`)
      .set('Authorization', auditor())
      .expect(200);
    expect(history.body.reviews.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
    // Reading the history is audited too, with the assessment and the reviews read.
    const afterRead = await t.http
      .get(`${API}/audit/events`)
      .query({ patientId: target.patientId })
      .set('Authorization', auditor())
      .expect(200);
    expect(afterRead.body.items[0]).toMatchObject({
      action: 'review.list',
      resourceIds: [target.id, created.body.id],
      patientId: target.patientId,
    });
    const verification = await t.http.get(`${API}/audit/verify`).set('Authorization', auditor()).expect(200);
    expect(verification.body).toMatchObject({ ok: true, brokenLinks: 0 });
  });

  it('lets a later review by anyone supersede the earlier one, keeping the whole history', async () => {
    const target = recorded[2];
    const first = await review(target.id, { verdict: 'implausible', comment: 'Wrong words quoted.' }).expect(
      201,
    );
    const second = await review(target.id, {
      verdict: 'uncertain',
      comment: 'On reflection, unclear.',
    }).expect(201);
    const third = await review(target.id, { verdict: 'plausible' }, secondAuditor).expect(201);
    const history = await t.http
      .get(`${API}/assessments/${target.id}/reviews`)
      .set('Authorization', auditor())
      .expect(200);
    expect(history.body.assessmentId).toBe(target.id);
    expect(history.body.status).toBe('plausible');
    expect(
      history.body.reviews.map((r: { id: string; verdict: string; reviewer: string; current: boolean }) => [
        r.id,
        r.verdict,
        r.reviewer,
        r.current,
      ]),
    ).toEqual([
      [third.body.id, 'plausible', 'auditor2', true],
      [second.body.id, 'uncertain', 'auditor', false],
      [first.body.id, 'implausible', 'auditor', false],
    ]);
    const listed = await list({ reviewStatus: 'plausible' }).expect(200);
    expect(listed.body.items.map((a: { id: string }) => a.id)).toEqual([target.id, recorded[1].id]);
    expect(listed.body.items[0].review).toMatchObject({ status: 'plausible', reviewCount: 3 });
    expect((await list({ reviewStatus: 'uncertain' }).expect(200)).body.total).toBe(0);
  });

  it('refuses to change or delete a review in the database', async () => {
    const db = t.app.get(DataSource);
    const [row] = await db.query('SELECT id FROM reviews LIMIT 1');
    await expect(
      db.query(`UPDATE reviews SET verdict = 'plausible' WHERE id = $1`, [row.id]),
    ).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM reviews WHERE id = $1', [row.id])).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE reviews')).rejects.toThrow(/append-only/);
  });

  it('refuses bad reviews with clear problems: 400, 404 and 422', async () => {
    const target = recorded[3];
    const label = target.diagnoses[0].label;
    const imageGrid = target.diagnoses[0].explanation.image.grid;
    const before = await t.http
      .get(`${API}/assessments/${target.id}/reviews`)
      .set('Authorization', auditor());

    const noComment = await review(target.id, { verdict: 'implausible' });
    expect(noComment.status).toBe(400);
    expect(noComment.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/comment');
    const blank = await review(target.id, { verdict: 'implausible', comment: '   ' });
    expect(blank.status).toBe(400);
    const verdict = await review(target.id, { verdict: 'wrong' });
    expect(verdict.status).toBe(400);
    expect(verdict.body.detail).toMatch(/verdict must be one of plausible, implausible, uncertain/);
    const kind = await review(target.id, {
      verdict: 'uncertain',
      disagreements: [{ label, kind: 'audio', index: 0 }],
    });
    expect(kind.status).toBe(400);
    expect(kind.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/disagreements/0/kind');
    const extra = await review(target.id, {
      verdict: 'uncertain',
      disagreements: [{ label, kind: 'text', index: 0, weight: 1 }],
    });
    expect(extra.status).toBe(400);
    const malformed = await review('not-a-uuid', { verdict: 'plausible' });
    expect(malformed.status).toBe(400);

    const missing = await review('00000000-0000-4000-8000-000000000000', { verdict: 'plausible' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('REVIEW_ASSESSMENT_NOT_FOUND');
    await t.http
      .get(`${API}/assessments/00000000-0000-4000-8000-000000000000/reviews`)
      .set('Authorization', auditor())
      .expect(404);

    const cells = imageGrid.rows * imageGrid.cols;
    const unknown = await review(target.id, {
      verdict: 'implausible',
      comment: 'Points at evidence that does not exist.',
      disagreements: [
        { label: 'no_such_label', kind: 'text', index: 0 },
        { label, kind: 'image', index: cells },
        { label, kind: 'modalityShare', index: 3 },
        { label, kind: 'text', index: 500 },
        { label, kind: 'image', index: 1 },
        { label, kind: 'image', index: 1 },
      ],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.type).toBe('application/problem+json');
    expect(unknown.body.code).toBe('REVIEW_EVIDENCE_NOT_FOUND');
    expect(unknown.body.errors).toEqual([
      {
        pointer: '/disagreements/0',
        detail: expect.stringMatching(/has no label no_such_label; its labels are/),
      },
      {
        pointer: '/disagreements/1',
        detail: `the image grid is ${imageGrid.rows}×${imageGrid.cols}: cells 0–${cells - 1}, not ${cells}`,
      },
      { pointer: '/disagreements/2', detail: `${label} has 3 modality share items (0–2), not 3` },
      { pointer: '/disagreements/3', detail: expect.stringMatching(new RegExp(`^${label} has .*text`)) },
      { pointer: '/disagreements/5', detail: `${label}/image/1 is listed twice` },
    ]);

    const after = await t.http.get(`${API}/assessments/${target.id}/reviews`).set('Authorization', auditor());
    expect(after.body).toEqual(before.body);
    expect(after.body.status).toBe('unreviewed');
  });

  it('summarises the share of plausible latest reviews per label and per model version', async () => {
    // Latest verdicts so far: recorded[0] implausible, [1] plausible, [2] plausible (superseding
    // implausible and uncertain), [3] unreviewed. Add an uncertain review on the older version.
    await review(recorded[3].id, { verdict: 'uncertain' }).expect(201);
    const latest = new Map([
      [recorded[0].id, 'implausible'],
      [recorded[1].id, 'plausible'],
      [recorded[2].id, 'plausible'],
      [recorded[3].id, 'uncertain'],
    ]);
    const counts = (rows: Recorded[]) => {
      const verdicts = rows.map((a) => latest.get(a.id));
      const plausible = verdicts.filter((v) => v === 'plausible').length;
      const reviewed = verdicts.filter(Boolean).length;
      return {
        assessments: rows.length,
        reviewed,
        plausible,
        implausible: verdicts.filter((v) => v === 'implausible').length,
        uncertain: verdicts.filter((v) => v === 'uncertain').length,
        plausibleShare: reviewed === 0 ? null : plausible / reviewed,
      };
    };
    const labels = [...new Set(recorded.flatMap((a) => a.labelsAboveThreshold))].sort();

    const summary = await t.http.get(`${API}/reviews/summary`).set('Authorization', auditor()).expect(200);
    expect(summary.body).toEqual({
      scope: {},
      overall: counts(recorded),
      perLabel: labels.map((label) => ({
        label,
        ...counts(recorded.filter((a) => a.labelsAboveThreshold.includes(label))),
      })),
      perModelVersion: [models.older, models.newer].map((version) => ({
        modelId: models.modelId,
        modelVersion: version,
        ...counts(recorded.filter((a) => a.modelVersion === version)),
      })),
    });
    expect(summary.body.overall).toMatchObject({
      assessments: 4,
      reviewed: 4,
      plausible: 2,
      plausibleShare: 0.5,
    });

    const newer = await t.http
      .get(`${API}/reviews/summary`)
      .query({ modelVersion: models.newer, from: recorded[1].assessedAt })
      .set('Authorization', auditor())
      .expect(200);
    const scoped = recorded.slice(1, 3);
    expect(newer.body.scope).toEqual({ modelVersion: models.newer, from: recorded[1].assessedAt });
    expect(newer.body.overall).toEqual(counts(scoped));
    expect(newer.body.perModelVersion).toEqual([
      { modelId: models.modelId, modelVersion: models.newer, ...counts(scoped) },
    ]);

    const empty = await t.http
      .get(`${API}/reviews/summary`)
      .query({ to: '2000-01-01T00:00:00Z' })
      .set('Authorization', auditor())
      .expect(200);
    expect(empty.body).toMatchObject({
      overall: { assessments: 0, reviewed: 0, plausibleShare: null },
      perLabel: [],
      perModelVersion: [],
    });
    await t.http
      .get(`${API}/reviews/summary`)
      .query({ label: 'pneumonia' })
      .set('Authorization', auditor())
      .expect(400);
  });

  it('keeps both of two concurrent reviews, and the status and the work list agree on which is latest', async () => {
    const target = recorded[0];
    const [a, b] = await Promise.all([
      review(target.id, { verdict: 'plausible' }),
      review(target.id, { verdict: 'uncertain' }, secondAuditor),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const history = await t.http
      .get(`${API}/assessments/${target.id}/reviews`)
      .set('Authorization', auditor())
      .expect(200);
    expect(history.body.reviews).toHaveLength(3);
    expect(
      history.body.reviews
        .slice(0, 2)
        .map((r: { id: string }) => r.id)
        .sort(),
    ).toEqual([a.body.id, b.body.id].sort());
    expect(history.body.reviews.map((r: { current: boolean }) => r.current)).toEqual([true, false, false]);
    expect(history.body.status).toBe(history.body.reviews[0].verdict);
    const listed = await list({ reviewStatus: history.body.status }).expect(200);
    const item = listed.body.items.find((i: { id: string }) => i.id === target.id);
    expect(item.review).toMatchObject({ reviewCount: 3, latest: { id: history.body.reviews[0].id } });
  });
});
