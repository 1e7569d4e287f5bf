import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import type { DicomDataset } from '../parse/dicom-dataset';
import { nativeFrameByteLength } from '../parse/pixel-module';
import type { PixelModule } from '../parse/pixel-module';

/**
 * The bytes of one frame as stored: for native syntaxes a slice of Pixel Data; for encapsulated
 * syntaxes the frame's fragments concatenated (PS3.5 §A.4). Without a Basic Offset Table the frames
 * are found by count (one fragment per frame) or, failing that, by the codec's start marker.
 */
export function storedFrameBytes(ds: DicomDataset, module: PixelModule, index: number): Uint8Array {
  const el = ds.element(0x7fe00010);
  if (!el) throw new DicomError(DicomErrorCode.NoPixelData, 'no Pixel Data (7FE0,0010)', ds.fileName);
  if (!Number.isInteger(index) || index < 0 || index >= module.numberOfFrames) {
    throw new DicomError(
      DicomErrorCode.FrameOutOfRange,
      `frame ${index} does not exist (the image has ${module.numberOfFrames}, 0-based)`,
      ds.fileName,
    );
  }
  if (!ds.transferSyntax.encapsulated) {
    if (module.bitsAllocated === 1) {
      // 1-bit frames are packed without byte alignment between frames (PS3.5 §8.1.1): return whole bytes
      // covering the frame; unpacking uses the bit offset.
      const bits = module.rows * module.columns * module.samplesPerPixel;
      const start = Math.floor((index * bits) / 8);
      const end = Math.ceil(((index + 1) * bits) / 8);
      return ds.bytes.subarray(el.dataOffset + start, el.dataOffset + end);
    }
    const length = nativeFrameByteLength(module);
    return ds.bytes.subarray(el.dataOffset + index * length, el.dataOffset + (index + 1) * length);
  }
  const fragments = el.fragments ?? [];
  if (fragments.length === 0)
    throw new DicomError(DicomErrorCode.NoPixelData, 'encapsulated Pixel Data has no fragments', ds.fileName);
  const frameFragments = fragmentsOfFrame(
    ds,
    el.basicOffsetTable ?? [],
    fragments,
    module.numberOfFrames,
    index,
  );
  if (frameFragments.length === 1) {
    const f = frameFragments[0];
    return ds.bytes.subarray(f.position, f.position + f.length);
  }
  const total = frameFragments.reduce((n, f) => n + f.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const f of frameFragments) {
    out.set(ds.bytes.subarray(f.position, f.position + f.length), at);
    at += f.length;
  }
  return out;
}

interface Fragment {
  offset: number;
  position: number;
  length: number;
}

function fragmentsOfFrame(
  ds: DicomDataset,
  table: number[],
  fragments: Fragment[],
  frames: number,
  index: number,
): Fragment[] {
  if (frames === 1) return fragments;
  if (table.length === frames) {
    const start = table[index];
    const end = index + 1 < frames ? table[index + 1] : Infinity;
    if (start > (table[index + 1] ?? Infinity)) {
      throw new DicomError(DicomErrorCode.Malformed, 'Basic Offset Table is not ascending', ds.fileName);
    }
    const found = fragments.filter((f) => f.offset >= start && f.offset < end);
    if (found.length) return found;
    throw new DicomError(
      DicomErrorCode.Malformed,
      `Basic Offset Table points frame ${index} at no fragment`,
      ds.fileName,
    );
  }
  if (fragments.length === frames) return [fragments[index]];
  // No usable offset table and more fragments than frames: a new frame starts at a fragment that begins
  // with a codec start marker (JPEG SOI FFD8, JPEG 2000 SOC FF4F, JP2 signature box).
  const starts: number[] = [];
  fragments.forEach((f, i) => {
    const b = ds.bytes;
    const p = f.position;
    const soi = b[p] === 0xff && (b[p + 1] === 0xd8 || b[p + 1] === 0x4f);
    const jp2 = b[p + 4] === 0x6a && b[p + 5] === 0x50 && b[p + 6] === 0x20 && b[p + 7] === 0x20;
    if (soi || jp2) starts.push(i);
  });
  if (starts.length !== frames) {
    throw new DicomError(
      DicomErrorCode.Malformed,
      `cannot split ${fragments.length} fragments into ${frames} frames without a Basic Offset Table`,
      ds.fileName,
    );
  }
  return fragments.slice(starts[index], starts[index + 1] ?? fragments.length);
}
