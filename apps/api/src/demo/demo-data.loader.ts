import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { generatePassword, hashPassword } from '@mosaic/auth';
import { generatePatient } from '@mosaic/cohort';
import type { PatientGroundTruth } from '@mosaic/cohort';
import { Role } from '@mosaic/domain';
import { Patient, User } from '@mosaic/persistence';
import { TokenService } from '../auth/token.service';

/** A seed no training or evaluation cohort uses (docs/training.md uses 1 and 2). */
export const DEMO_SEED = 3;
export const DEMO_USERNAME = 'demo-loader';

interface AppLike {
  get<T>(type: new (...args: never[]) => T): T;
}

interface DemoOptions {
  patients: number;
  /** The running server, e.g. http://127.0.0.1:3000/api/v1. */
  apiUrl: string;
  readinessTimeoutMs?: number;
}

/**
 * First start of the embedded mode: ingest a small synthetic demo cohort through the server's own
 * HTTP API — the normal ingestion path, with its validation and audit — and assess every patient,
 * so `npm start` shows something real at once. Runs only on an empty database; MOSAIC_DEMO=false
 * turns it off. The data is synthetic (libs/cohort) and the model NOT FOR CLINICAL USE.
 */
export async function loadDemoData(
  app: AppLike,
  options: DemoOptions,
): Promise<{ patients: number; assessments: number }> {
  const logger = new Logger('DemoData');
  const dataSource = app.get(DataSource);
  if ((await dataSource.getRepository(Patient).count()) > 0) return { patients: 0, assessments: 0 };

  // A service account whose password nobody knows; the token is minted in-process.
  const users = dataSource.getRepository(User);
  if (!(await users.existsBy({ username: DEMO_USERNAME }))) {
    await users.insert({
      username: DEMO_USERNAME,
      passwordHash: await hashPassword(generatePassword()),
      roles: [Role.Integration, Role.Clinician],
    });
  }
  const token = app.get(TokenService).issue(DEMO_USERNAME).accessToken;
  const api = new DemoApiClient(options.apiUrl, token);

  const ingested: { id: string; asOf: string | null }[] = [];
  for (let index = 0; ingested.length < options.patients; index += 1) {
    const generated = await generatePatient(DEMO_SEED, index);
    ingested.push(await ingestPatient(api, generated));
    if (ingested.length % 10 === 0)
      logger.log(`demo data: ${ingested.length}/${options.patients} patients ingested`);
  }

  await api.waitUntilReady(options.readinessTimeoutMs ?? 10 * 60_000);
  let assessments = 0;
  for (const patient of ingested) {
    // The synthetic records are dated in the past: assess each as of its own latest evidence.
    const response = await api.post(
      `/patients/${patient.id}/assessments`,
      patient.asOf ? { asOf: patient.asOf } : {},
    );
    if (response.ok) assessments += 1;
    else logger.warn(`demo assessment refused: ${response.status} ${await response.text()}`);
  }
  logger.log(`demo data ready: ${ingested.length} patients, ${assessments} assessments`);
  return { patients: ingested.length, assessments };
}

async function ingestPatient(
  api: DemoApiClient,
  generated: Awaited<ReturnType<typeof generatePatient>>,
): Promise<{ id: string; asOf: string | null }> {
  const { record, files } = generated;
  const file = (path: string): Uint8Array => {
    const found = files.find((candidate) => candidate.path === path);
    if (!found) throw new Error(`generated demo patient ${record.patientId} has no ${path}`);
    return found.bytes;
  };
  const birthYear = new Date().getUTCFullYear() - record.age;
  const patient = await api.json<{ id: string }>('/patients', {
    name: { family: 'Demo', given: [record.patientId] },
    birthDate: `${birthYear}-01-01`,
    sex: record.sex === 'F' ? 'female' : 'male',
    // The DICOM files carry the same id as PatientID (0010,0020), so uploads match the MRN.
    identifiers: [{ value: record.patientId }],
  });
  if (record.note) {
    await api.json(`/patients/${patient.id}/notes`, {
      text: Buffer.from(file(record.note.file)).toString('utf8'),
      authoredAt: record.note.effectiveAt,
    });
  }
  if (record.image) {
    const form = new FormData();
    form.append('files', new Blob([file(record.image.file)], { type: 'application/dicom' }), 'image.dcm');
    await api.expectOk(await api.post(`/patients/${patient.id}/images`, form));
  }
  if (record.vitals) {
    const observations = JSON.parse(Buffer.from(file(record.vitals.file)).toString('utf8')) as {
      code: string;
      time: string;
      value: number;
      unit: string;
    }[];
    await api.json(`/patients/${patient.id}/vitals`, {
      observations: observations.map((o) => ({
        code: o.code,
        value: o.value,
        unit: o.unit,
        effectiveAt: o.time,
      })),
    });
  }
  return { id: patient.id, asOf: latestEvidence(record) };
}

function latestEvidence(record: PatientGroundTruth): string | null {
  const times = [record.note?.effectiveAt, record.image?.acquiredAt, record.vitals?.end].filter(
    (time): time is string => typeof time === 'string',
  );
  if (times.length === 0) return null;
  return new Date(Math.max(...times.map((time) => Date.parse(time)))).toISOString();
}

class DemoApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  post(path: string, body: unknown): Promise<Response> {
    const isForm = body instanceof FormData;
    return fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(isForm ? {} : { 'content-type': 'application/json' }),
      },
      body: isForm ? body : JSON.stringify(body),
    });
  }

  async json<T = unknown>(path: string, body: unknown): Promise<T> {
    const response = await this.post(path, body);
    await this.expectOk(response);
    return (await response.json()) as T;
  }

  async expectOk(response: Response): Promise<void> {
    if (!response.ok) {
      throw new Error(
        `demo ingest ${response.url} refused: ${response.status} ${await response.clone().text()}`,
      );
    }
  }

  async waitUntilReady(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const response = await fetch(`${this.baseUrl}/health/ready`);
      if (response.ok) return;
      if (Date.now() > until) throw new Error(`the model was not ready within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
