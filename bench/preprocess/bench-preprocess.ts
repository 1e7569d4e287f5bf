/**
 * `npm run bench:preprocess [-- --rounds 5 --no-write]`: what the preprocessing worker pool
 * (apps/api assessments/preprocess-pool, MOSAIC_PREPROCESS_WORKERS) buys and costs, measured in one
 * run for 0 (in process), 1 and 2 workers:
 *
 * 1. responsiveness: the worst event-loop delay (perf_hooks.monitorEventLoopDelay) while four
 *    full-size radiographs (2500 × 2048, 12 bits) are prepared concurrently — what a health check
 *    or any other request waits at worst — and the time to prepare all four;
 * 2. cost: the latency of preparing one generated cohort patient (note, 384 × 320 radiograph,
 *    vitals) alone, the serving case, where the worker adds a round trip.
 *
 * Replaces the `## Preprocessing workers` section of docs/benchmarks.md.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { format, resolveConfig } from 'prettier';
import { generatePatient } from '@mosaic/cohort';
import { closeCodecWorker } from '@mosaic/dicom';
import { largeRadiograph } from '@mosaic/dicom/testing';
import type { PreprocessingConfig, RawPatientInputs } from '@mosaic/inference';
import { committedModelDirs, loadModel, prepareModelInputs } from '@mosaic/inference';
import type { VitalsObservation } from '@mosaic/preprocess';
import { PreprocessPool } from '../../apps/api/src/assessments/preprocess-pool/preprocess-pool';
import { BENCHMARKS_DOC, writeBenchmarkSection } from '../support/benchmarks-doc';
import { median } from '../support/stats';

const SECTION = '## Preprocessing workers';
const MODES = [0, 1, 2];

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

async function cohortPatient(): Promise<RawPatientInputs> {
  for (let index = 0; ; index++) {
    const { record, files } = await generatePatient(8088, index);
    if (!record.note || !record.image || !record.vitals) continue;
    const bytes = (file: string): Buffer => Buffer.from(files.find((f) => f.path === file)?.bytes ?? []);
    return {
      note: { id: record.note.file, text: bytes(record.note.file).toString('utf8') },
      image: { instanceId: record.image.sopInstanceUid, bytes: new Uint8Array(bytes(record.image.file)) },
      vitals: {
        observations: JSON.parse(bytes(record.vitals.file).toString('utf8')) as VitalsObservation[],
        end: record.vitals.end,
      },
    };
  }
}

/** A copy owning its buffer (the pool takes the image bytes over). */
const fresh = (raw: RawPatientInputs): RawPatientInputs =>
  raw.image ? { ...raw, image: { ...raw.image, bytes: new Uint8Array(raw.image.bytes) } } : raw;

interface ModeFigures {
  workers: number;
  worstDelayMs: number[];
  batchMs: number[];
  singleMs: number[];
}

interface Mode {
  figures: ModeFigures;
  prepare: (raw: RawPatientInputs) => Promise<unknown>;
  pool: PreprocessPool | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One round of one mode: the four large images at once, then ten single patients one after another. */
async function round(mode: Mode, large: RawPatientInputs[], single: RawPatientInputs): Promise<void> {
  const jobs = large.map(fresh);
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  // The delay timer must be running before the work starts, or a loop blocked from the first
  // instant is never sampled.
  await sleep(30);
  const started = performance.now();
  await Promise.all(jobs.map(mode.prepare));
  mode.figures.batchMs.push(performance.now() - started);
  await sleep(30);
  histogram.disable();
  mode.figures.worstDelayMs.push(histogram.max / 1e6);
  for (let i = 0; i < 10; i++) {
    const raw = fresh(single);
    const t = performance.now();
    await mode.prepare(raw);
    mode.figures.singleMs.push(performance.now() - t);
  }
}

/** Rounds interleave the modes, so a change in the machine's load affects every mode alike. */
async function measure(
  config: PreprocessingConfig,
  large: RawPatientInputs[],
  single: RawPatientInputs,
  rounds: number,
): Promise<ModeFigures[]> {
  const modes: Mode[] = MODES.map((workers) => {
    const pool = workers > 0 ? new PreprocessPool({ workers }) : null;
    return {
      figures: { workers, worstDelayMs: [], batchMs: [], singleMs: [] },
      pool,
      prepare: (raw) => (pool ? pool.prepare(raw, config) : prepareModelInputs(raw, config)),
    };
  });
  try {
    // Warm up: workers started and holding the model's parameters, code compiled in every thread.
    for (const mode of modes)
      await Promise.all([...large, single, single].map((raw) => mode.prepare(fresh(raw))));
    for (let r = 0; r < rounds; r++) {
      for (const mode of modes) await round(mode, large, single);
      log(`round ${r + 1}/${rounds}`);
    }
  } finally {
    for (const mode of modes) await mode.pool?.close();
  }
  for (const { figures } of modes) {
    log(
      `workers ${figures.workers}: worst loop delay ${median(figures.worstDelayMs).toFixed(1)} ms, ` +
        `4 large ${median(figures.batchMs).toFixed(0)} ms, one patient ${median(figures.singleMs).toFixed(2)} ms`,
    );
  }
  return modes.map((mode) => mode.figures);
}

function section(all: ModeFigures[], rounds: number, loadAtStart: number): string {
  const cpu = cpus();
  const inProcess = all.find((f) => f.workers === 0) as ModeFigures;
  const baseDelay = median(inProcess.worstDelayMs);
  const baseSingle = median(inProcess.singleMs);
  return [
    SECTION,
    '',
    `Measured by \`npm run bench:preprocess\` (bench/preprocess/bench-preprocess.ts) on ${new Date().toISOString().slice(0, 10)}, medians of ${rounds} rounds`,
    'after a warm-up, the modes interleaved round by round in one run. "Worst loop delay" is the largest event-loop delay',
    '(perf_hooks.monitorEventLoopDelay) while four full-size radiographs (2500 × 2048, 12 bits, histogram',
    'window) are prepared at once: what any other request, a health check included, waits at worst.',
    '"One patient" is preparing a generated cohort patient alone (note, 384 × 320 radiograph, 48 h of vitals),',
    'the serving case, where a worker adds a round trip.',
    '',
    `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`,
    `(shared with other work: 1-minute load average ${loadAtStart.toFixed(1)} when the run started).`,
    '',
    '| MOSAIC_PREPROCESS_WORKERS | Worst loop delay (ms) | vs in process | 4 large images (ms) | One patient (ms) | vs in process |',
    '| --- | --- | --- | --- | --- | --- |',
    ...all.map((f) => {
      const delay = median(f.worstDelayMs);
      const single = median(f.singleMs);
      return (
        `| ${f.workers === 0 ? '0 (in process)' : f.workers} | ${delay.toFixed(1)} | ${f.workers === 0 ? '1' : `${(baseDelay / delay).toFixed(1)}× lower`} | ` +
        `${median(f.batchMs).toFixed(0)} | ${single.toFixed(2)} | ${f.workers === 0 ? '1' : `${(single / baseSingle).toFixed(2)}×`} |`
      );
    }),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--rounds');
  const rounds = at >= 0 ? Number(args[at + 1]) : 5;
  if (!Number.isInteger(rounds) || rounds < 3) throw new Error('--rounds must be an integer ≥ 3');
  const loadAtStart = loadavg()[0];
  const model = await loadModel(committedModelDirs()[0]);
  try {
    const large = await Promise.all(
      [1, 2, 3, 4].map(async (seed): Promise<RawPatientInputs> => ({
        image: { instanceId: `large-${seed}`, bytes: await largeRadiograph(seed, 2500, 2048) },
      })),
    );
    const single = await cohortPatient();
    const all = await measure(model.preprocessing, large, single, rounds);
    const text = await format(section(all, rounds, loadAtStart), {
      ...(await resolveConfig(BENCHMARKS_DOC)),
      parser: 'markdown',
    });
    process.stdout.write(`${text}\n`);
    if (!args.includes('--no-write')) {
      writeBenchmarkSection(SECTION, text);
      log(`wrote the ${SECTION.slice(3)} section of ${BENCHMARKS_DOC}`);
    }
  } finally {
    await model.release();
    await closeCodecWorker();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
