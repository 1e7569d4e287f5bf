import type { DicomDataset } from './dicom-dataset';
import { combineDateTime, resolveDicomDateTime } from './date-time';
import type { ResolvedDateTime } from './date-time';
import { readPixelModule } from './pixel-module';
import type { PixelModule } from './pixel-module';

/** A LUT Descriptor (PS3.3 §C.11.1.1.1): entries (0 means 65536), first mapped value, bits per entry. */
export interface LutDescriptor {
  entries: number;
  firstMapped: number;
  bitsPerEntry: number;
}

export interface WindowSetting {
  center: number;
  width: number;
  explanation?: string;
}

/** The image-related metadata: pixel module plus the attributes the display pipeline reads. */
export interface ImageMetadata extends PixelModule {
  /** (0028,0030) row spacing\column spacing in mm. */
  pixelSpacing?: [number, number];
  /** (0018,1164) spacing at the detector, for projection radiographs. */
  imagerPixelSpacing?: [number, number];
  rescale: { slope: number; intercept: number; type?: string };
  windows: WindowSetting[];
  /** (0028,1056): LINEAR (default), LINEAR_EXACT or SIGMOID. */
  voiLutFunction?: string;
  modalityLutDescriptor?: LutDescriptor;
  voiLutDescriptors: LutDescriptor[];
  paletteDescriptors?: { red: LutDescriptor; green: LutDescriptor; blue: LutDescriptor };
}

/** Typed metadata of one instance: what the API stores and `mosaic dicom info` prints. */
export interface DicomMetadata {
  fileName?: string;
  transferSyntaxUid: string;
  transferSyntaxName: string;
  hasPart10Header: boolean;
  specificCharacterSet: string[];
  sopClassUid?: string;
  sopInstanceUid?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  frameOfReferenceUid?: string;
  patient: { id?: string; issuerOfPatientId?: string; name?: string; birthDate?: string; sex?: string };
  study: { id?: string; date?: string; time?: string; description?: string; accessionNumber?: string };
  series: { number?: number; description?: string; modality?: string; bodyPartExamined?: string };
  instanceNumber?: number;
  viewPosition?: string;
  /** (0008,0201) as found, "+hhmm"/"-hhmm". */
  timezoneOffsetFromUtc?: string;
  /** Acquisition instant (AcquisitionDateTime, else Acquisition/Content/Series/Study Date+Time). */
  acquisitionDateTime?: ResolvedDateTime & { source: string };
  image?: ImageMetadata;
}

function pair(values: number[]): [number, number] | undefined {
  return values.length >= 2 && values.every(Number.isFinite) ? [values[0], values[1]] : undefined;
}

function lutDescriptor(ds: DicomDataset, tag: number): LutDescriptor | undefined {
  const v = ds.numbers(tag);
  if (v.length < 3) return undefined;
  // The first mapped value is US or SS depending on Pixel Representation (PS3.3 §C.11.1.1.1); dicom-parser
  // reads US, so re-sign it when the image is signed.
  const signed = ds.number(0x00280103) === 1;
  return {
    entries: v[0] === 0 ? 65536 : v[0],
    firstMapped: signed && v[1] > 32767 ? v[1] - 65536 : v[1],
    bitsPerEntry: v[2],
  };
}

export function readImageMetadata(ds: DicomDataset): ImageMetadata | undefined {
  const module = readPixelModule(ds);
  if (!module) return undefined;
  const centers = ds.numbers(0x00281050);
  const widths = ds.numbers(0x00281051);
  const explanations = ds.strings(0x00281055);
  const windows: WindowSetting[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    if (Number.isFinite(centers[i]) && Number.isFinite(widths[i]) && widths[i] > 0) {
      windows.push({
        center: centers[i],
        width: widths[i],
        ...(explanations[i] ? { explanation: explanations[i] } : {}),
      });
    }
  }
  const modalityLut = ds.items(0x00283000)[0];
  const red = lutDescriptor(ds, 0x00281101);
  const green = lutDescriptor(ds, 0x00281102);
  const blue = lutDescriptor(ds, 0x00281103);
  return {
    ...module,
    pixelSpacing: pair(ds.numbers(0x00280030)),
    imagerPixelSpacing: pair(ds.numbers(0x00181164)),
    rescale: {
      slope: ds.number(0x00281053) ?? 1,
      intercept: ds.number(0x00281052) ?? 0,
      ...(ds.string(0x00281054) ? { type: ds.string(0x00281054) } : {}),
    },
    windows,
    voiLutFunction: ds.string(0x00281056),
    modalityLutDescriptor: modalityLut ? lutDescriptor(modalityLut, 0x00283002) : undefined,
    voiLutDescriptors: ds
      .items(0x00283010)
      .map((item) => lutDescriptor(item, 0x00283002))
      .filter((d): d is LutDescriptor => d !== undefined),
    paletteDescriptors: red && green && blue ? { red, green, blue } : undefined,
  };
}

/** Typed metadata; absent attributes are omitted rather than guessed. */
export function readMetadata(ds: DicomDataset, opts: { facilityTimeZone?: string } = {}): DicomMetadata {
  const tz = ds.string(0x00080201);
  const candidates: Array<[string, string | undefined]> = [
    ['AcquisitionDateTime', ds.string(0x0008002a)],
    ['AcquisitionDate+Time', combineDateTime(ds.string(0x00080022), ds.string(0x00080032))],
    ['ContentDate+Time', combineDateTime(ds.string(0x00080023), ds.string(0x00080033))],
    ['SeriesDate+Time', combineDateTime(ds.string(0x00080021), ds.string(0x00080031))],
    ['StudyDate+Time', combineDateTime(ds.string(0x00080020), ds.string(0x00080030))],
  ];
  let acquisitionDateTime: DicomMetadata['acquisitionDateTime'];
  for (const [source, value] of candidates) {
    const resolved = resolveDicomDateTime(value, {
      timezoneOffsetFromUtc: tz,
      facilityTimeZone: opts.facilityTimeZone,
    });
    if (resolved) {
      acquisitionDateTime = { ...resolved, source };
      break;
    }
  }
  const seriesNumber = ds.number(0x00200011);
  const instanceNumber = ds.number(0x00200013);
  return prune({
    fileName: ds.fileName,
    transferSyntaxUid: ds.transferSyntax.uid,
    transferSyntaxName: ds.transferSyntax.name,
    hasPart10Header: ds.hasPart10Header,
    specificCharacterSet: [...ds.characterSet.terms],
    sopClassUid: ds.string(0x00080016) ?? ds.string(0x00020002),
    sopInstanceUid: ds.string(0x00080018) ?? ds.string(0x00020003),
    studyInstanceUid: ds.string(0x0020000d),
    seriesInstanceUid: ds.string(0x0020000e),
    frameOfReferenceUid: ds.string(0x00200052),
    patient: {
      id: ds.string(0x00100020),
      issuerOfPatientId: ds.string(0x00100021),
      name: ds.string(0x00100010),
      birthDate: ds.string(0x00100030),
      sex: ds.string(0x00100040),
    },
    study: {
      id: ds.string(0x00200010),
      date: ds.string(0x00080020),
      time: ds.string(0x00080030),
      description: ds.string(0x00081030),
      accessionNumber: ds.string(0x00080050),
    },
    series: {
      number: seriesNumber,
      description: ds.string(0x0008103e),
      modality: ds.string(0x00080060),
      bodyPartExamined: ds.string(0x00180015),
    },
    instanceNumber,
    viewPosition: ds.string(0x00185101),
    timezoneOffsetFromUtc: tz,
    acquisitionDateTime,
    image: readImageMetadata(ds),
  });
}

/** Drops undefined members so JSON output and equality checks see only present attributes. */
function prune<T>(value: T): T {
  if (Array.isArray(value) || value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== undefined) out[k] = prune(v);
  }
  return out as T;
}
