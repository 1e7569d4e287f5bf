/** Transfer syntax UIDs this library reads (DICOM PS3.5 §10, PS3.6 Annex A). */
export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  RleLossless: '1.2.840.10008.1.2.5',
  JpegBaseline: '1.2.840.10008.1.2.4.50',
  JpegExtended: '1.2.840.10008.1.2.4.51',
  JpegLossless: '1.2.840.10008.1.2.4.57',
  JpegLosslessSV1: '1.2.840.10008.1.2.4.70',
  JpegLsLossless: '1.2.840.10008.1.2.4.80',
  JpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  Jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  Jpeg2000: '1.2.840.10008.1.2.4.91',
} as const;

export type TransferSyntaxUid = (typeof TransferSyntax)[keyof typeof TransferSyntax];

/** Which codec family decodes an encapsulated syntax. */
export type CodecFamily = 'native' | 'rle' | 'jpeg' | 'jpegls' | 'jpeg2000';

export interface TransferSyntaxInfo {
  uid: TransferSyntaxUid;
  name: string;
  explicitVr: boolean;
  littleEndian: boolean;
  deflated: boolean;
  /** Pixel data is a sequence of fragments (PS3.5 §A.4). */
  encapsulated: boolean;
  lossy: boolean;
  codec: CodecFamily;
}

const infos: TransferSyntaxInfo[] = [
  info('ImplicitVRLittleEndian', 'Implicit VR Little Endian', { explicitVr: false }),
  info('ExplicitVRLittleEndian', 'Explicit VR Little Endian', {}),
  info('DeflatedExplicitVRLittleEndian', 'Deflated Explicit VR Little Endian', { deflated: true }),
  info('ExplicitVRBigEndian', 'Explicit VR Big Endian', { littleEndian: false }),
  info('RleLossless', 'RLE Lossless', { encapsulated: true, codec: 'rle' }),
  info('JpegBaseline', 'JPEG Baseline (Process 1)', { encapsulated: true, lossy: true, codec: 'jpeg' }),
  info('JpegExtended', 'JPEG Extended (Process 2 & 4)', { encapsulated: true, lossy: true, codec: 'jpeg' }),
  info('JpegLossless', 'JPEG Lossless, Non-Hierarchical (Process 14)', { encapsulated: true, codec: 'jpeg' }),
  info('JpegLosslessSV1', 'JPEG Lossless, Process 14 SV1', { encapsulated: true, codec: 'jpeg' }),
  info('JpegLsLossless', 'JPEG-LS Lossless', { encapsulated: true, codec: 'jpegls' }),
  info('JpegLsNearLossless', 'JPEG-LS Near-Lossless', { encapsulated: true, lossy: true, codec: 'jpegls' }),
  info('Jpeg2000Lossless', 'JPEG 2000 Lossless Only', { encapsulated: true, codec: 'jpeg2000' }),
  info('Jpeg2000', 'JPEG 2000', { encapsulated: true, lossy: true, codec: 'jpeg2000' }),
];

function info(
  key: keyof typeof TransferSyntax,
  name: string,
  over: Partial<TransferSyntaxInfo>,
): TransferSyntaxInfo {
  return {
    uid: TransferSyntax[key],
    name,
    explicitVr: true,
    littleEndian: true,
    deflated: false,
    encapsulated: false,
    lossy: false,
    codec: 'native',
    ...over,
  };
}

const byUid = new Map<string, TransferSyntaxInfo>(infos.map((i) => [i.uid, i]));

/** The syntax's properties, or undefined when this library does not support it. */
export function transferSyntaxInfo(uid: string): TransferSyntaxInfo | undefined {
  return byUid.get(uid);
}

export function supportedTransferSyntaxes(): readonly TransferSyntaxInfo[] {
  return infos;
}
