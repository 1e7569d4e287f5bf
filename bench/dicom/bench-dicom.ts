/**
 * DICOM decoding benchmark: libs/dicom against the native reference decoders, in the same run.
 *
 *   node -r ./tools/node/register.js bench/dicom/bench-dicom.ts [--reps N] [--quick] [--out FILE [--only REGEX]]
 *
 * The corpus is generated at run time: raw Explicit VR Little Endian files written by @mosaic/dicom, then
 * converted to every decodable transfer syntax by dcmtk (dcmconv, dcmcrle, dcmcjpeg, dcmcjpls) and gdcm
 * (gdcmconv --j2k). Each file is then decoded by
 *   - libs/dicom through its public API (read + parse + decodeAllFrames; compressed frames go through the
 *     codec worker pool, as in production),
 *   - libs/dicom in-process (decodeFrameSync on this thread, no worker) to separate pool effects from codec cost,
 *   - the reference as a whole process: dcmdjpeg / dcmdrle / dcmdjpls / dcmconv +te, and gdcmconv --raw for
 *     JPEG 2000 (open-source dcmtk cannot decode it). That time includes process start and file I/O, so an
 *     "empty" run of the same tool on a 16×16 file of the same syntax is timed too and subtracted for the
 *     start-up-corrected figure.
 * Medians of N repetitions (default 5). Writes the `## DICOM decoding` section of docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as prettier from 'prettier';
import path from 'node:path';
import {
  TransferSyntax,
  closeCodecWorker,
  decodeAllFrames,
  defaultCodecWorkers,
  decodeFrameSync,
  initializeCodecs,
  parseDicom,
  readPixelModule,
  writeDicom,
} from '@mosaic/dicom';
import type { DicomElementInput } from '@mosaic/dicom';
import { BENCHMARKS_DOC, writeBenchmarkSection } from '../support/benchmarks-doc';
import { median } from '../support/stats';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const reps = Number(args[args.indexOf('--reps') + 1]) > 0 ? Number(args[args.indexOf('--reps') + 1]) : 5;
/** `--only REGEX` keeps the syntaxes whose label matches (for trying a change; needs `--out`). */
const only = args.indexOf('--only') >= 0 ? new RegExp(args[args.indexOf('--only') + 1], 'iu') : undefined;
if (only && args.indexOf('--out') < 0) throw new Error('--only writes a partial table: give --out FILE too');
/** `--out FILE` writes the section elsewhere (e.g. to try the script without touching the docs). */
const outFile = args.indexOf('--out') >= 0 ? path.resolve(args[args.indexOf('--out') + 1]) : BENCHMARKS_DOC;
/** 1-minute load average when the run starts: other work on the machine skews every timing. */
const loadAtStart = os.loadavg()[0].toFixed(1);
const log = (message: string): void => {
  process.stderr.write(`[bench:dicom] ${message}\n`);
};

// ---------------------------------------------------------------------------------------------- corpus

interface CorpusSpec {
  name: string;
  rows: number;
  columns: number;
  frames: number;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  kind: 'ct' | 'radiograph';
}

/** Seeded PRNG (mulberry32) so the corpus is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * CT-like: air outside a body ellipse, soft tissue with noise, a bright bone ring and a few organs, stored
 * as HU + 1024 in 12 bits. Radiograph-like: a smooth chest-like gradient with lung fields and noise. Noise
 * matters: a noiseless phantom would compress unrealistically well.
 */
function phantomFrame(spec: CorpusSpec, frame: number): Uint16Array | Uint8Array {
  const random = rng(1000 + frame);
  const { rows, columns } = spec;
  const max = 2 ** spec.bitsStored - 1;
  const out = spec.bitsAllocated === 8 ? new Uint8Array(rows * columns) : new Uint16Array(rows * columns);
  const cy = rows / 2;
  const cx = columns / 2;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const y = (r - cy) / (rows / 2);
      const x = (c - cx) / (columns / 2);
      const noise = (random() + random() + random() - 1.5) * 0.02;
      let v: number; // 0..1
      if (spec.kind === 'ct') {
        const body = (x / 0.85) ** 2 + (y / 0.7) ** 2;
        if (body > 1) v = 0;
        else if (body > 0.88)
          v = 0.55 + noise; // bone ring
        else {
          const organ = ((x - 0.3) / 0.2) ** 2 + ((y + 0.1 + frame * 0.005) / 0.25) ** 2 < 1;
          const lung = ((Math.abs(x) - 0.4) / 0.25) ** 2 + (y / 0.45) ** 2 < 1;
          v = lung ? 0.05 + noise : organ ? 0.28 + noise : 0.26 + noise;
        }
      } else {
        const lung = ((Math.abs(x) - 0.4) / 0.3) ** 2 + ((y + 0.05) / 0.6) ** 2 < 1;
        v = 0.35 + 0.25 * (1 - Math.abs(x)) + (lung ? -0.2 : 0.1) + 0.05 * Math.sin(frame + 8 * y) + noise;
      }
      out[r * columns + c] = Math.max(0, Math.min(max, Math.round(v * max)));
    }
  }
  return out;
}

const corpora: CorpusSpec[] = [
  {
    name: 'CT 512×512',
    rows: 512,
    columns: 512,
    frames: quick ? 4 : 20,
    bitsAllocated: 16,
    bitsStored: 12,
    kind: 'ct',
  },
  {
    name: 'DX 2048×2048',
    rows: 2048,
    columns: 2048,
    frames: quick ? 1 : 4,
    bitsAllocated: 16,
    bitsStored: 12,
    kind: 'radiograph',
  },
];

const elements = (): DicomElementInput[] => [
  { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
  { tag: 0x00080018, vr: 'UI', value: '1.2.826.0.1.3680043.99.9.1' },
  { tag: 0x00080060, vr: 'CS', value: 'OT' },
  { tag: 0x00100010, vr: 'PN', value: 'Bench^Corpus' },
  { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.99.9.2' },
  { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.99.9.3' },
];

async function writeSource(file: string, spec: CorpusSpec, tiny = false): Promise<void> {
  // The "empty" reference file is 16×16 (OpenJPEG refuses a 1×1 image): start-up and I/O, no real work.
  const rows = tiny ? 16 : spec.rows;
  const columns = tiny ? 16 : spec.columns;
  const frames = tiny
    ? [spec.bitsAllocated === 8 ? new Uint8Array(256) : new Uint16Array(256)]
    : Array.from({ length: spec.frames }, (_, k) => phantomFrame(spec, k));
  const bytes = await writeDicom({
    transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
    elements: elements(),
    image: { rows, columns, bitsAllocated: spec.bitsAllocated, bitsStored: spec.bitsStored, frames },
  });
  writeFileSync(file, bytes);
}

// -------------------------------------------------------------------------------------------- syntaxes

interface Syntax {
  label: string;
  /** Encoder command (IN/OUT placeholders); undefined = the source file itself. */
  encode?: string[];
  /** Reference decoder command. */
  reference: string[];
  /** JPEG baseline takes 8-bit samples only: it gets an 8-bit copy of the corpus. */
  eightBit?: boolean;
}

const syntaxes: Syntax[] = [
  { label: 'Explicit VR Little Endian', reference: ['dcmconv', '+te', 'IN', 'OUT'] },
  {
    label: 'Implicit VR Little Endian',
    encode: ['dcmconv', '+ti', 'IN', 'OUT'],
    reference: ['dcmconv', '+te', 'IN', 'OUT'],
  },
  {
    label: 'Explicit VR Big Endian',
    encode: ['dcmconv', '+tb', 'IN', 'OUT'],
    reference: ['dcmconv', '+te', 'IN', 'OUT'],
  },
  {
    label: 'Deflated Explicit VR LE',
    encode: ['dcmconv', '+td', 'IN', 'OUT'],
    reference: ['dcmconv', '+te', 'IN', 'OUT'],
  },
  { label: 'RLE Lossless', encode: ['dcmcrle', 'IN', 'OUT'], reference: ['dcmdrle', 'IN', 'OUT'] },
  {
    label: 'JPEG Baseline (8-bit)',
    encode: ['dcmcjpeg', '+eb', '+q', '90', 'IN', 'OUT'],
    reference: ['dcmdjpeg', 'IN', 'OUT'],
    eightBit: true,
  },
  {
    label: 'JPEG Extended (12-bit)',
    encode: ['dcmcjpeg', '+ee', '+q', '90', 'IN', 'OUT'],
    reference: ['dcmdjpeg', 'IN', 'OUT'],
  },
  {
    label: 'JPEG Lossless P14',
    encode: ['dcmcjpeg', '+el', '+sv', '6', 'IN', 'OUT'],
    reference: ['dcmdjpeg', 'IN', 'OUT'],
  },
  {
    label: 'JPEG Lossless SV1',
    encode: ['dcmcjpeg', '+e1', 'IN', 'OUT'],
    reference: ['dcmdjpeg', 'IN', 'OUT'],
  },
  {
    label: 'JPEG-LS Lossless',
    encode: ['dcmcjpls', '+el', 'IN', 'OUT'],
    reference: ['dcmdjpls', 'IN', 'OUT'],
  },
  {
    label: 'JPEG-LS Near-lossless',
    encode: ['dcmcjpls', '+en', '+md', '2', 'IN', 'OUT'],
    reference: ['dcmdjpls', 'IN', 'OUT'],
  },
  {
    label: 'JPEG 2000 Lossless',
    encode: ['gdcmconv', '--j2k', 'IN', 'OUT'],
    reference: ['gdcmconv', '--raw', 'IN', 'OUT'],
  },
  {
    label: 'JPEG 2000 Lossy',
    // 10:1, a usual rate for lossy radiographs. (A quality of 40 dB is measured against the 16-bit
    // codestream range gdcm writes for 12-bit data and left ~300 bytes per frame: nothing to decode.)
    encode: ['gdcmconv', '--j2k', '--lossy', '-r', '10', 'IN', 'OUT'],
    reference: ['gdcmconv', '--raw', 'IN', 'OUT'],
  },
];

function run(template: string[], input: string, output: string): void {
  const argv = template.map((a) => (a === 'IN' ? input : a === 'OUT' ? output : a));
  execFileSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
}

// -------------------------------------------------------------------------------------------- timing

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

async function timeOurs(file: string): Promise<{ ms: number; bytes: number; frames: number }> {
  const start = now();
  const ds = parseDicom(readFileSync(file), { fileName: path.basename(file) });
  const frames = await decodeAllFrames(ds);
  const ms = now() - start;
  return { ms, bytes: frames.reduce((n, f) => n + f.pixels.byteLength, 0), frames: frames.length };
}

function timeOursInProcess(file: string): number {
  const start = now();
  const ds = parseDicom(readFileSync(file), { fileName: path.basename(file) });
  const n = readPixelModule(ds)?.numberOfFrames ?? 1;
  for (let i = 0; i < n; i++) decodeFrameSync(ds, i);
  return now() - start;
}

function timeReference(template: string[], file: string, out: string): number {
  const start = now();
  run(template, file, out);
  const ms = now() - start;
  rmSync(out, { force: true });
  return ms;
}

interface Row {
  corpus: string;
  syntax: string;
  frames: number;
  decodedMB: number;
  encodedMB: number;
  ours: number;
  oursInProcess: number;
  reference: number;
  referenceEmpty: number;
  referenceTool: string;
}

// --------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-dicom-'));
  const rows: Row[] = [];
  try {
    await initializeCodecs();
    // One-off costs, reported separately: the first compressed decode starts the worker and compiles WASM.
    for (const spec of corpora) {
      log(`corpus ${spec.name}: ${spec.frames} frame(s)`);
      const variants = [false, true].map((eightBit) => {
        const s: CorpusSpec = eightBit ? { ...spec, bitsAllocated: 8, bitsStored: 8 } : spec;
        const base = path.join(work, `${spec.kind}${eightBit ? '-8' : ''}`);
        return { eightBit, spec: s, source: `${base}.dcm`, tiny: `${base}-16x16.dcm` };
      });
      for (const v of variants) {
        await writeSource(v.source, v.spec);
        await writeSource(v.tiny, v.spec, true);
      }
      for (const syntax of syntaxes.filter((x) => !only || only.test(x.label))) {
        const v = variants.find((x) => x.eightBit === Boolean(syntax.eightBit));
        if (!v) continue;
        const slug = syntax.label.replace(/\W+/gu, '_');
        const file = syntax.encode ? path.join(work, `${spec.kind}-${slug}.dcm`) : v.source;
        const tiny = syntax.encode ? path.join(work, `${spec.kind}-${slug}-16x16.dcm`) : v.tiny;
        if (syntax.encode) {
          run(syntax.encode, v.source, file);
          run(syntax.encode, v.tiny, tiny);
        }
        const out = path.join(work, 'ref-out.dcm');
        // Warm-up (page cache, worker, WASM compilation), not timed.
        const warm = await timeOurs(file);
        timeOursInProcess(file);
        timeReference(syntax.reference, file, out);
        const ours: number[] = [];
        const inProcess: number[] = [];
        const reference: number[] = [];
        const empty: number[] = [];
        for (let k = 0; k < reps; k++) {
          ours.push((await timeOurs(file)).ms);
          inProcess.push(timeOursInProcess(file));
          reference.push(timeReference(syntax.reference, file, out));
          empty.push(timeReference(syntax.reference, tiny, out));
        }
        const row: Row = {
          corpus: spec.name,
          syntax: syntax.label,
          frames: warm.frames,
          decodedMB: warm.bytes / 1e6,
          encodedMB: readFileSync(file).length / 1e6,
          ours: median(ours),
          oursInProcess: median(inProcess),
          reference: median(reference),
          referenceEmpty: median(empty),
          referenceTool:
            syntax.reference[0] +
            (syntax.reference[1]?.startsWith('+') || syntax.reference[1]?.startsWith('--')
              ? ` ${syntax.reference[1]}`
              : ''),
        };
        rows.push(row);
        log(
          `${spec.name} ${syntax.label}: ours ${row.ours.toFixed(1)} ms (in-process ${row.oursInProcess.toFixed(1)}), ` +
            `${row.referenceTool} ${row.reference.toFixed(1)} ms (empty ${row.referenceEmpty.toFixed(1)})`,
        );
      }
    }
  } finally {
    await closeCodecWorker();
    rmSync(work, { recursive: true, force: true });
  }
  await writeReport(rows);
}

// ------------------------------------------------------------------------------------------- report

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

function machine(): string {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} logical cores (shared with other jobs while measured;`,
    `  load average ${loadAtStart} at the start, ${os.loadavg()[0].toFixed(1)} at the end)`,
    `- RAM: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Node ${process.version}, ${os.type()} ${os.release()}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}; medians of ${reps} repetitions${quick ? ' (quick mode: smaller corpus)' : ''}`,
    `- Reference: ${toolVersion('dcmdjpeg')}; ${toolVersion('gdcmconv')}`,
  ].join('\n');
}

function toolVersion(tool: string): string {
  try {
    const text = execFileSync(tool, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const line = text.split('\n').find((l) => /\d+\.\d+/u.test(l)) ?? tool;
    // dcmtk and gdcm print RCS-style keywords ("$dcmtk: dcmdjpeg v3.6.7 2022-04-22 $", "$Date$").
    return line.replace(/\$Date\$|\$(?:dcmtk: )?/gu, '').trim();
  } catch {
    return tool;
  }
}

async function writeReport(rows: Row[]): Promise<void> {
  const header =
    '| Corpus | Transfer syntax | Frames | Decoded MB | Encoded MB | libs/dicom ms | libs/dicom MB/s | libs/dicom frames/s | ' +
    'in-process ms | Reference | ref ms (raw) | ref empty ms | ref ms (corrected) | ref MB/s (corrected) | ' +
    'ratio raw | ratio corrected | goal |';
  const sep = `|${header
    .split('|')
    .slice(1, -1)
    .map(() => '---')
    .join('|')}|`;
  const lines = rows.map((r) => {
    const corrected = Math.max(r.reference - r.referenceEmpty, 0.1);
    const oursMBs = r.decodedMB / (r.ours / 1000);
    const refMBs = r.decodedMB / (corrected / 1000);
    const ratioRaw = r.reference / r.ours;
    const ratioCorrected = corrected / r.ours;
    const uncompressed = /Endian|Deflated/u.test(r.syntax);
    const goal = uncompressed ? ratioCorrected > 1 : ratioCorrected >= 0.5;
    return (
      `| ${r.corpus} | ${r.syntax} | ${r.frames} | ${fmt(r.decodedMB)} | ${fmt(r.encodedMB, 2)} | ${fmt(r.ours)} | ` +
      `${fmt(oursMBs)} | ` +
      `${fmt(r.frames / (r.ours / 1000))} | ${fmt(r.oursInProcess)} | ${r.referenceTool} | ${fmt(r.reference)} | ` +
      `${fmt(r.referenceEmpty)} | ${fmt(corrected)} | ${fmt(refMBs)} | ${fmt(ratioRaw, 2)} | ${fmt(ratioCorrected, 2)} | ` +
      `${goal ? 'met' : 'missed'} |`
    );
  });
  const missed = rows.filter((r) => {
    const ratio = Math.max(r.reference - r.referenceEmpty, 0.1) / r.ours;
    return /Endian|Deflated/u.test(r.syntax) ? ratio <= 1 : ratio < 0.5;
  });
  const raw = [
    '## DICOM decoding',
    '',
    'Generated by `node -r ./tools/node/register.js bench/dicom/bench-dicom.ts` (`npm run bench:dicom`). The corpus',
    'is made at run time: 512×512 CT-like and 2048×2048 radiograph-like phantoms (12 bits stored in 16, with',
    'noise), written as Explicit VR Little Endian by `writeDicom` and converted by dcmtk/gdcm; JPEG Baseline',
    'uses an 8-bit copy of the same phantoms. Each file is multi-frame. Lossy settings: JPEG quality 90,',
    'JPEG-LS NEAR 2, JPEG 2000 rate 10:1.',
    '',
    '- **libs/dicom**: read the file, `parseDicom`, `decodeAllFrames` (compressed frames in the codec worker',
    `  pool, as in production: ${defaultCodecWorkers()} worker(s) here, two frames at once). Worker start and WebAssembly`,
    '  compilation happen in an untimed warm-up.',
    '- **in-process**: the same decode with `decodeFrameSync` frame after frame on the calling thread (no',
    "  worker): the codecs alone, single-threaded. The gap to the previous column is the second worker's gain",
    '  minus the worker hop (copying the encoded frame in, the decoded frame out).',
    '- **Reference**: one whole process of the dcmtk decompressor (`dcmconv +te` for uncompressed and deflate),',
    '  or `gdcmconv --raw` for JPEG 2000, which open-source dcmtk cannot decode; gdcm runs OpenJPEG with one',
    "  thread per core (`opj_codec_set_threads`), dcmtk's codecs are single-threaded. Raw times include process",
    '  start, reading the file and writing the decompressed file; "empty" is the same tool on a 16×16 file of',
    '  the same syntax, and "corrected" = raw − empty. Ratios are libs/dicom throughput ÷ reference',
    '  throughput (> 1: libs/dicom is faster). The goal is ≥ 0.5 against the corrected reference, and > 1 for',
    '  uncompressed syntaxes.',
    '- MB = 10^6 bytes of decoded pixel data (stored values as libs/dicom returns them).',
    '',
    machine(),
    '',
    header,
    sep,
    ...lines,
    '',
    missed.length === 0
      ? 'Every syntax meets the goal in this run.'
      : `Missed the goal in this run: ${missed.map((r) => `${r.corpus} ${r.syntax}`).join('; ')}. See docs/dicom.md §Performance for the reasons.`,
    '',
  ].join('\n');
  const file = outFile;
  // Formatted as `npx prettier --check docs` expects (aligned table columns).
  const section = await prettier.format(raw, {
    ...(await prettier.resolveConfig(file)),
    parser: 'markdown',
  });
  writeBenchmarkSection('## DICOM decoding', section, file);
  process.stdout.write(`${section}\n`);
  log(`wrote the "## DICOM decoding" section of ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  log(`failed: ${String((error as Error)?.stack ?? error)}`);
  process.exitCode = 1;
});
