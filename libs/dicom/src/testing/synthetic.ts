import type { BinaryMask } from '../model-input/binary-mask';
import { TransferSyntax } from '../parse/transfer-syntax';
import type { DicomElementInput } from '../write/element-encoder';
import { writeDicom } from '../write/write-dicom';
import type { DicomImageInput } from '../write/write-dicom';

/** Deterministic test images (no RNG): a gradient with a bright square, so every row and column differs. */
export function gradientFrame(
  rows: number,
  columns: number,
  bitsStored: number,
  signed = false,
  seed = 0,
): Uint16Array | Int16Array {
  const max = 2 ** bitsStored - 1;
  const out = signed ? new Int16Array(rows * columns) : new Uint16Array(rows * columns);
  const offset = signed ? 2 ** (bitsStored - 1) : 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      let v = Math.round((((r * columns + c * 7 + seed * 13) % (rows * columns)) / (rows * columns)) * max);
      if (r > rows / 4 && r < rows / 2 && c > columns / 4 && c < columns / 2) v = max;
      out[r * columns + c] = v - offset;
    }
  }
  return out;
}

export function baseElements(extra: DicomElementInput[] = []): DicomElementInput[] {
  const tags = new Set(extra.map((e) => e.tag));
  const base: DicomElementInput[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1.1' },
    { tag: 0x00080018, vr: 'UI', value: '1.2.826.0.1.3680043.99.1.1' },
    { tag: 0x00080020, vr: 'DA', value: '20240315' },
    { tag: 0x00080030, vr: 'TM', value: '101500' },
    { tag: 0x00080060, vr: 'CS', value: 'DX' },
    { tag: 0x0008103e, vr: 'LO', value: 'PA chest' },
    { tag: 0x00100010, vr: 'PN', value: 'Doe^Jane' },
    { tag: 0x00100020, vr: 'LO', value: 'MRN-001' },
    { tag: 0x00180015, vr: 'CS', value: 'CHEST' },
    { tag: 0x00185101, vr: 'CS', value: 'PA' },
    { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.99.2' },
    { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.99.3' },
    { tag: 0x00280030, vr: 'DS', value: ['0.2', '0.25'] },
    { tag: 0x00281050, vr: 'DS', value: '2048' },
    { tag: 0x00281051, vr: 'DS', value: '4096' },
  ];
  return [...base.filter((e) => !tags.has(e.tag)), ...extra];
}

export async function syntheticFile(
  transferSyntaxUid: string = TransferSyntax.ExplicitVRLittleEndian,
  image: Partial<DicomImageInput> = {},
  extra: DicomElementInput[] = [],
): Promise<Uint8Array> {
  const rows = image.rows ?? 24;
  const columns = image.columns ?? 32;
  const bitsStored = image.bitsStored ?? 12;
  const signed = image.pixelRepresentation === 1;
  return writeDicom({
    transferSyntaxUid,
    elements: baseElements(extra),
    image: {
      rows,
      columns,
      bitsAllocated: 16,
      bitsStored,
      pixelRepresentation: signed ? 1 : 0,
      frames: [gradientFrame(rows, columns, bitsStored, signed)],
      ...image,
    },
  });
}

export const us = (tag: number, value: number | number[]): DicomElementInput => ({ tag, vr: 'US', value });

/** Image Pixel Module elements written by hand, for layouts the writer's `image` option does not produce. */
export function pixelModule(m: {
  rows: number;
  columns: number;
  samples?: number;
  photometric: string;
  bitsAllocated: number;
  bitsStored: number;
  highBit?: number;
  signed?: boolean;
  frames?: number;
}): DicomElementInput[] {
  const out: DicomElementInput[] = [
    us(0x00280002, m.samples ?? 1),
    { tag: 0x00280004, vr: 'CS', value: m.photometric },
    us(0x00280010, m.rows),
    us(0x00280011, m.columns),
    us(0x00280100, m.bitsAllocated),
    us(0x00280101, m.bitsStored),
    us(0x00280102, m.highBit ?? m.bitsStored - 1),
    us(0x00280103, m.signed ? 1 : 0),
  ];
  if ((m.samples ?? 1) === 3) out.push(us(0x00280006, 0));
  if (m.frames) out.push({ tag: 0x00280008, vr: 'IS', value: String(m.frames) });
  return out;
}

/**
 * A large 12-bit radiograph (DX, chest PA), Explicit VR Little Endian, with no window in the header
 * (so the display pipeline computes a histogram window): the heavy input of the preprocessing
 * benchmark and of the event-loop responsiveness test.
 */
export function largeRadiograph(seed: number, rows = 2048, columns = 1600): Promise<Uint8Array> {
  const pixels = new Uint16Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++)
      pixels[r * columns + c] = (r * 3 + c * 5 + seed * 97 + ((r * c) % 251)) % 4096;
  }
  return writeDicom({
    transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
    elements: [
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1.1' },
      { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.99.77.${seed}` },
      { tag: 0x00080060, vr: 'CS', value: 'DX' },
      { tag: 0x00180015, vr: 'CS', value: 'CHEST' },
      { tag: 0x00185101, vr: 'CS', value: 'PA' },
    ],
    image: { rows, columns, bitsAllocated: 16, bitsStored: 12, frames: [pixels] },
  });
}

/** A mask over rows × columns pixels that holds the pixels where `inside(row, column)`. */
export function binaryMask(
  rows: number,
  columns: number,
  inside: (row: number, column: number) => boolean,
): BinaryMask {
  const data = new Uint8Array(rows * columns);
  let area = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++)
      if (inside(r, c)) {
        data[r * columns + c] = 1;
        area++;
      }
  return { rows, columns, data, area };
}
