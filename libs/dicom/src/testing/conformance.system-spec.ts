import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDicom } from '../parse/parse-dicom';
import { readMetadata } from '../parse/metadata';
import { closeCodecWorker } from '../pixels/codec-pool';
import { decodeAllFrames } from '../pixels/decode-pixels';
import { TransferSyntax } from '../parse/transfer-syntax';
import { writeDicom } from '../write/write-dicom';
import { baseElements, gradientFrame } from './synthetic';

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
