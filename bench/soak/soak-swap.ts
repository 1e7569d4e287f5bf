/**
 * `npm run soak:swap [-- --swaps 200 --warmup 20 --concurrent 4 --no-write]`: swaps the served model
 * version back and forth through the model registry (libs/inference ModelRegistry: load and warm the
 * next version, retire the old one, which is released when its last lease ends) while assessments
 * run on leases taken before each swap, and samples the resident set size after a full GC. It
 * reports the least-squares slope of RSS in MB per 100 swaps after the warm-up — onnxruntime-node
 * sessions that are not released show up there — and replaces the `## Model swap soak` section of
 * docs/benchmarks.md.
 *
 * The two versions are copies of the committed model in a temporary models directory, as 1.0.0 and
 * 1.0.1: the same graphs, a distinct manifest version (manifest.json is not among its own hashed
 * files, so the checks the registry makes still pass).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { format, resolveConfig } from 'prettier';
import { generatePatient } from '@mosaic/cohort';
import { closeCodecWorker } from '@mosaic/dicom';
import { runAssessment } from '@mosaic/fusion';
import type { RawPatientInputs } from '@mosaic/inference';
import { committedModelDirs, ModelRegistry, prepareModelInputs, versionKey } from '@mosaic/inference';
import type { VitalsObservation } from '@mosaic/preprocess';
import { BENCHMARKS_DOC, writeBenchmarkSection } from '../support/benchmarks-doc';

const SECTION = '## Model swap soak';
/**
 * Sessions that are not released grow RSS by a whole version per swap. Below this share of that
 * (per swap) the growth is not sessions kept alive; it is reported as residual growth.
 */
const SESSION_LEAK_SHARE = 0.1;

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

function option(args: string[], name: string, fallback: number, min: number): number {
  const at = args.indexOf(name);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return value;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc (npm run soak:swap does)');
  collect();
  collect();
}

const mb = (bytes: number): number => bytes / 2 ** 20;

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function modelsDirWithTwoVersions(): { root: string; modelId: string; versions: [string, string] } {
  const source = committedModelDirs()[0];
  const manifest = JSON.parse(readFileSync(path.join(source, 'manifest.json'), 'utf8')) as {
    modelId: string;
    version: string;
  };
  const root = mkdtempSync(path.join(tmpdir(), 'mosaic-soak-models-'));
  const [major, minor, patch] = manifest.version.split('.').map(Number);
  const versions: [string, string] = [manifest.version, `${major}.${minor}.${patch + 1}`];
  for (const version of versions) {
    const dir = path.join(root, manifest.modelId, version);
    cpSync(source, dir, { recursive: true });
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version }));
  }
  return { root, modelId: manifest.modelId, versions };
}

async function patients(count: number): Promise<RawPatientInputs[]> {
  const out: RawPatientInputs[] = [];
  for (let index = 0; index < count; index++) {
    const { record, files } = await generatePatient(6061, index);
    const bytes = (file: string | undefined): Buffer | undefined => {
      const found = files.find((f) => f.path === file);
      return found ? Buffer.from(found.bytes) : undefined;
    };
    const note = bytes(record.note?.file);
    const image = bytes(record.image?.file);
    const vitals = bytes(record.vitals?.file);
    out.push({
      note: note && record.note ? { id: record.note.file, text: note.toString('utf8') } : null,
      image:
        image && record.image
          ? { instanceId: record.image.sopInstanceUid, bytes: new Uint8Array(image) }
          : null,
      vitals:
        vitals && record.vitals
          ? {
              observations: JSON.parse(vitals.toString('utf8')) as VitalsObservation[],
              end: record.vitals.end,
            }
          : null,
    });
  }
  return out;
}

interface Sample {
  swap: number;
  rssMb: number;
  heapMb: number;
}

interface SoakResult {
  swaps: number;
  warmup: number;
  concurrent: number;
  assessments: number;
  samples: Sample[];
  rssSlope: number;
  /** Over the second half of the measured swaps: whether the growth continues or levels off. */
  lateRssSlope: number;
  heapSlope: number;
  versionMb: number;
  released: number;
  seconds: number;
  loadAtStart: number;
}

async function soak(swaps: number, warmup: number, concurrent: number): Promise<SoakResult> {
  const loadAtStart = loadavg()[0];
  const { root, modelId, versions } = modelsDirWithTwoVersions();
  const registry = new ModelRegistry({ modelsDir: root });
  try {
    await registry.scan();
    const raws = await patients(8);
    gc();
    const before = process.memoryUsage().rss;
    await registry.load(modelId, versions[0]);
    gc();
    const versionMb = mb(process.memoryUsage().rss - before);
    const samples: Sample[] = [];
    let assessments = 0;
    const started = performance.now();
    for (let swap = 1; swap <= swaps; swap++) {
      const current = versions[(swap - 1) % 2];
      const next = versions[swap % 2];
      // Leases are taken before the swap, so these assessments finish on the version being retired.
      const inFlight = Array.from({ length: concurrent }, async (_, k) => {
        const lease = registry.acquire(modelId, current);
        try {
          const raw = raws[(swap * concurrent + k) % raws.length];
          const tensors = await prepareModelInputs(raw, lease.model.preprocessing);
          await runAssessment(lease.model, tensors, { noteText: raw.note?.text ?? null });
          assessments++;
        } finally {
          lease.release();
        }
      });
      await registry.load(modelId, next);
      registry.retainOnly(new Set([versionKey(modelId, next)]));
      await Promise.all(inFlight);
      await registry.settled();
      const stats = registry.stats();
      if (stats.loadedVersions - stats.releasedVersions !== 1) {
        throw new Error(
          `after swap ${swap} the registry holds ${stats.loadedVersions - stats.releasedVersions} versions`,
        );
      }
      gc();
      const memory = process.memoryUsage();
      samples.push({ swap, rssMb: mb(memory.rss), heapMb: mb(memory.heapUsed) });
      if (swap % 20 === 0)
        log(
          `swap ${swap}/${swaps}: rss ${mb(memory.rss).toFixed(1)} MB, heap ${mb(memory.heapUsed).toFixed(1)} MB`,
        );
    }
    const seconds = (performance.now() - started) / 1000;
    const measured = samples.filter((s) => s.swap > warmup);
    const xs = measured.map((s) => s.swap);
    const late = measured.slice(Math.floor(measured.length / 2));
    return {
      swaps,
      warmup,
      concurrent,
      assessments,
      samples,
      rssSlope:
        slope(
          xs,
          measured.map((s) => s.rssMb),
        ) * 100,
      lateRssSlope:
        slope(
          late.map((s) => s.swap),
          late.map((s) => s.rssMb),
        ) * 100,
      heapSlope:
        slope(
          xs,
          measured.map((s) => s.heapMb),
        ) * 100,
      versionMb,
      released: registry.stats().releasedVersions,
      seconds,
      loadAtStart,
    };
  } finally {
    await registry.close();
    await closeCodecWorker();
    rmSync(root, { recursive: true, force: true });
  }
}

function section(result: SoakResult): string {
  const cpu = cpus();
  const measured = result.samples.filter((s) => s.swap > result.warmup);
  const first = measured[0];
  const last = measured[measured.length - 1];
  const peak = Math.max(...measured.map((s) => s.rssMb));
  const perSwapKb = (result.rssSlope / 100) * 1024;
  const sessionsLeak = result.rssSlope / 100 > SESSION_LEAK_SHARE * result.versionMb;
  return [
    SECTION,
    '',
    `Measured by \`npm run soak:swap\` (bench/soak/soak-swap.ts) on ${new Date().toISOString().slice(0, 10)}: the`,
    'committed model served as two versions from a temporary models directory, swapped',
    `${result.swaps} times through libs/inference \`ModelRegistry\` (load and warm the next version, retire the old`,
    `one), with ${result.concurrent} assessments (preprocessing, encoders, fusion, occlusion re-runs, explanation)`,
    'running on leases of the old version across each swap, so every retired version drains before its',
    'sessions are released. RSS is sampled after a full GC (`--expose-gc`) once each swap has settled;',
    `the slope is the least-squares fit over swaps ${result.warmup + 1}–${result.swaps} (after a warm-up of ${result.warmup}).`,
    '',
    `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`,
    `(shared with other work: 1-minute load average ${result.loadAtStart.toFixed(1)} when the run started).`,
    '',
    '| Figure | Value |',
    '| --- | --- |',
    `| Swaps (versions released) | ${result.swaps} (${result.released}) |`,
    `| Assessments during the soak | ${result.assessments} |`,
    `| Duration | ${result.seconds.toFixed(0)} s |`,
    `| RSS of one loaded version (first load) | ${result.versionMb.toFixed(1)} MB |`,
    `| RSS after warm-up → at the end (peak) | ${first.rssMb.toFixed(1)} → ${last.rssMb.toFixed(1)} MB (${peak.toFixed(1)} MB) |`,
    `| **RSS slope** | **${result.rssSlope.toFixed(2)} MB per 100 swaps** |`,
    `| JS heap slope | ${result.heapSlope.toFixed(2)} MB per 100 swaps |`,
    `| RSS slope over the second half (swaps ${measured[Math.floor(measured.length / 2)].swap}–${result.swaps}) | ${result.lateRssSlope.toFixed(2)} MB per 100 swaps |`,
    '',
    sessionsLeak
      ? `Sessions are leaking: RSS grows by more than ${SESSION_LEAK_SHARE * 100}% of a loaded version per swap.`
      : `Retired sessions are released: a version left loaded would add about ${result.versionMb.toFixed(0)} MB per swap ` +
        `(${(result.versionMb * 100).toFixed(0)} MB per 100 swaps); the measured growth is ${perSwapKb.toFixed(0)} KB per swap, ` +
        `and the registry counted one release per swap (checked after every swap). ` +
        (result.lateRssSlope < result.rssSlope / 2
          ? `The growth levels off: ${result.lateRssSlope.toFixed(2)} MB per 100 swaps over the second half.`
          : `The growth does not level off within this run (${result.lateRssSlope.toFixed(2)} MB per 100 swaps over the second half): run longer (\`--swaps\`) to see whether it is bounded.`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const swaps = option(args, '--swaps', 200, 10);
  const warmup = option(args, '--warmup', Math.min(20, Math.floor(swaps / 4)), 0);
  const concurrent = option(args, '--concurrent', 4, 0);
  if (swaps - warmup < 5) throw new Error('--swaps must exceed --warmup by at least 5 samples');
  const result = await soak(swaps, warmup, concurrent);
  const samplesAt = args.indexOf('--samples');
  if (samplesAt >= 0) {
    writeFileSync(
      args[samplesAt + 1],
      [
        'swap,rss_mb,heap_mb',
        ...result.samples.map((s) => `${s.swap},${s.rssMb.toFixed(2)},${s.heapMb.toFixed(2)}`),
      ].join('\n'),
    );
  }
  const text = await format(section(result), {
    ...(await resolveConfig(BENCHMARKS_DOC)),
    parser: 'markdown',
  });
  process.stdout.write(`${text}\n`);
  if (!args.includes('--no-write')) {
    writeBenchmarkSection(SECTION, text);
    log(`wrote the ${SECTION.slice(3)} section of ${BENCHMARKS_DOC}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
