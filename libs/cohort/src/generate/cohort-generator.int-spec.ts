import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDicom, readImageMetadata } from '@mosaic/dicom';
import { exportCohort } from '../export/cohort-export';
import { generateCohort } from './cohort-generator';
import type { PatientGroundTruth } from './patient-generator';

function readNpyHeader(bytes: Buffer): { descr: string; shape: number[]; dataBytes: number } {
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const length = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + length).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)?.[1] ?? '';
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map(Number);
  return { descr, shape, dataBytes: bytes.length - 10 - length };
}

describe('cohort generate + export (12 patients)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'mosaic-cohort-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is deterministic for a seed, byte for byte, and changes with the seed', async () => {
    const a = await generateCohort({ patients: 12, seed: 21, out: path.join(root, 'a') });
    const b = await generateCohort({ patients: 12, seed: 21, out: path.join(root, 'b'), concurrency: 1 });
    const c = await generateCohort({ patients: 12, seed: 22, out: path.join(root, 'c') });
    expect(b.contentDigest).toBe(a.contentDigest);
    expect(b.groundTruthDigest).toBe(a.groundTruthDigest);
    expect(await readFile(path.join(root, 'b', 'cohort.json'))).toEqual(
      await readFile(path.join(root, 'a', 'cohort.json')),
    );
    expect(c.groundTruthDigest).not.toBe(a.groundTruthDigest);
  });

  it('writes DICOM images that libs/dicom reads back with the ground truth UIDs and geometry', async () => {
    const lines = (await readFile(path.join(root, 'a', 'ground-truth.jsonl'), 'utf8')).trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as PatientGroundTruth);
    const images = records.flatMap((record) => (record.image ? [record.image] : []));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      const dataset = parseDicom(await readFile(path.join(root, 'a', image.file)));
      const metadata = readImageMetadata(dataset);
      expect(metadata).toBeDefined();
      expect(dataset.string(0x00080018)).toBe(image.sopInstanceUid);
      expect(dataset.transferSyntax.uid).toBe(image.transferSyntaxUid);
      for (const finding of image.findings) {
        await expect(readFile(path.join(root, 'a', finding.mask))).resolves.toBeInstanceOf(Buffer);
      }
    }
  });

  it('exports the tensor contract with the documented dtypes and shapes, and reuses vocab and stats', async () => {
    const out = path.join(root, 'tensors');
    const summary = await exportCohort({ cohortDir: path.join(root, 'a'), out });
    expect(summary.rows).toBe(12);
    const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8'));
    expect(index.format).toBe('mosaic-tensors/1');
    expect(index.rows).toHaveLength(12);
    expect(index.labels).toHaveLength(8);
    const expected: Record<string, [string, number[]]> = {
      text_ids: ['<i8', [12, 128]],
      text_mask: ['|u1', [12, 128]],
      image: ['<f4', [12, 1, 128, 128]],
      image_present: ['|u1', [12]],
      vitals: ['<f4', [12, 48, 12]],
      vitals_present: ['|u1', [12]],
      labels: ['<f4', [12, 8]],
      evidence: ['|u1', [12, 8, 240]],
    };
    const itemSize: Record<string, number> = { '<i8': 8, '<f4': 4, '|u1': 1 };
    for (const [name, [descr, shape]] of Object.entries(expected)) {
      expect(index.files[name]).toBe(`${name}.npy`);
      const header = readNpyHeader(await readFile(path.join(out, `${name}.npy`)));
      expect(header).toEqual({ descr, shape, dataBytes: shape.reduce((p, d) => p * d, 1) * itemSize[descr] });
    }
    const vocab = (await readFile(path.join(out, 'vocab.txt'), 'utf8')).split('\n');
    expect(vocab.slice(0, 4)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]']);

    // Evidence: per label, the positions (text ‖ image ‖ vitals) holding its ground-truth evidence.
    const records = (await readFile(path.join(root, 'a', 'ground-truth.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PatientGroundTruth);
    const evidenceBytes = await readFile(path.join(out, 'evidence.npy'));
    const evidence = evidenceBytes.subarray(evidenceBytes.length - 12 * 8 * 240);
    const textMask = (await readFile(path.join(out, 'text_mask.npy'))).subarray(-12 * 128);
    let checked = 0;
    records.forEach((record, row) => {
      (index.labels as string[]).forEach((slug, k) => {
        const at = (p: number): number => evidence[(row * 8 + k) * 240 + p];
        const count = (from: number, to: number): number => {
          let n = 0;
          for (let p = from; p < to; p++) n += at(p);
          return n;
        };
        const spans = (record.note?.spans ?? []).filter((s) => s.evidence && s.label === slug);
        const findings = (record.image?.findings ?? []).filter((f) => f.evidence && f.label === slug);
        const windows = (record.vitals?.windows ?? []).filter((w) => w.evidence && w.label === slug);
        // Evidence only where the ground truth has it, for that label, on real tokens.
        if (spans.length === 0) expect(count(0, 128)).toBe(0);
        else checked++;
        for (let p = 0; p < 128; p++) if (at(p)) expect(textMask[row * 128 + p]).toBe(1);
        if (findings.length === 0) expect(count(128, 192)).toBe(0);
        else {
          expect(count(128, 192)).toBeGreaterThan(0);
          checked++;
        }
        if (windows.length > 0) checked++;
        expect(count(192, 240)).toBe(
          windows.reduce((n, w) => n + Math.max(0, Math.min(48, w.endHour) - Math.max(0, w.startHour)), 0),
        );
      });
    });
    expect(checked).toBeGreaterThan(0);

    const heldOut = path.join(root, 'held-out');
    const reused = await exportCohort({
      cohortDir: path.join(root, 'c'),
      out: heldOut,
      vocabFile: path.join(out, 'vocab.txt'),
      vitalsStatsFile: path.join(out, 'vitals-stats.json'),
    });
    expect(reused.vocabularySource).toBe('given');
    expect(await readFile(path.join(heldOut, 'vocab.txt'))).toEqual(
      await readFile(path.join(out, 'vocab.txt')),
    );
  });
});
