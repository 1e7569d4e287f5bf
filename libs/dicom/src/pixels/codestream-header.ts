import type { CodecFamily } from '../parse/transfer-syntax';

/** What a compressed frame says about itself, read from its own header before any codec runs. */
export interface CodestreamHeader {
  rows: number;
  columns: number;
  components: number;
  /** Sample precision in bits (JPEG P, JPEG-LS P, JPEG 2000 Ssiz + 1). */
  precision: number;
  /** JPEG 2000 only: Ssiz bit 7 (ISO/IEC 15444-1 Table A.11); JPEG and JPEG-LS are always unsigned. */
  signed: boolean;
}

/** How far into a frame a header is looked for (JPEG APPn/COM segments or a JP2 box header may precede it). */
const SCAN_LIMIT = 64 * 1024;

/**
 * Reads the frame header of a JPEG (SOFn, ITU T.81 §B.2.2), JPEG-LS (SOF55, ITU T.87 §C.2.2) or JPEG 2000
 * (SIZ, ISO/IEC 15444-1 §A.5.1) stream. Undefined when the stream has no such header (RLE has none) or it
 * is cut short; the codec then reports the problem itself.
 */
export function readCodestreamHeader(
  codec: Exclude<CodecFamily, 'native'>,
  bytes: Uint8Array,
): CodestreamHeader | undefined {
  switch (codec) {
    case 'rle':
      return undefined;
    case 'jpeg':
    case 'jpegls':
      return readJpegFrameHeader(bytes);
    case 'jpeg2000':
      return readJpeg2000Siz(bytes);
  }
}

function u16(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >>> 0) + (b[p + 1] << 16) + (b[p + 2] << 8) + b[p + 3];
}

function readJpegFrameHeader(b: Uint8Array): CodestreamHeader | undefined {
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let p = 2;
  const end = Math.min(b.length, SCAN_LIMIT);
  while (p + 4 <= end) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1];
    if (marker === 0xff) {
      p += 1; // fill byte (T.81 §B.1.1.2)
      continue;
    }
    const length = u16(b, p + 2);
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC); SOF55 (F7) for JPEG-LS.
    const isSof =
      (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) || marker === 0xf7;
    if (isSof) {
      if (p + 10 > b.length) return undefined;
      return {
        precision: b[p + 4],
        rows: u16(b, p + 5),
        columns: u16(b, p + 7),
        components: b[p + 9],
        signed: false,
      };
    }
    if (marker === 0xda || length < 2) return undefined; // scan data before any frame header
    p += 2 + length;
  }
  return undefined;
}

function readJpeg2000Siz(b: Uint8Array): CodestreamHeader | undefined {
  // A raw codestream starts with SOC (FF4F) SIZ (FF51); a JP2 file wraps it in a jp2c box.
  const end = Math.min(b.length - 1, SCAN_LIMIT);
  let p = -1;
  for (let i = 0; i < end; i++) {
    if (b[i] === 0xff && b[i + 1] === 0x4f && b[i + 2] === 0xff && b[i + 3] === 0x51) {
      p = i + 2;
      break;
    }
  }
  if (p < 0 || p + 41 > b.length) return undefined;
  // SIZ: marker(2) Lsiz(2) Rsiz(2) Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz (4 each) Csiz(2) Ssiz(1)…
  const xsiz = u32(b, p + 6);
  const ysiz = u32(b, p + 10);
  const xosiz = u32(b, p + 14);
  const yosiz = u32(b, p + 18);
  const components = u16(b, p + 38);
  const ssiz = b[p + 40];
  return {
    columns: xsiz - xosiz,
    rows: ysiz - yosiz,
    components,
    precision: (ssiz & 0x7f) + 1,
    signed: (ssiz & 0x80) !== 0,
  };
}
