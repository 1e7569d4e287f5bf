import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDicom } from '../parse/parse-dicom';
import { readMetadata } from '../parse/metadata';
import { closeCodecWorker } from '../pixels/codec-pool';
import { decodeAllFrames } from '../pixels/decode-pixels';
import type { DicomElementInput } from '../write/element-encoder';
import { TransferSyntax } from '../parse/transfer-syntax';
import { writeDicom } from '../write/write-dicom';
import { baseElements, gradientFrame, pixelModule, us } from './synthetic';

// Conformance against Debian's reference tools (dcmtk, libgdcm-tools). Fixtures are built here, from
// known pixel arrays, with the encoder settings fixed in `encoders` below.
const work = mkdtempSync(path.join(tmpdir(), 'dicom-conf-'));
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await closeCodecWorker();
});

const run = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

interface Source {
  name: string;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  signed: boolean;
  samples: 1 | 3;
  frames: Array<Uint8Array | Uint16Array | Int16Array>;
}

const rows = 32;
const columns = 40;
const sources: Source[] = [
  {
    name: 'u8',
    bitsAllocated: 8,
    bitsStored: 8,
    signed: false,
    samples: 1,
    frames: [Uint8Array.from(gradientFrame(rows, columns, 8))],
  },
  {
    name: 'u12',
    bitsAllocated: 16,
    bitsStored: 12,
    signed: false,
    samples: 1,
    frames: [gradientFrame(rows, columns, 12)],
  },
  {
    name: 's12',
    bitsAllocated: 16,
    bitsStored: 12,
    signed: true,
    samples: 1,
    frames: [gradientFrame(rows, columns, 12, true)],
  },
  {
    name: 'u16',
    bitsAllocated: 16,
    bitsStored: 16,
    signed: false,
    samples: 1,
    frames: [gradientFrame(rows, columns, 16)],
  },
  {
    name: 's16',
    bitsAllocated: 16,
    bitsStored: 16,
    signed: true,
    samples: 1,
    frames: [gradientFrame(rows, columns, 16, true)],
  },
  {
    name: 'multi',
    bitsAllocated: 16,
    bitsStored: 12,
    signed: false,
    samples: 1,
    frames: [0, 1, 2].map((s) => gradientFrame(rows, columns, 12, false, s)),
  },
  {
    name: 'rgb',
    bitsAllocated: 8,
    bitsStored: 8,
    signed: false,
    samples: 3,
    frames: [new Uint8Array(rows * columns * 3).map((_, i) => (i * 7) % 256)],
  },
];

/** Lossless encoders from dcmtk and gdcm: [label, command line with IN/OUT placeholders, applies(source)]. */
const encoders: Array<[string, string[], (s: Source) => boolean]> = [
  ['implicit (dcmconv +ti)', ['dcmconv', '+ti', 'IN', 'OUT'], () => true],
  ['big endian (dcmconv +tb)', ['dcmconv', '+tb', 'IN', 'OUT'], () => true],
  ['deflated (dcmconv +td)', ['dcmconv', '+td', 'IN', 'OUT'], () => true],
  ['RLE (dcmcrle)', ['dcmcrle', 'IN', 'OUT'], () => true],
  ['JPEG lossless SV1 (dcmcjpeg +e1)', ['dcmcjpeg', '+e1', 'IN', 'OUT'], (s) => !s.signed],
  ['JPEG lossless P14 (dcmcjpeg +el +sv 6)', ['dcmcjpeg', '+el', '+sv', '6', 'IN', 'OUT'], (s) => !s.signed],
  ['JPEG-LS lossless (dcmcjpls +el)', ['dcmcjpls', '+el', 'IN', 'OUT'], () => true],
  ['JPEG 2000 lossless (gdcmconv --j2k)', ['gdcmconv', '--j2k', 'IN', 'OUT'], () => true],
];

/** Lossy encoders, compared with the reference decoder's output ±1. */
const lossy: Array<[string, string[], string[], (s: Source) => boolean]> = [
  [
    'JPEG baseline (dcmcjpeg +eb +q 90)',
    ['dcmcjpeg', '+eb', '+q', '90', 'IN', 'OUT'],
    ['dcmdjpeg', 'IN', 'OUT'],
    (s) => s.bitsStored === 8,
  ],
  [
    'JPEG extended 12-bit (dcmcjpeg +ee +q 90)',
    ['dcmcjpeg', '+ee', '+q', '90', 'IN', 'OUT'],
    ['dcmdjpeg', 'IN', 'OUT'],
    (s) => s.bitsStored === 12 && !s.signed,
  ],
  [
    'JPEG-LS near-lossless (dcmcjpls +en +md 2)',
    ['dcmcjpls', '+en', '+md', '2', 'IN', 'OUT'],
    ['dcmdjpls', 'IN', 'OUT'],
    (s) => !s.signed,
  ],
  // dcmcjpls refuses near-lossless for Pixel Representation 1 ("Unsupported pixel representation for
  // near-lossless JPEG-LS compression"), so signed sources are encoded with gdcm; dcmtk still decodes them.
  [
    'JPEG-LS near-lossless signed (gdcmconv --jpegls --lossy -e 2)',
    ['gdcmconv', '--jpegls', '--lossy', '-e', '2', 'IN', 'OUT'],
    ['dcmdjpls', 'IN', 'OUT'],
    (s) => s.signed,
  ],
  [
    'JPEG 2000 lossy (gdcmconv --j2k -q 30)',
    ['gdcmconv', '--j2k', '--lossy', '-q', '30', 'IN', 'OUT'],
    ['gdcmconv', '--raw', 'IN', 'OUT'],
    () => true,
  ],
];

async function sourceFile(s: Source): Promise<string> {
  const file = path.join(work, `${s.name}.dcm`);
  const bytes = await writeDicom({
    transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
    elements: baseElements(),
    image: {
      rows,
      columns,
      bitsAllocated: s.bitsAllocated,
      bitsStored: s.bitsStored,
      pixelRepresentation: s.signed ? 1 : 0,
      samplesPerPixel: s.samples,
      frames: s.frames,
    },
  });
  writeFileSync(file, bytes);
  return file;
}

function exec(template: string[], input: string, output: string): void {
  const args = template.map((a) => (a === 'IN' ? input : a === 'OUT' ? output : a));
  run(args[0], args.slice(1));
}

async function decodeFile(file: string): Promise<number[][]> {
  return (await decodeAllFrames(parseDicom(readFileSync(file), { fileName: path.basename(file) }))).map((f) =>
    Array.from(f.pixels),
  );
}

describe('conformance with dcmtk and gdcm', () => {
  for (const s of sources) {
    for (const [label, template, applies] of encoders) {
      if (!applies(s)) continue;
      it(`${s.name}: ${label} decodes bit-exact`, async () => {
        const input = await sourceFile(s);
        const output = path.join(work, `${s.name}-${label.replace(/\W+/gu, '_')}.dcm`);
        exec(template, input, output);
        const frames = await decodeFile(output);
        expect(frames).toEqual(s.frames.map((f) => Array.from(f)));
      });
    }
    for (const [label, encode, reference, applies] of lossy) {
      if (!applies(s)) continue;
      it(`${s.name}: ${label} matches the reference decoder within ±1`, async () => {
        const input = await sourceFile(s);
        const encoded = path.join(work, `${s.name}-${label.replace(/\W+/gu, '_')}.dcm`);
        const decoded = `${encoded}.ref.dcm`;
        exec(encode, input, encoded);
        exec(reference, encoded, decoded);
        const ours = await decodeFile(encoded);
        const ref = await decodeFile(decoded);
        expect(ours.length).toBe(ref.length);
        ours.forEach((frame, k) =>
          frame.forEach((v, i) => expect(Math.abs(v - ref[k][i])).toBeLessThanOrEqual(1)),
        );
      });
    }
  }

  it('metadata matches dcmdump and dcmdump reads the writer output cleanly', async () => {
    for (const syntax of [
      TransferSyntax.ExplicitVRLittleEndian,
      TransferSyntax.RleLossless,
      TransferSyntax.JpegLsLossless,
      TransferSyntax.Jpeg2000Lossless,
      TransferSyntax.ExplicitVRBigEndian,
    ]) {
      const file = path.join(work, `meta-${syntax}.dcm`);
      writeFileSync(
        file,
        await writeDicom({
          transferSyntaxUid: syntax,
          elements: baseElements(),
          image: {
            rows,
            columns,
            bitsAllocated: 16,
            bitsStored: 12,
            frames: [gradientFrame(rows, columns, 12)],
          },
        }),
      );
      const dump = run('dcmdump', ['-q', '+L', file]);
      const meta = readMetadata(parseDicom(readFileSync(file)));
      const value = (tag: string): string | undefined =>
        new RegExp(`^\\(${tag}\\) \\w\\w (?:\\[([^\\]]*)\\]|=?(\\S+))`, 'mu')
          .exec(dump)
          ?.slice(1)
          .find((v) => v !== undefined);
      expect(value('0002,0010')).toBeDefined();
      expect(meta.transferSyntaxUid).toBe(syntax);
      expect(value('0010,0010')).toBe(meta.patient.name);
      expect(value('0020,000d')).toBe(meta.studyInstanceUid);
      expect(Number(value('0028,0010'))).toBe(meta.image?.rows);
      expect(Number(value('0028,0101'))).toBe(meta.image?.bitsStored);
    }
  });
});

/** A binary PPM (P6) as written by dcmj2pnm --write-raw-pnm. */
function readPpm(file: string): { width: number; height: number; max: number; data: Uint8Array } {
  const bytes = readFileSync(file);
  const header = /^P6\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s/u.exec(
    bytes.subarray(0, 200).toString('latin1'),
  );
  if (!header) throw new Error(`${file} is not a binary PPM`);
  return {
    width: Number(header[1]),
    height: Number(header[2]),
    max: Number(header[3]),
    data: new Uint8Array(bytes.subarray(header[0].length)),
  };
}

async function handMade(name: string, elements: DicomElementInput[], pixels: Uint8Array): Promise<string> {
  const out = path.join(work, name);
  writeFileSync(
    out,
    await writeDicom({
      transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
      elements: [...baseElements(), ...elements, { tag: 0x7fe00010, vr: 'OB', value: pixels }],
    }),
  );
  return out;
}

/** Our RGB for a palette file against dcmtk's rendering of it (dcmj2pnm; no VOI for colour), ±1 per sample. */
async function expectMatchesDcmj2pnm(file: string, scale = 1): Promise<void> {
  const ppm = `${file}.ppm`;
  run('dcmj2pnm', ['--write-raw-pnm', file, ppm]);
  const reference = readPpm(ppm);
  const [ours] = await decodeFile(file);
  expect(reference.max).toBe(255);
  expect(ours.length).toBe(reference.data.length);
  ours.forEach((v, i) => expect(Math.abs(Math.round(v * scale) - reference.data[i])).toBeLessThanOrEqual(1));
}

/**
 * Our RGB for a native YBR file against gdcm's conversion (`gdcmconv -P RGB`), ±1 per sample. Not dcmtk's
 * dcmj2pnm: dcmimage centres chroma at 127.5 (0.701 × 255) and truncates, so it differs from PS3.3
 * C.7.6.3.1.2 (centre 128) by up to 2; gdcm, like IJG's JPEG colour conversion, follows the standard.
 */
async function expectMatchesGdcmRgb(file: string): Promise<void> {
  const rgb = `${file}.rgb.dcm`;
  run('gdcmconv', ['-P', 'RGB', file, rgb]);
  const reference = parseDicom(readFileSync(rgb));
  expect(reference.string(0x00280004)).toBe('RGB');
  const expected = reference.valueBytes(0x7fe00010) as Uint8Array;
  const [ours] = await decodeFile(file);
  expect(ours.length).toBe(rows * columns * 3);
  ours.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(1));
}

describe('colour models against gdcm and dcmtk', () => {
  const rgbSource = sources.find((s) => s.name === 'rgb') as Source;

  /** Native YBR_FULL made by dcmtk: a baseline JPEG of the RGB source, decompressed without colour conversion. */
  async function ybrFullFile(): Promise<string> {
    const input = await sourceFile(rgbSource);
    const jpeg = path.join(work, 'ybr.jpeg.dcm');
    const ybr = path.join(work, 'ybr-full.dcm');
    run('dcmcjpeg', ['+eb', '+q', '90', input, jpeg]);
    run('dcmdjpeg', ['+cn', jpeg, ybr]);
    expect(run('dcmdump', ['+P', '0028,0004', ybr])).toContain('YBR_FULL');
    return ybr;
  }

  it('native YBR_FULL (dcmdjpeg +cn of a baseline JPEG) converts to the RGB gdcmconv -P RGB gives', async () => {
    await expectMatchesGdcmRgb(await ybrFullFile());
  });

  it('native YBR_FULL_422 (Y1 Y2 Cb Cr pairs) converts to the RGB gdcm gives for the same samples', async () => {
    // gdcm does not convert native YBR_FULL_422, so the reference is its RGB for the same samples laid out
    // as YBR_FULL (each pair's Cb/Cr repeated, PS3.3 C.7.6.3.1.2); the 4:2:2 file keeps, per pair of
    // pixels, both Y values and the first pixel's Cb and Cr from dcmtk's YBR_FULL output.
    const full = parseDicom(readFileSync(await ybrFullFile())).valueBytes(0x7fe00010) as Uint8Array;
    const pairs: number[] = [];
    const expanded: number[] = [];
    for (let p = 0; p < rows * columns; p += 2) {
      const [y1, y2, cb, cr] = [full[p * 3], full[p * 3 + 3], full[p * 3 + 1], full[p * 3 + 2]];
      pairs.push(y1, y2, cb, cr);
      expanded.push(y1, cb, cr, y2, cb, cr);
    }
    const module = (photometric: string): DicomElementInput[] =>
      pixelModule({ rows, columns, samples: 3, photometric, bitsAllocated: 8, bitsStored: 8 });
    const subsampled = await handMade('ybr-422.dcm', module('YBR_FULL_422'), Uint8Array.from(pairs));
    const reference = await handMade('ybr-422-as-full.dcm', module('YBR_FULL'), Uint8Array.from(expanded));
    const rgb = `${reference}.rgb.dcm`;
    run('gdcmconv', ['-P', 'RGB', reference, rgb]);
    const expected = parseDicom(readFileSync(rgb)).valueBytes(0x7fe00010) as Uint8Array;
    const [ours] = await decodeFile(subsampled);
    expect(ours.length).toBe(rows * columns * 3);
    ours.forEach((v, k) => expect(Math.abs(v - expected[k])).toBeLessThanOrEqual(1));
  });

  it('PALETTE COLOR with 16-bit LUT entries matches the RGB dcmj2pnm renders', async () => {
    const entries = 200;
    const descriptor = [entries, 20, 16];
    const lut = (f: (i: number) => number): DicomElementInput['value'] =>
      new Uint8Array(Uint16Array.from({ length: entries }, (_, i) => f(i)).buffer);
    const indices = Uint8Array.from({ length: rows * columns }, (_, i) => (i * 13) % 256);
    const file = await handMade(
      'palette.dcm',
      [
        ...pixelModule({ rows, columns, photometric: 'PALETTE COLOR', bitsAllocated: 8, bitsStored: 8 }),
        us(0x00281101, descriptor),
        us(0x00281102, descriptor),
        us(0x00281103, descriptor),
        { tag: 0x00281201, vr: 'OW', value: lut((i) => Math.round((i / (entries - 1)) * 65535)) },
        { tag: 0x00281202, vr: 'OW', value: lut((i) => ((i * 997) % 256) * 257) },
        { tag: 0x00281203, vr: 'OW', value: lut((i) => 65535 - i * 300) },
      ],
      indices,
    );
    await expectMatchesDcmj2pnm(file, 255 / 65535);
  });
});

describe('encapsulated frames without a Basic Offset Table, as dcmtk fragments them', () => {
  const size = 64;
  const frames = [0, 1, 2].map((seed) => gradientFrame(size, size, 12, false, seed));

  it.each([
    ['JPEG lossless SV1 (dcmcjpeg +e1 -ot +fs 1)', ['dcmcjpeg', '+e1', '-ot', '+fs', '1']],
    ['JPEG-LS lossless (dcmcjpls +el -ot +fs 1)', ['dcmcjpls', '+el', '-ot', '+fs', '1']],
  ])('%s: frames split across fragments decode bit-exact', async (label, encoder) => {
    const input = path.join(work, 'nobot-src.dcm');
    writeFileSync(
      input,
      await writeDicom({
        transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
        elements: baseElements(),
        image: { rows: size, columns: size, bitsAllocated: 16, bitsStored: 12, frames },
      }),
    );
    const output = path.join(work, `nobot-${label.replace(/\W+/gu, '_')}.dcm`);
    run(encoder[0], [...encoder.slice(1), input, output]);
    const ds = parseDicom(readFileSync(output));
    const pixelData = ds.element(0x7fe00010);
    expect(pixelData?.basicOffsetTable ?? []).toEqual([]);
    expect(pixelData?.fragments?.length).toBeGreaterThan(frames.length);
    const decoded = await decodeAllFrames(ds);
    expect(decoded.map((f) => Array.from(f.pixels))).toEqual(frames.map((f) => Array.from(f)));
  });
});
