/**
 * Assessment serving benchmark (`npm run bench:assess`). Replaces the `## Assessment` section of
 * docs/benchmarks.md with, all measured in the same run:
 *
 * 1. single-request latency through the real server over HTTP (one client, one patient with note,
 *    image and vitals): p50 and p95, cold (embedding and prepared-image caches emptied before each
 *    request) and warm (the same inputs again: every encoder output and the prepared image
 *    cached), split by the stages the record holds;
 * 2. throughput under concurrency with autocannon at 16 and 64 connections: assessments/s and p95,
 *    micro-batching on (the default) and off (MOSAIC_BATCH_MAX_SIZE=1), with the cache on (default)
 *    and off, on the embedded database and — when DATABASE_URL is set — on PostgreSQL;
 * 3. serving overhead in process with no database: the service time of an assessment (tensors to
 *    recorded outputs and explanations, and with preprocessing) over the sum of the raw session.run
 *    times of the same inputs (encoders and the fusion run with its three occlusion re-runs);
 * 4. the onnxruntime session options tried (raw session.run time per assessment).
 *
 *   node -r ./tools/node/register.js bench/assess/bench-assess.ts [--reps 40] [--duration 10] [--patients 16] [--no-write]
 */
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { format, resolveConfig } from 'prettier';
import { DataSource } from 'typeorm';
import { generatePatient } from '@mosaic/cohort';
import { closeCodecWorker } from '@mosaic/dicom';
import { runAssessment } from '@mosaic/fusion';
import type { LoadedModel, ModelInputs, RawPatientInputs } from '@mosaic/inference';
import {
  BatchedRunner,
  committedModelDirs,
  EmbeddingCache,
  loadModel,
  prepareModelInputs,
  warmUp,
} from '@mosaic/inference';
import type { DatabaseEngine } from '@mosaic/persistence';
import { createTestSettings } from '@mosaic/persistence/testing';
import { createApp } from '../../apps/api/src/app.factory';
import { AssessmentsService } from '../../apps/api/src/assessments/assessments.service';
import { AssessmentInputsService } from '../../apps/api/src/assessments/assessment-inputs.service';
import { TokenService } from '../../apps/api/src/auth/token.service';
import { loadConfig } from '../../apps/api/src/config/app-config';
import { DEMO_USERNAME, loadDemoData } from '../../apps/api/src/demo/demo-data.loader';
import { median, percentile } from '../support/stats';
import { compareSessionOptions } from './session-options';
import { BENCHMARKS_DOC, writeBenchmarkSection } from '../support/benchmarks-doc';

const args = process.argv.slice(2);
const numberArg = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 && Number(args[at + 1]) > 0 ? Number(args[at + 1]) : fallback;
};
const REPS = numberArg('--reps', 40);
const DURATION_S = numberArg('--duration', 10);
const PATIENTS = numberArg('--patients', 16);
const CONNECTIONS = [16, 64];
/** `--only overhead|sessions|latency|throughput` runs one part, for trying a change; it never writes. */
const ONLY = args.indexOf('--only') >= 0 ? args[args.indexOf('--only') + 1] : null;
const runs = (part: string): boolean => ONLY === null || ONLY === part;
const log = (message: string): void => void process.stderr.write(`[bench:assess] ${message}\n`);
const ms = (value: number): string => value.toFixed(1);

// ------------------------------------------------------------------------------------------ server

interface Server {
  app: NestExpressApplication;
  baseUrl: string;
  token: string;
  service: AssessmentsService;
  inputs: AssessmentInputsService;
  close(): Promise<void>;
}

interface Dataset {
  engine: DatabaseEngine;
  env: Record<string, string>;
  cleanup(): Promise<void>;
  /** Patients with their asOf; `full` ones had note, image and vitals used. */
  patients: { id: string; asOf: string; full: boolean }[];
}

async function startServer(dataset: Omit<Dataset, 'patients'>, env: Record<string, string>): Promise<Server> {
  const config = loadConfig({ ...dataset.env, ...env });
  const app = await createApp(config, { printSecret: () => undefined });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/api/v1`;
  for (let i = 0; ; i++) {
    if ((await fetch(`${baseUrl}/health/ready`)).ok) break;
    if (i > 1200) throw new Error('the model did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    app,
    baseUrl,
    // The demo loader's service account (integration + clinician), minted in process.
    token: app.get(TokenService).issue(DEMO_USERNAME).accessToken,
    service: app.get(AssessmentsService),
    inputs: app.get(AssessmentInputsService),
    close: () => app.close(),
  };
}

/** A fresh database with the demo cohort's first PATIENTS patients ingested and assessed through the API. */
async function createDataset(engine: DatabaseEngine): Promise<Dataset> {
  const { settings, cleanup } = await createTestSettings(engine);
  const env = {
    MOSAIC_DATA_DIR: settings.dataDir,
    ...(settings.databaseUrl ? { DATABASE_URL: settings.databaseUrl } : {}),
    LOG_LEVEL: 'silent',
    MOSAIC_JWT_SECRET: 'bench-signing-key-that-is-at-least-32-characters',
    MOSAIC_DEMO: 'false',
  };
  const base = { engine, env, cleanup };
  const server = await startServer({ ...base, patients: [] } as Dataset, {});
  try {
    const started = performance.now();
    await loadDemoData(server.app, { patients: PATIENTS, apiUrl: server.baseUrl });
    log(
      `${engine}: ${PATIENTS} demo patients ingested and assessed in ${ms((performance.now() - started) / 1000)} s`,
    );
    const rows = (await server.app
      .get(DataSource)
      .query(`SELECT patient_id, as_of, inputs FROM assessments ORDER BY assessed_at`)) as {
      patient_id: string;
      as_of: Date | string;
      inputs: { present: string[] };
    }[];
    const patients = rows.map((row) => ({
      id: row.patient_id,
      asOf: new Date(row.as_of).toISOString(),
      full: row.inputs.present.length === 3,
    }));
    return { ...base, patients };
  } finally {
    await server.close();
  }
}

async function assess(
  server: Server,
  patient: { id: string; asOf: string },
): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.baseUrl}/patients/${patient.id}/assessments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify({ asOf: patient.asOf }),
  });
  if (response.status !== 201) throw new Error(`assessment: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

// ------------------------------------------------------------------------------ 1. single request

const STAGES = ['preprocess', 'encoders', 'fusion', 'explanation', 'persistence'] as const;

interface LatencyFigures {
  total: number[];
  stages: Record<(typeof STAGES)[number] | 'collect' | 'queue', number[]>;
  cached: string;
}

async function singleRequestLatency(
  server: Server,
  patient: { id: string; asOf: string },
): Promise<{ cold: LatencyFigures; warm: LatencyFigures }> {
  const empty = (): LatencyFigures => ({
    total: [],
    stages: {
      queue: [],
      collect: [],
      preprocess: [],
      encoders: [],
      fusion: [],
      explanation: [],
      persistence: [],
    },
    cached: '',
  });
  const figures = { cold: empty(), warm: empty() };
  const cache = server.service.runner.cache;
  if (!cache) throw new Error('the embedding cache is off: the warm figures need it');
  const imageInputs = server.inputs.imageInputs;
  if (!imageInputs.enabled) throw new Error('the prepared-image cache is off: the warm figures need it');
  for (let rep = -3; rep < REPS; rep++) {
    for (const kind of ['cold', 'warm'] as const) {
      if (kind === 'cold') {
        cache.clear();
        imageInputs.clear();
      }
      const started = performance.now();
      const body = await assess(server, patient);
      const total = performance.now() - started;
      if (rep < 0) continue; // warm-up of the route and the JIT
      const latency = body.latencyMs as Record<string, number> & {
        cached: Record<string, boolean | null>;
        inputCached: { image: boolean | null };
      };
      const f = figures[kind];
      f.total.push(total);
      f.stages.queue.push(latency.queueMs);
      f.stages.collect.push(latency.collectMs);
      f.stages.preprocess.push(latency.preprocessMs);
      f.stages.encoders.push(latency.encodersMs);
      f.stages.fusion.push(latency.fusionMs);
      f.stages.explanation.push(latency.explanationMs);
      f.stages.persistence.push(latency.persistenceMs);
      const state = (c: boolean | null): string => (c === null ? 'absent' : c ? 'hit' : 'miss');
      f.cached = [
        ...Object.entries(latency.cached).map(([m, c]) => `${m} ${state(c)}`),
        `prepared image ${state(latency.inputCached.image)}`,
      ].join(', ');
    }
  }
  return figures;
}

// ---------------------------------------------------------------------------------- 2. throughput

interface Throughput {
  engine: DatabaseEngine;
  batching: boolean;
  cache: boolean;
  connections: number;
  perSecond: number;
  p95: number;
  p50: number;
  errors: number;
  statuses: string;
  meanBatch: number;
}

async function throughput(
  server: Server,
  patients: readonly { id: string; asOf: string }[],
  connections: number,
  duration: number,
): Promise<{ perSecond: number; p50: number; p95: number; errors: number; statuses: string }> {
  let next = 0;
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const statuses = new Map<number, number>();
  const options: autocannon.Options = {
    url: server.baseUrl,
    connections,
    duration,
    timeout: 60,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const patient = patients[next++ % patients.length];
          return {
            ...request,
            path: `/api/v1/patients/${patient.id}/assessments`,
            body: JSON.stringify({ asOf: patient.asOf }),
          };
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      if (status === 201) {
        ok++;
        latencies.push(responseTime);
      } else {
        errors++;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    });
  });
  errors += result.errors + result.timeouts;
  if (result.errors + result.timeouts > 0) statuses.set(0, result.errors + result.timeouts);
  return {
    statuses: [...statuses]
      .sort((a, b) => a[0] - b[0])
      .map(([status, count]) => `${count} × ${status === 0 ? 'timeout or socket error' : status}`)
      .join(', '),
    perSecond: ok / duration,
    p50: latencies.length ? percentile(latencies, 50) : NaN,
    p95: latencies.length ? percentile(latencies, 95) : NaN,
    errors,
  };
}

// ------------------------------------------------------------------------------------ 3. overhead

interface Overhead {
  inference: InferenceThroughput[];
  preprocessMs: number;
  /** Sum of session.run of encoders + 4 fusion runs, batch 1, no cache. */
  rawMs: number;
  /** runAssessment with the direct runner (batch 1, no cache: the replay path). */
  directMs: number;
  coldMs: number;
  coldRawMs: number;
  warmMs: number;
  warmRawMs: number;
}

/** A view of the model whose sessions add each session.run's wall time to `elapsed.ms`. */
function timedModel(model: LoadedModel): { model: LoadedModel; elapsed: { ms: number } } {
  const elapsed = { ms: 0 };
  const sessions = {} as LoadedModel['sessions'];
  for (const [name, session] of Object.entries(model.sessions) as [
    keyof LoadedModel['sessions'],
    LoadedModel['sessions']['text'],
  ][]) {
    const timed = Object.create(session) as typeof session;
    timed.run = (async (...runArgs: Parameters<typeof session.run>) => {
      const t0 = performance.now();
      try {
        return await session.run(...runArgs);
      } finally {
        elapsed.ms += performance.now() - t0;
      }
    }) as typeof session.run;
    sessions[name] = timed;
  }
  return { model: { ...model, sessions }, elapsed };
}

async function demoRawInputs(count: number): Promise<RawPatientInputs[]> {
  const out: RawPatientInputs[] = [];
  for (let index = 0; out.length < count; index++) {
    const { record, files } = await generatePatient(5, index);
    if (!record.note || !record.image || !record.vitals) continue;
    const file = (path: string): Uint8Array => files.find((f) => f.path === path)?.bytes as Uint8Array;
    const observations = JSON.parse(Buffer.from(file(record.vitals.file)).toString('utf8')) as {
      code: string;
      time: string;
      value: number;
    }[];
    out.push({
      note: { id: `note-${index}`, text: Buffer.from(file(record.note.file)).toString('utf8') },
      image: { instanceId: `image-${index}`, bytes: file(record.image.file) },
      vitals: { observations, end: record.vitals.end },
    });
  }
  return out;
}

async function servingOverhead(): Promise<Overhead> {
  const loaded = await loadModel(committedModelDirs()[0]);
  await warmUp(loaded);
  const { model, elapsed } = timedModel(loaded);
  const raws = await demoRawInputs(8);
  const cache = new EmbeddingCache(256 << 20);
  const runner = new BatchedRunner({ maxSize: 8, maxWaitMs: 2, cache });
  const f = {
    pre: [] as number[],
    raw: [] as number[],
    direct: [] as number[],
    cold: [] as number[],
    coldRaw: [] as number[],
    warm: [] as number[],
    warmRaw: [] as number[],
  };
  for (let rep = -3; rep < REPS; rep++) {
    const raw = raws[(rep + 3) % raws.length];
    let t0 = performance.now();
    const tensors: ModelInputs = await prepareModelInputs(raw, model.preprocessing);
    const pre = performance.now() - t0;

    elapsed.ms = 0;
    t0 = performance.now();
    await runAssessment(model, tensors, { noteText: raw.note?.text });
    const direct = performance.now() - t0;
    const rawMs = elapsed.ms;

    cache.clear();
    elapsed.ms = 0;
    t0 = performance.now();
    await runAssessment(model, tensors, { noteText: raw.note?.text, runner });
    const cold = performance.now() - t0;
    const coldRaw = elapsed.ms;

    elapsed.ms = 0;
    t0 = performance.now();
    await runAssessment(model, tensors, { noteText: raw.note?.text, runner });
    const warm = performance.now() - t0;
    const warmRaw = elapsed.ms;
    if (rep < 0) continue;
    f.pre.push(pre);
    f.raw.push(rawMs);
    f.direct.push(direct);
    f.cold.push(cold);
    f.coldRaw.push(coldRaw);
    f.warm.push(warm);
    f.warmRaw.push(warmRaw);
  }
  const tensors: ModelInputs[] = [];
  for (const raw of await demoRawInputs(8)) tensors.push(await prepareModelInputs(raw, loaded.preprocessing));
  const inference: InferenceThroughput[] = [];
  for (const connections of CONNECTIONS) {
    await inferenceThroughput(loaded, tensors, true, connections, 1); // warm-up
    // One-second rounds, on and off alternating, so the machine's noise hits both alike; medians.
    const rounds = {
      on: [] as Awaited<ReturnType<typeof inferenceThroughput>>[],
      off: [] as Awaited<ReturnType<typeof inferenceThroughput>>[],
    };
    for (let round = 0; round < DURATION_S; round++) {
      rounds.on.push(await inferenceThroughput(loaded, tensors, true, connections, 1));
      rounds.off.push(await inferenceThroughput(loaded, tensors, false, connections, 1));
    }
    const summary = (list: Awaited<ReturnType<typeof inferenceThroughput>>[]) => ({
      perSecond: median(list.map((r) => r.perSecond)),
      p95: median(list.map((r) => r.p95)),
      meanBatch: median(list.map((r) => r.meanBatch)),
    });
    const on = summary(rounds.on);
    const off = summary(rounds.off);
    inference.push({ connections, on, off });
    log(
      `  inference only, ${connections} concurrent: batching on ${on.perSecond.toFixed(1)}/s, off ${off.perSecond.toFixed(1)}/s`,
    );
  }
  await loaded.release();
  return {
    inference,
    preprocessMs: median(f.pre),
    rawMs: median(f.raw),
    directMs: median(f.direct),
    coldMs: median(f.cold),
    coldRawMs: median(f.coldRaw),
    warmMs: median(f.warm),
    warmRawMs: median(f.warmRaw),
  };
}

/**
 * Inference alone (no database, no HTTP, no preprocessing): `concurrency` clients each running
 * assessments back to back for `seconds`, on the serving runner with batching on or off and no
 * cache (every request runs every encoder). Assessments per second and p95 latency.
 */
async function inferenceThroughput(
  model: LoadedModel,
  tensors: readonly ModelInputs[],
  batching: boolean,
  concurrency: number,
  seconds: number,
): Promise<{ perSecond: number; p95: number; meanBatch: number }> {
  const runner = new BatchedRunner({ maxSize: batching ? 8 : 1, maxWaitMs: 2, cache: null });
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await runAssessment(model, tensors[next++ % tensors.length], { runner });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const fusion = runner.runs.fusion;
  return {
    perSecond: latencies.length / seconds,
    p95: percentile(latencies, 95),
    meanBatch: batching ? fusion.rows / 4 / Math.max(1, fusion.runs) : 1,
  };
}

interface InferenceThroughput {
  connections: number;
  on: { perSecond: number; p95: number; meanBatch: number };
  off: { perSecond: number; p95: number; meanBatch: number };
}

// --------------------------------------------------------------------------------------- report

function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`;
}

function section(parts: {
  date: string;
  loadStart: number[];
  loadEnd: number[];
  latency: { cold: LatencyFigures; warm: LatencyFigures };
  throughput: Throughput[];
  overhead: Overhead;
  sessions: { name: string; batch1Ms: number; batch8PerRowMs: number }[];
  defaults: { maxSize: string; maxWaitMs: string; cacheBytes: string };
}): string {
  const { latency, overhead } = parts;
  const row = (name: string, f: LatencyFigures): string => {
    const cells = [f.total, ...[...(['queue', 'collect'] as const), ...STAGES].map((s) => f.stages[s])].map(
      (values) => `${ms(median(values))} / ${ms(percentile(values, 95))}`,
    );
    return `| ${name} | ${cells.join(' | ')} | ${f.cached} |`;
  };
  const find = (engine: DatabaseEngine, batching: boolean, cache: boolean, connections: number) =>
    parts.throughput.find(
      (t) =>
        t.engine === engine && t.batching === batching && t.cache === cache && t.connections === connections,
    );
  const engines = [...new Set(parts.throughput.map((t) => t.engine))];
  const speedup = (engine: DatabaseEngine, cache: boolean, connections: number): number =>
    (find(engine, true, cache, connections)?.perSecond ?? NaN) /
    (find(engine, false, cache, connections)?.perSecond ?? NaN);
  const warmP50 = median(latency.warm.total);
  const batchingGain = speedup('pglite', true, 64);
  const warmOverhead = overhead.warmMs / overhead.rawMs;
  const at64 = overhead.inference.find((r) => r.connections === 64);
  const inferenceGain = at64 ? at64.on.perSecond / at64.off.perSecond : NaN;
  const http64Errors = parts.throughput.some(
    (t) => t.engine === 'pglite' && t.connections === 64 && t.errors > 0,
  );
  const coldOverhead = overhead.coldMs / overhead.coldRawMs;
  const met = (ok: boolean): string => (ok ? '**met**' : '**not met**');
  return [
    '## Assessment',
    '',
    `\`npm run bench:assess\`, ${parts.date}. Machine: ${machine()}; load average ${parts.loadStart
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )} at the start and ${parts.loadEnd.map((l) => l.toFixed(2)).join(' ')} at the end (the machine is shared: a training job may run beside it). Model: the committed \`mosaic-fusion-demo\`; sessions with the defaults (1 intra-op and 1 inter-op thread, graph optimisation \`all\`, sequential execution); micro-batching \`MOSAIC_BATCH_MAX_SIZE=${parts.defaults.maxSize}\`, \`MOSAIC_BATCH_MAX_WAIT_MS=${parts.defaults.maxWaitMs}\`; embedding cache ${parts.defaults.cacheBytes} bytes. Every figure below comes from this one run; compare within it.`,
    '',
    '### Single request',
    '',
    `One client, one demo patient with note, chest radiograph and vitals, through the real server over HTTP on the embedded database; ${REPS} requests each, cold and warm interleaved. Cold: the embedding cache and the prepared-image cache are emptied before the request. Warm: the same inputs again, so every encoder output and the prepared image come from the caches. Stages from the recorded latency breakdown; "admission" is checking the patient and leasing the active model version (a database read), "read" is reading the inputs from the database, "preprocess" is DICOM decode and resize, tokenisation and vitals gridding. Median / p95, ms; the end-to-end time also holds authentication, HTTP and the response's JSON.`,
    '',
    '| request | end to end | admission | read | preprocess | encoders | fusion (4 runs) | explanation | persistence | encoder cache |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    row('cold', latency.cold),
    row('warm', latency.warm),
    '',
    '### Throughput',
    '',
    `autocannon, ${DURATION_S} s per cell after a warm-up, POST /patients/:id/assessments cycling through ${PATIENTS} demo patients (each as of its own latest evidence). Batching off is \`MOSAIC_BATCH_MAX_SIZE=1\`. With the cache on, the encoders run once per patient and input, so the runs are mostly fusion, explanation, preprocessing and the database; with the cache off every request runs every encoder. "mean batch" is the mean number of assessments per fusion run.`,
    '',
    '| database | cache | connections | batching on: assessments/s | p95 ms | mean batch | batching off: assessments/s | p95 ms | on / off | refused or failed |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...engines.flatMap((engine) =>
      [true, false].flatMap((cache) =>
        CONNECTIONS.map((connections) => {
          const on = find(engine, true, cache, connections);
          const off = find(engine, false, cache, connections);
          const errors = [
            on?.statuses ? `on: ${on.statuses}` : '',
            off?.statuses ? `off: ${off.statuses}` : '',
          ]
            .filter(Boolean)
            .join('; ');
          return `| ${engine} | ${cache ? 'on' : 'off'} | ${connections} | ${on?.perSecond.toFixed(1)} | ${ms(on?.p95 ?? NaN)} | ${on?.meanBatch.toFixed(2)} | ${off?.perSecond.toFixed(1)} | ${ms(off?.p95 ?? NaN)} | ${speedup(engine, cache, connections).toFixed(2)}× | ${errors || 'none'} |`;
        }),
      ),
    ),
    '',
    `The same micro-batching on inference alone (in process: no HTTP, no database, no preprocessing; cache off, so every request runs every encoder; medians of ${DURATION_S} one-second rounds, on and off alternating; ${CONNECTIONS.join(' and ')} concurrent clients running assessments of 8 generated patients back to back):`,
    '',
    '| concurrent | batching on: assessments/s | p95 ms | mean batch | batching off: assessments/s | p95 ms | on / off |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...overhead.inference.map(
      (r) =>
        `| ${r.connections} | ${r.on.perSecond.toFixed(1)} | ${ms(r.on.p95)} | ${r.on.meanBatch.toFixed(2)} | ${r.off.perSecond.toFixed(1)} | ${ms(r.off.p95)} | ${(r.on.perSecond / r.off.perSecond).toFixed(2)}× |`,
    ),
    '',
    '### Serving overhead',
    '',
    `In process, no database, no HTTP: ${REPS} assessments of 8 generated patients with all three modalities. Raw = the sum of the wall time of every session.run the assessment needs, measured on the same sessions in the same process: 3 encoders and the fusion run with its 3 occlusion re-runs, batch 1. Service = \`runAssessment\` from tensors to the recorded outputs and the explanations of every label; preprocessing (raw note, DICOM and vitals to tensors) is listed beside it. Medians, ms.`,
    '',
    '| path | service | session.run in it | raw (all graphs, batch 1) | service / raw |',
    '| --- | --- | --- | --- | --- |',
    `| direct runner (batch 1, no cache: the replay path) | ${ms(overhead.directMs)} | ${ms(overhead.rawMs)} | ${ms(overhead.rawMs)} | ${(overhead.directMs / overhead.rawMs).toFixed(2)}× |`,
    `| serving runner, cold cache | ${ms(overhead.coldMs)} | ${ms(overhead.coldRawMs)} | ${ms(overhead.rawMs)} | ${(overhead.coldMs / overhead.rawMs).toFixed(2)}× (${coldOverhead.toFixed(2)}× its own runs) |`,
    `| serving runner, warm cache | ${ms(overhead.warmMs)} | ${ms(overhead.warmRawMs)} | ${ms(overhead.rawMs)} | ${warmOverhead.toFixed(2)}× (${(overhead.warmMs / overhead.warmRawMs).toFixed(2)}× its own runs) |`,
    `| preprocessing (not in the rows above) | ${ms(overhead.preprocessMs)} | | | |`,
    '',
    '### Session options',
    '',
    `Raw session.run time of one assessment's graphs (3 encoders + 4 fusion runs), batch 1, and per patient in a batch of 8; medians of ${REPS * 2} interleaved repetitions, each variant its own sessions.`,
    '',
    '| session options | batch 1, ms | batch 8, ms per patient |',
    '| --- | --- | --- |',
    ...parts.sessions.map((s) => `| ${s.name} | ${ms(s.batch1Ms)} | ${ms(s.batch8PerRowMs)} |`),
    '',
    '### Goals (2 cores)',
    '',
    `- Warm p50 under 30 ms (end to end over HTTP, one client): ${ms(warmP50)} ms, ${met(warmP50 < 30)}. Of the warm request, inference (encoders, fusion, explanation) takes ${ms(median(latency.warm.stages.encoders) + median(latency.warm.stages.fusion) + median(latency.warm.stages.explanation))} ms at the median; reading the inputs, preprocessing them and writing the record take the rest.`,
    `- Batching at least 1.5× the throughput at 64 connections. Through the server (embedded database, cache on): ${batchingGain.toFixed(2)}×${http64Errors ? ' with requests refused or failed (see the table), so not a clean comparison' : ''}; cache off ${speedup('pglite', false, 64).toFixed(2)}×; at 16 connections ${speedup('pglite', true, 16).toFixed(2)}× and ${speedup('pglite', false, 16).toFixed(2)}×. ${met(batchingGain >= 1.5 && !http64Errors && speedup('pglite', false, 64) >= 1.5)} through the server, where the database and preprocessing, not inference, bound the throughput.${parts.throughput.some((t) => t.engine === 'postgres') ? ` On PostgreSQL, whose work runs in its own process rather than on the server's thread: ${speedup('postgres', true, 64).toFixed(2)}× with the cache, ${speedup('postgres', false, 64).toFixed(2)}× without.` : ''} On inference alone: ${inferenceGain.toFixed(2)}× at 64 concurrent, ${met(inferenceGain >= 1.5)}; the session options table bounds it, since a row costs ${ms(parts.sessions[0].batch8PerRowMs)} ms in a batch of 8 against ${ms(parts.sessions[0].batch1Ms)} ms alone (at most ${(parts.sessions[0].batch1Ms / parts.sessions[0].batch8PerRowMs).toFixed(2)}×).`,
    `- Serving overhead at most 1.25× warm (service over the raw session.run of the same inputs, database excluded): ${warmOverhead.toFixed(2)}×, ${met(warmOverhead <= 1.25)} (the cache and the shared fusion run save more session.run time than the rest adds); cold ${(overhead.coldMs / overhead.rawMs).toFixed(2)}×. Against only the session.run calls the warm request still makes (the fusion run), the service takes ${(overhead.warmMs / overhead.warmRawMs).toFixed(2)}×: explanations, digests and the record's encoding cost more than the fusion itself.`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  const defaults = loadConfig({ MOSAIC_JWT_SECRET: 'bench-signing-key-that-is-at-least-32-characters' });
  const engines: DatabaseEngine[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

  let overhead = {} as Overhead;
  if (runs('overhead')) {
    log('serving overhead (in process)');
    overhead = await servingOverhead();
    log(`  raw ${ms(overhead.rawMs)} ms, warm ${ms(overhead.warmMs)} ms, cold ${ms(overhead.coldMs)} ms`);
  }
  let sessions: Awaited<ReturnType<typeof compareSessionOptions>> = [];
  if (runs('sessions')) {
    log('session options');
    sessions = await compareSessionOptions(committedModelDirs()[0], REPS * 2);
    for (const s of sessions) log(`  ${s.name}: ${ms(s.batch1Ms)} ms, ${ms(s.batch8PerRowMs)} ms/row in 8`);
  }
  if (!runs('latency') && !runs('throughput')) {
    await closeCodecWorker();
    return;
  }

  let latency: { cold: LatencyFigures; warm: LatencyFigures } | undefined;
  const results: Throughput[] = [];
  for (const engine of engines) {
    const dataset = await createDataset(engine);
    try {
      const full = dataset.patients.filter((p) => p.full);
      if (full.length === 0) throw new Error('no demo patient has all three modalities');
      if (engine === 'pglite' && runs('latency')) {
        const server = await startServer(dataset, {});
        try {
          log('single-request latency');
          latency = await singleRequestLatency(server, full[0]);
          log(
            `  warm p50 ${ms(median(latency.warm.total))} ms, cold p50 ${ms(median(latency.cold.total))} ms`,
          );
        } finally {
          await server.close();
        }
      }
      for (const cache of runs('throughput') ? [true, false] : []) {
        for (const batching of [true, false]) {
          const server = await startServer(dataset, {
            ...(batching ? {} : { MOSAIC_BATCH_MAX_SIZE: '1' }),
            ...(cache ? {} : { MOSAIC_EMBEDDING_CACHE_BYTES: '0', MOSAIC_IMAGE_INPUT_CACHE_BYTES: '0' }),
          });
          try {
            await throughput(server, dataset.patients, 16, 3); // warm-up (fills the cache when on)
            for (const connections of CONNECTIONS) {
              const before = { ...server.service.runner.runs.fusion };
              const figures = await throughput(server, dataset.patients, connections, DURATION_S);
              const after = server.service.runner.runs.fusion;
              // A fusion run holds 4 rows per assessment (the full run and 3 occlusion re-runs).
              const meanBatch = batching
                ? (after.rows - before.rows) / 4 / Math.max(1, after.runs - before.runs)
                : 1;
              results.push({ engine, batching, cache, connections, meanBatch, ...figures });
              log(
                `  ${engine} cache ${cache ? 'on' : 'off'} batching ${batching ? 'on' : 'off'} ${connections} connections: ${figures.perSecond.toFixed(1)}/s p95 ${ms(figures.p95)} ms (errors ${figures.errors})`,
              );
            }
          } finally {
            await server.close();
          }
        }
      }
    } finally {
      await dataset.cleanup();
    }
  }
  await closeCodecWorker();
  if (ONLY !== null) return;

  const text = section({
    date: new Date().toISOString().slice(0, 10),
    loadStart,
    loadEnd: loadavg(),
    latency: latency as { cold: LatencyFigures; warm: LatencyFigures },
    throughput: results,
    overhead,
    sessions,
    defaults: {
      maxSize: String(defaults.MOSAIC_BATCH_MAX_SIZE),
      maxWaitMs: String(defaults.MOSAIC_BATCH_MAX_WAIT_MS),
      cacheBytes: String(defaults.MOSAIC_EMBEDDING_CACHE_BYTES),
    },
  });
  const formatted = await format(text, { ...(await resolveConfig(BENCHMARKS_DOC)), parser: 'markdown' });
  process.stdout.write(formatted);
  if (!args.includes('--no-write')) {
    writeBenchmarkSection('## Assessment', formatted.trimEnd());
    log(`wrote the Assessment section of ${BENCHMARKS_DOC}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
