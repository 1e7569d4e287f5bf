/**
 * Ingestion benchmark (`npm run bench:ingest`): vitals batches and DICOM uploads through the real Nest
 * application over HTTP on localhost, into PGlite and — when DATABASE_URL is set — into a fresh
 * PostgreSQL database on that server. Prints the figures and replaces the `## Ingestion` section of
 * docs/benchmarks.md.
 *
 *   node -r ./tools/node/register.js bench/ingest/bench-ingest.ts [--runs 7] [--no-write]
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { format, resolveConfig } from 'prettier';
import { TransferSyntax, writeDicom } from '@mosaic/dicom';
import { Role } from '@mosaic/domain';
import type { DatabaseEngine } from '@mosaic/persistence';
import { createTestSettings } from '@mosaic/persistence/testing';
import { createApp } from '../../apps/api/src/app.factory';
import { loadConfig } from '../../apps/api/src/config/app-config';
import { BENCHMARKS_DOC, writeBenchmarkSection } from '../support/benchmarks-doc';
import { median } from '../support/stats';

const BATCH = 10_000;
const DICOM_FILES_PER_UPLOAD = 20;
const DICOM_SIZE = 512;

interface Server {
  baseUrl: string;
  token: string;
  close(): Promise<void>;
}

interface EngineFigures {
  engine: DatabaseEngine;
  vitalsPerSecond: number[];
  dicomFilesPerSecond: number[];
  dicomMegabytesPerSecond: number[];
}

const log = (message: string) => process.stderr.write(`${message}\n`);
async function startServer(engine: DatabaseEngine): Promise<Server> {
  const { settings, cleanup } = await createTestSettings(engine);
  const config = loadConfig({
    MOSAIC_DATA_DIR: settings.dataDir,
    ...(settings.databaseUrl ? { DATABASE_URL: settings.databaseUrl } : {}),
    LOG_LEVEL: 'silent',
    MOSAIC_JWT_SECRET: randomBytes(32).toString('hex'),
  });
  let printed = '';
  const app: NestExpressApplication = await createApp(config, {
    printSecret: (message) => (printed += message),
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/api/v1`;
  const call = async (path: string, body: object, token?: string) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, string>;
  };
  const adminPassword = /password: (\S+)/.exec(printed)?.[1];
  if (!adminPassword) throw new Error('the server did not print the first admin password');
  const admin = (await call('/auth/token', { username: 'admin', password: adminPassword })).access_token;
  const password = randomBytes(18).toString('base64url');
  await call('/users', { username: 'bench', password, roles: [Role.Integration] }, admin);
  const token = (await call('/auth/token', { username: 'bench', password })).access_token;
  return {
    baseUrl,
    token,
    close: async () => {
      await app.close();
      await cleanup();
    },
  };
}

async function createPatient(server: Server, mrn: string): Promise<string> {
  const response = await fetch(`${server.baseUrl}/patients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify({ name: { family: 'Bench' }, identifiers: [{ value: mrn }] }),
  });
  if (response.status !== 201) throw new Error(`patient: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** 10,000 observations cycling through all six codes, one minute apart, starting at `start`. */
function vitalsBatch(start: number): string {
  const channels = [
    ['8867-4', '/min', 60, 40],
    ['9279-1', '/min', 12, 10],
    ['59408-5', '%', 90, 10],
    ['8310-5', 'Cel', 36, 2],
    ['8480-6', 'mm[Hg]', 100, 40],
    ['8462-4', 'mm[Hg]', 60, 30],
  ] as const;
  const observations = Array.from({ length: BATCH }, (_, i) => {
    const [code, unit, base, spread] = channels[i % channels.length];
    return {
      code,
      unit,
      value: base + ((i * 7919) % (spread * 10)) / 10,
      effectiveAt: new Date(start + Math.floor(i / channels.length) * 60_000).toISOString(),
    };
  });
  return JSON.stringify({ observations });
}

async function benchVitals(server: Server, runs: number): Promise<number[]> {
  const patientId = await createPatient(server, `BENCH-V-${randomBytes(4).toString('hex')}`);
  const rates: number[] = [];
  // Run 0 warms up the route, the JIT and the database caches; it is not counted.
  for (let run = 0; run <= runs; run += 1) {
    const body = vitalsBatch(Date.UTC(2024, 0, 1) + run * 30 * 24 * 3600 * 1000);
    const started = performance.now();
    const response = await fetch(`${server.baseUrl}/patients/${patientId}/vitals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body,
    });
    const result = (await response.json()) as { created: number };
    const seconds = (performance.now() - started) / 1000;
    if (response.status !== 201 || result.created !== BATCH) {
      throw new Error(`vitals batch: ${response.status} ${JSON.stringify(result)}`);
    }
    if (run > 0) rates.push(BATCH / seconds);
    log(`  vitals run ${run}${run === 0 ? ' (warm-up)' : ''}: ${(BATCH / seconds).toFixed(0)} obs/s`);
  }
  return rates;
}

/** Deterministic 512×512 16-bit DX images, each with its own SOP Instance UID. */
async function dicomFiles(run: number): Promise<Uint8Array[]> {
  const files: Uint8Array[] = [];
  const study = `1.2.826.0.1.3680043.10.9.${run}`;
  for (let index = 0; index < DICOM_FILES_PER_UPLOAD; index += 1) {
    const pixels = new Uint16Array(DICOM_SIZE * DICOM_SIZE);
    for (let i = 0; i < pixels.length; i += 1) pixels[i] = (i * 31 + index * 977 + run * 13) % 4096;
    files.push(
      await writeDicom({
        transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
        elements: [
          { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1.1' },
          { tag: 0x00080018, vr: 'UI', value: `${study}.1.${index}` },
          { tag: 0x00080020, vr: 'DA', value: '20240315' },
          { tag: 0x00080022, vr: 'DA', value: '20240315' },
          { tag: 0x00080032, vr: 'TM', value: '101500' },
          { tag: 0x00080060, vr: 'CS', value: 'DX' },
          { tag: 0x0020000d, vr: 'UI', value: study },
          { tag: 0x0020000e, vr: 'UI', value: `${study}.1` },
        ],
        image: { rows: DICOM_SIZE, columns: DICOM_SIZE, bitsAllocated: 16, bitsStored: 12, frames: [pixels] },
      }),
    );
  }
  return files;
}

async function benchDicom(server: Server, runs: number): Promise<{ files: number[]; megabytes: number[] }> {
  const patientId = await createPatient(server, `BENCH-D-${randomBytes(4).toString('hex')}`);
  const filesPerSecond: number[] = [];
  const megabytesPerSecond: number[] = [];
  for (let run = 0; run <= runs; run += 1) {
    const files = await dicomFiles(run);
    const form = new FormData();
    files.forEach((bytes, index) =>
      form.append('files', new Blob([bytes], { type: 'application/dicom' }), `image-${index}.dcm`),
    );
    const bytes = files.reduce((sum, file) => sum + file.byteLength, 0);
    const started = performance.now();
    const response = await fetch(`${server.baseUrl}/patients/${patientId}/images`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: form,
    });
    const result = (await response.json()) as { created: number };
    const seconds = (performance.now() - started) / 1000;
    if (response.status !== 201 || result.created !== files.length) {
      throw new Error(`dicom upload: ${response.status} ${JSON.stringify(result)}`);
    }
    if (run > 0) {
      filesPerSecond.push(files.length / seconds);
      megabytesPerSecond.push(bytes / 1e6 / seconds);
    }
    log(`  dicom run ${run}${run === 0 ? ' (warm-up)' : ''}: ${(files.length / seconds).toFixed(1)} files/s`);
  }
  return { files: filesPerSecond, megabytes: megabytesPerSecond };
}

function section(figures: EngineFigures[], runs: number, loadAtStart: number): string {
  const cpu = cpus();
  const lines = [
    '## Ingestion',
    '',
    `Measured by \`npm run bench:ingest\` (bench/ingest/bench-ingest.ts) on ${new Date().toISOString().slice(0, 10)}:`,
    'the real Nest application over HTTP on 127.0.0.1, one client request at a time, median of',
    `${runs} runs after one warm-up run. Each vitals run posts one batch of ${BATCH.toLocaleString('en')} new observations`,
    `(all six codes); each DICOM run uploads ${DICOM_FILES_PER_UPLOAD} new ${DICOM_SIZE}×${DICOM_SIZE} 16-bit files in one multipart request.`,
    '',
    `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`,
    `(shared with other work: 1-minute load average ${loadAtStart.toFixed(1)} when the run started, so treat the figures as a floor).`,
    '',
    '| Engine | Vitals (observations/s) | DICOM (files/s) | DICOM (MB/s) |',
    '| --- | --- | --- | --- |',
    ...figures.map(
      (entry) =>
        `| ${entry.engine === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL'} | ${median(entry.vitalsPerSecond).toFixed(0)} | ` +
        `${median(entry.dicomFilesPerSecond).toFixed(1)} | ${median(entry.dicomMegabytesPerSecond).toFixed(1)} |`,
    ),
    '',
    'Goal on PostgreSQL: at least 20,000 observations/s for 10,000-observation batches.',
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsIndex = args.indexOf('--runs');
  const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 7;
  if (!Number.isInteger(runs) || runs < 5) throw new Error('--runs must be an integer ≥ 5');
  const engines: DatabaseEngine[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
  if (!process.env.DATABASE_URL) log('DATABASE_URL is not set: measuring PGlite only');
  const loadAtStart = loadavg()[0];
  const figures: EngineFigures[] = [];
  for (const engine of engines) {
    log(`${engine}:`);
    const server = await startServer(engine);
    try {
      const vitalsPerSecond = await benchVitals(server, runs);
      const dicom = await benchDicom(server, runs);
      figures.push({
        engine,
        vitalsPerSecond,
        dicomFilesPerSecond: dicom.files,
        dicomMegabytesPerSecond: dicom.megabytes,
      });
    } finally {
      await server.close();
    }
  }
  // Formatted as `npm run lint` expects, so a fresh run never leaves the docs failing prettier --check.
  const text = await format(section(figures, runs, loadAtStart), {
    ...(await resolveConfig(BENCHMARKS_DOC)),
    parser: 'markdown',
  });
  process.stdout.write(`${text}\n`);
  if (!args.includes('--no-write')) {
    writeBenchmarkSection('## Ingestion', text);
    log(`wrote the Ingestion section of ${BENCHMARKS_DOC}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
