/**
 * @jest-environment ../libs/inference/jest.environment.js
 */
// The assessment routes run onnxruntime-node, which checks typed arrays against its own realm.
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { Test } from 'supertest';
import { Role } from '@mosaic/domain';
import { testEngines } from '@mosaic/persistence/testing';
import { ModelRegistryService } from '../../apps/api/src/models/model-registry.service';
import { waitUntilReady } from '../assessments/support/assessment-fixtures';
import { API, createPatient, dicomFixture, testUid } from '../ingest/support/ingest-fixtures';
import { startTestApp } from '../support/test-app';
import type { TestApp } from '../support/test-app';

/** Ids of records that the sample requests refer to, created once before the matrix runs. */
interface Fixtures {
  patientId: string;
  mrn: string;
  noteId: string;
  imageId: string;
  assessmentId: string;
  assessmentLabel: string;
}

interface RouteExpectation {
  /** Roles that get a 2xx; every other role gets 403. `public` routes need no token at all. */
  allowed: Role[] | 'public';
  /** A valid request for the route (the matrix runs it once per role). */
  request: (t: TestApp, f: Fixtures) => Test;
}

const ALL_ROLES = [Role.Clinician, Role.Auditor, Role.Integration, Role.Admin];
const READERS = [Role.Clinician, Role.Integration];
const ASSESSMENT_READERS = [Role.Clinician, Role.Auditor];
/** The active model of the app under test (the committed model under models/). */
const activeModel = (t: TestApp): { id: string; version: string } => {
  const models = t.app.get(ModelRegistryService);
  return { id: models.servedModelId() ?? 'none', version: models.currentVersion() ?? '0.0.0' };
};
const WRITERS = [Role.Integration];
/** Auditors list assessments across patients and review their explanations. */
const REVIEWERS = [Role.Auditor];

/**
 * The expected route × role matrix (ARCHITECTURE.md §Security baseline). It is written out by hand,
 * independently of the permission table in @mosaic/domain, so that a changed permission or a new
 * route without an entry here fails this test.
 */
const MATRIX: Record<string, RouteExpectation> = {
  'GET /api/v1/health/live': { allowed: 'public', request: (t) => t.http.get(`${API}/health/live`) },
  'GET /api/v1/health/ready': { allowed: 'public', request: (t) => t.http.get(`${API}/health/ready`) },
  'POST /api/v1/auth/token': {
    allowed: 'public',
    request: (t) =>
      t.http.post(`${API}/auth/token`).send({ username: 'auditor', password: 'auditor-password-for-tests' }),
  },
  'GET /api/v1/users': { allowed: [Role.Admin], request: (t) => t.http.get(`${API}/users`) },
  'POST /api/v1/users': {
    allowed: [Role.Admin],
    request: (t) =>
      t.http.post(`${API}/users`).send({
        username: `u${testUid().replace(/\./g, '')}`.slice(0, 60),
        password: 'a-long-enough-password',
        roles: ['clinician'],
      }),
  },
  'GET /api/v1/audit/verify': {
    allowed: [Role.Auditor, Role.Admin],
    request: (t) => t.http.get(`${API}/audit/verify`),
  },
  'GET /api/v1/audit/fhir': {
    allowed: [Role.Auditor, Role.Admin],
    request: (t) => t.http.get(`${API}/audit/fhir`),
  },
  'GET /api/v1/audit/events': {
    allowed: [Role.Auditor, Role.Admin],
    request: (t) => t.http.get(`${API}/audit/events`),
  },
  'POST /api/v1/patients': {
    allowed: WRITERS,
    request: (t) =>
      t.http
        .post(`${API}/patients`)
        .send({ name: { family: 'Matrix', given: ['Row'] }, identifiers: [{ value: `MX-${testUid()}` }] }),
  },
  'GET /api/v1/patients': {
    allowed: READERS,
    request: (t, f) => t.http.get(`${API}/patients`).query({ mrn: f.mrn }),
  },
  'GET /api/v1/patients/:id': {
    allowed: READERS,
    request: (t, f) => t.http.get(`${API}/patients/${f.patientId}`),
  },
  'POST /api/v1/patients/:id/notes': {
    allowed: WRITERS,
    request: (t, f) =>
      t.http
        .post(`${API}/patients/${f.patientId}/notes`)
        .send({ text: 'Cough and fever for two days.', authoredAt: '2024-03-15T10:00:00Z' }),
  },
  'GET /api/v1/patients/:id/notes': {
    allowed: READERS,
    request: (t, f) => t.http.get(`${API}/patients/${f.patientId}/notes`),
  },
  'GET /api/v1/patients/:id/notes/:noteId': {
    allowed: READERS,
    request: (t, f) => t.http.get(`${API}/patients/${f.patientId}/notes/${f.noteId}`),
  },
  'POST /api/v1/patients/:id/images': {
    allowed: WRITERS,
    request: (t, f) =>
      t.http
        .post(`${API}/patients/${f.patientId}/images`)
        .attach('files', imageBytes, { filename: 'matrix.dcm', contentType: 'application/dicom' }),
  },
  'GET /api/v1/patients/:id/images': {
    allowed: READERS,
    request: (t, f) => t.http.get(`${API}/patients/${f.patientId}/images`),
  },
  'GET /api/v1/patients/:id/images/:imageId': {
    allowed: READERS,
    request: (t, f) => t.http.get(`${API}/patients/${f.patientId}/images/${f.imageId}`),
  },
  'GET /api/v1/patients/:id/images/:imageId/file': {
    allowed: READERS,
    request: (t, f) => t.http.get(`${API}/patients/${f.patientId}/images/${f.imageId}/file`),
  },
  'POST /api/v1/patients/:id/vitals': {
    allowed: WRITERS,
    request: (t, f) =>
      t.http.post(`${API}/patients/${f.patientId}/vitals`).send({
        observations: [{ code: '8867-4', value: 88, unit: '/min', effectiveAt: '2024-03-15T10:00:00Z' }],
      }),
  },
  'GET /api/v1/patients/:id/vitals': {
    allowed: READERS,
    request: (t, f) => t.http.get(`${API}/patients/${f.patientId}/vitals`),
  },
  'GET /api/v1/models': { allowed: ALL_ROLES, request: (t) => t.http.get(`${API}/models`) },
  'POST /api/v1/models/:id/versions/:version/activate': {
    allowed: [Role.Admin],
    // Re-activating the active version: allowed, audited, and changes nothing for the other rows.
    request: (t) => {
      const model = activeModel(t);
      return t.http.post(`${API}/models/${model.id}/versions/${model.version}/activate`);
    },
  },
  'POST /api/v1/patients/:id/assessments': {
    allowed: [Role.Clinician, Role.Integration],
    request: (t, f) =>
      t.http.post(`${API}/patients/${f.patientId}/assessments`).send({ asOf: ASSESSED_AS_OF }),
  },
  'GET /api/v1/patients/:id/assessments': {
    allowed: ASSESSMENT_READERS,
    request: (t, f) => t.http.get(`${API}/patients/${f.patientId}/assessments`),
  },
  'GET /api/v1/assessments/:id': {
    allowed: ASSESSMENT_READERS,
    request: (t, f) => t.http.get(`${API}/assessments/${f.assessmentId}`),
  },
  'POST /api/v1/assessments/:id/replay': {
    allowed: ASSESSMENT_READERS,
    request: (t, f) => t.http.post(`${API}/assessments/${f.assessmentId}/replay`),
  },
  'GET /api/v1/assessments/:id/explanations/:label/image.png': {
    allowed: ASSESSMENT_READERS,
    request: (t, f) =>
      t.http.get(`${API}/assessments/${f.assessmentId}/explanations/${f.assessmentLabel}/image.png`),
  },
  // Review (docs/assessments.md §Review): auditors only, the cross-patient list included.
  'GET /api/v1/assessments': {
    allowed: REVIEWERS,
    request: (t) => t.http.get(`${API}/assessments`),
  },
  'POST /api/v1/assessments/:id/reviews': {
    allowed: REVIEWERS,
    request: (t, f) =>
      t.http.post(`${API}/assessments/${f.assessmentId}/reviews`).send({ verdict: 'plausible' }),
  },
  'GET /api/v1/assessments/:id/reviews': {
    allowed: REVIEWERS,
    request: (t, f) => t.http.get(`${API}/assessments/${f.assessmentId}/reviews`),
  },
  'GET /api/v1/reviews/summary': {
    allowed: REVIEWERS,
    request: (t) => t.http.get(`${API}/reviews/summary`),
  },
};

/** After the fixture note (2024-03-14) and image (2024-03-15 10:15), so both are used. */
const ASSESSED_AS_OF = '2024-03-15T12:00:00Z';

let imageBytes: Buffer;

/** Every route the running application serves, as `METHOD /path`, read from Nest's own metadata. */
function servedRoutes(t: TestApp): string[] {
  const routes: string[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const full = ['api/v1', base, path]
          .map((part) => part.replace(/^\/+|\/+$/g, ''))
          .filter(Boolean)
          .join('/');
        routes.push(`${RequestMethod[method]} /${full}`);
      }
    }
  }
  return routes.sort();
}

describe.each(testEngines())('route × role matrix on %s', (engine) => {
  let t: TestApp;
  let fixtures: Fixtures;

  beforeAll(async () => {
    t = await startTestApp(engine);
    imageBytes = await dicomFixture({ sopInstanceUid: testUid(), patientId: null, pixelSeed: 1 });
    const patient = await createPatient(t, 'Matrix', ['Fixture']);
    const writer = t.auth(Role.Integration);
    const note = await t.http
      .post(`${API}/patients/${patient.id}/notes`)
      .set('Authorization', writer)
      .send({ text: 'Baseline note for the route matrix.', authoredAt: '2024-03-14T09:00:00Z' });
    const upload = await t.http
      .post(`${API}/patients/${patient.id}/images`)
      .set('Authorization', writer)
      .attach('files', await dicomFixture({ sopInstanceUid: testUid(), patientId: null }), 'fixture.dcm');
    if (note.status !== 201 || upload.status !== 201) {
      throw new Error(
        `matrix fixtures failed: note ${note.status} ${note.text}; image ${upload.status} ${upload.text}`,
      );
    }
    await waitUntilReady(t);
    const assessment = await t.http
      .post(`${API}/patients/${patient.id}/assessments`)
      .set('Authorization', t.auth(Role.Clinician))
      .send({ asOf: ASSESSED_AS_OF });
    if (assessment.status !== 201) {
      throw new Error(`matrix assessment fixture failed: ${assessment.status} ${assessment.text}`);
    }
    fixtures = {
      patientId: patient.id,
      mrn: patient.mrn,
      noteId: note.body.id,
      imageId: upload.body.instances[0].id,
      assessmentId: assessment.body.id,
      assessmentLabel: assessment.body.diagnoses[0].label,
    };
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists every served route, and only served routes', () => {
    expect(servedRoutes(t)).toEqual(Object.keys(MATRIX).sort());
  });

  it.each(Object.entries(MATRIX))('%s', async (_route, expectation) => {
    if (expectation.allowed === 'public') {
      const response = await expectation.request(t, fixtures);
      expect(response.status).toBeLessThan(300);
      return;
    }
    const anonymous = await expectation.request(t, fixtures);
    expect(anonymous.status).toBe(401);
    for (const role of ALL_ROLES) {
      const response = await expectation.request(t, fixtures).set('Authorization', t.auth(role));
      const allowed = expectation.allowed.includes(role);
      if (allowed) {
        // On failure the message shows the role, status and problem document.
        const outcome = { role, status: response.status, body: response.body as unknown };
        expect(response.status >= 200 && response.status < 300 ? 'allowed' : outcome).toBe('allowed');
      } else {
        expect({ role, status: response.status }).toEqual({ role, status: 403 });
      }
    }
  });
});
