import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generatePatient } from '@mosaic/cohort';
import type { PatientGroundTruth } from '@mosaic/cohort';
import { TransferSyntax, writeDicom } from '@mosaic/dicom';
import { Role } from '@mosaic/domain';
import { committedModelDirs } from '@mosaic/inference';
import { API, createPatient, testUid } from '../../ingest/support/ingest-fixtures';
import type { TestApp } from '../../support/test-app';

/**
 * A models directory holding the committed model (or MOSAIC_TEST_MODELS) twice, as its own version
 * and as a newer copy "<major>.<minor+1>.0" — the same graphs, so a version switch is observable
 * without training a second model. Returns the directory and both versions.
 */
export function modelsDirWithTwoVersions(): {
  modelsDir: string;
  modelId: string;
  older: string;
  newer: string;
} {
  const source = committedModelDirs()[0];
  const manifest = JSON.parse(readFileSync(path.join(source, 'manifest.json'), 'utf8')) as {
    modelId: string;
    version: string;
  };
  const [major, minor] = manifest.version.split('.').map(Number);
  const newer = `${major}.${minor + 1}.0`;
  const modelsDir = mkdtempSync(path.join(tmpdir(), 'mosaic-assess-models-'));
  for (const version of [manifest.version, newer]) {
    const dir = path.join(modelsDir, manifest.modelId, version);
    cpSync(source, dir, { recursive: true });
    // manifest.json is not among its own hashed files: only its version field changes.
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version }));
  }
  return { modelsDir, modelId: manifest.modelId, older: manifest.version, newer };
}

/** Polls readiness: the model loads in the background after start. */
export async function waitUntilReady(t: TestApp, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const response = await t.http.get(`${API}/health/ready`);
    if (response.status === 200) return;
    if (Date.now() > until) throw new Error(`not ready: ${response.status} ${response.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface IngestedCohortPatient {
  patientId: string;
  record: PatientGroundTruth;
  noteId: string;
  noteText: string;
  imageId: string;
  vitalsCount: number;
}

/** The first patients of a seed with all three modalities (generation is deterministic per index). */
export async function completeCohortPatients(
  seed: number,
  count: number,
  from = 0,
): Promise<Awaited<ReturnType<typeof generatePatient>>[]> {
  const out: Awaited<ReturnType<typeof generatePatient>>[] = [];
  for (let index = from; out.length < count; index++) {
    const patient = await generatePatient(seed, index);
    const m = patient.record.modalities;
    if (m.note && m.image && m.vitals) out.push(patient);
  }
  return out;
}

/** Ingests a generated patient's note, DICOM file and vitals through the API, as an integration would. */
export async function ingestCohortPatient(
  t: TestApp,
  generated: Awaited<ReturnType<typeof generatePatient>>,
): Promise<IngestedCohortPatient> {
  const { record, files } = generated;
  const file = (p: string): Uint8Array => {
    const found = files.find((f) => f.path === p);
    if (!found) throw new Error(`generated patient has no ${p}`);
    return found.bytes;
  };
  const writer = t.auth(Role.Integration);
  const patient = await createPatient(t, 'Cohort', [record.patientId]);
  if (!record.note || !record.image || !record.vitals) throw new Error('patient lacks a modality');
  const noteText = Buffer.from(file(record.note.file)).toString('utf8');
  const note = await t.http
    .post(`${API}/patients/${patient.id}/notes`)
    .set('Authorization', writer)
    .send({ text: noteText, authoredAt: record.note.effectiveAt });
  const image = await t.http
    .post(`${API}/patients/${patient.id}/images`)
    .query({ overridePatientId: true })
    .set('Authorization', writer)
    .attach('files', Buffer.from(file(record.image.file)), {
      filename: 'image.dcm',
      contentType: 'application/dicom',
    });
  const observations = JSON.parse(Buffer.from(file(record.vitals.file)).toString('utf8')) as {
    code: string;
    time: string;
    value: number;
    unit: string;
  }[];
  const vitals = await t.http
    .post(`${API}/patients/${patient.id}/vitals`)
    .set('Authorization', writer)
    .send({
      observations: observations.map((o) => ({
        code: o.code,
        value: o.value,
        unit: o.unit,
        effectiveAt: o.time,
      })),
    });
  if (note.status !== 201 || image.status !== 201 || vitals.status >= 300) {
    throw new Error(
      `ingest failed: note ${note.status} ${note.text}; image ${image.status} ${image.text}; vitals ${vitals.status} ${vitals.text}`,
    );
  }
  return {
    patientId: patient.id,
    record,
    noteId: note.body.id as string,
    noteText,
    imageId: image.body.instances[0].id as string,
    vitalsCount: observations.length,
  };
}

/** A small CT slice of the chest: a modality a chest-radiograph model must leave out. */
export async function ctSliceFixture(acquisitionDate: string): Promise<Buffer> {
  const rows = 16;
  const columns = 16;
  const pixels = new Uint16Array(rows * columns).map((_, i) => (i * 53) % 4096);
  const bytes = await writeDicom({
    transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
    elements: [
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
      { tag: 0x00080018, vr: 'UI', value: testUid() },
      { tag: 0x00080020, vr: 'DA', value: acquisitionDate },
      { tag: 0x00080022, vr: 'DA', value: acquisitionDate },
      { tag: 0x00080030, vr: 'TM', value: '100000' },
      { tag: 0x00080032, vr: 'TM', value: '100000' },
      { tag: 0x00080060, vr: 'CS', value: 'CT' },
      { tag: 0x00180015, vr: 'CS', value: 'CHEST' },
      { tag: 0x0020000d, vr: 'UI', value: testUid() },
      { tag: 0x0020000e, vr: 'UI', value: testUid() },
      { tag: 0x00100020, vr: 'LO', value: '' },
    ],
    image: { rows, columns, bitsAllocated: 16, bitsStored: 12, frames: [pixels] },
  });
  return Buffer.from(bytes);
}

/** Width and height from a PNG's IHDR chunk (PNG spec §11.2.2). */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  if (bytes.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * Generates a cohort with `mosaic cohort generate` in a child process (outside Jest's sandbox the
 * generator and its codecs run several times faster) and reads it back as generated patients.
 */
export async function generateCohortOnDisk(
  seed: number,
  patients: number,
): Promise<{ dir: string; patients: Awaited<ReturnType<typeof generatePatient>>[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), `mosaic-cohort-${seed}-`));
  const cli = path.join(__dirname, '..', '..', '..', 'bin', 'mosaic.js');
  await promisify(execFile)(
    process.execPath,
    [cli, 'cohort', 'generate', '--patients', String(patients), '--seed', String(seed), '--out', dir],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const records = readFileSync(path.join(dir, 'ground-truth.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as PatientGroundTruth);
  const read = (p: string): { path: string; bytes: Uint8Array } => ({
    path: p,
    bytes: new Uint8Array(readFileSync(path.join(dir, ...p.split('/')))),
  });
  return {
    dir,
    patients: records.map((record) => ({
      record,
      files: [
        ...(record.note ? [read(record.note.file)] : []),
        ...(record.image ? [read(record.image.file), ...record.image.findings.map((f) => read(f.mask))] : []),
        ...(record.vitals ? [read(record.vitals.file)] : []),
      ],
    })),
  };
}
