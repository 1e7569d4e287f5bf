import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import { baseElements, syntheticFile } from '../testing/synthetic';
import { writeDicom } from '../write/write-dicom';
import { parseDicom } from './parse-dicom';
import { readMetadata } from './metadata';
import { TransferSyntax } from './transfer-syntax';

function expectDicomError(fn: () => unknown, code: DicomErrorCode, fileName = 'scan.dcm'): DicomError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DicomError);
    expect((error as DicomError).code).toBe(code);
    expect((error as DicomError).message).toContain(fileName);
    return error as DicomError;
  }
  throw new Error('expected a DicomError');
}

describe('parseDicom', () => {
  it.each([
    'ImplicitVRLittleEndian',
    'ExplicitVRLittleEndian',
    'DeflatedExplicitVRLittleEndian',
    'ExplicitVRBigEndian',
    'RleLossless',
    'JpegLsLossless',
    'Jpeg2000Lossless',
  ] as const)('reads typed metadata from %s', async (name) => {
    const file = await syntheticFile(TransferSyntax[name]);
    const meta = readMetadata(parseDicom(file, { fileName: 'scan.dcm' }));
    expect(meta.transferSyntaxUid).toBe(TransferSyntax[name]);
    expect(meta.patient).toEqual({ id: 'MRN-001', name: 'Doe^Jane' });
    expect(meta.series).toEqual({ modality: 'DX', description: 'PA chest', bodyPartExamined: 'CHEST' });
    expect(meta.viewPosition).toBe('PA');
    expect(meta.studyInstanceUid).toBe('1.2.826.0.1.3680043.99.2');
    expect(meta.acquisitionDateTime).toEqual({
      dicom: '20240315101500',
      utc: '2024-03-15T10:15:00.000Z',
      offsetSource: 'facility',
      source: 'StudyDate+Time',
    });
    expect(meta.image).toMatchObject({
      rows: 24,
      columns: 32,
      bitsAllocated: 16,
      bitsStored: 12,
      highBit: 11,
      pixelRepresentation: 0,
      photometricInterpretation: 'MONOCHROME2',
      numberOfFrames: 1,
      pixelSpacing: [0.2, 0.25],
      windows: [{ center: 2048, width: 4096 }],
      rescale: { slope: 1, intercept: 0 },
    });
  });

  it('applies TimezoneOffsetFromUTC to date-times without their own offset', async () => {
    const file = await syntheticFile(TransferSyntax.ExplicitVRLittleEndian, {}, [
      { tag: 0x0008002a, vr: 'DT', value: '20240315101500' },
      { tag: 0x00080201, vr: 'SH', value: '+0200' },
    ]);
    const meta = readMetadata(parseDicom(file));
    expect(meta.timezoneOffsetFromUtc).toBe('+0200');
    expect(meta.acquisitionDateTime?.utc).toBe('2024-03-15T08:15:00.000Z');
    expect(meta.acquisitionDateTime?.source).toBe('AcquisitionDateTime');
  });

  it('reads a bare data set with no preamble or meta header', async () => {
    const file = await syntheticFile(TransferSyntax.ExplicitVRLittleEndian);
    const metaLength = new DataView(file.buffer, file.byteOffset).getUint32(140, true);
    const bare = file.subarray(144 + metaLength);
    const ds = parseDicom(bare, { fileName: 'bare.dcm' });
    expect(ds.hasPart10Header).toBe(false);
    expect(readMetadata(ds).patient.name).toBe('Doe^Jane');
  });

  it('reads a meta header that lacks the preamble', async () => {
    const file = await syntheticFile(TransferSyntax.ExplicitVRLittleEndian);
    expect(readMetadata(parseDicom(file.subarray(132))).series.modality).toBe('DX');
  });

  it('rejects truncated files, a bad preamble and a missing transfer syntax with typed errors', async () => {
    const file = await syntheticFile(TransferSyntax.ExplicitVRLittleEndian);
    expectDicomError(
      () => parseDicom(file.subarray(0, 5), { fileName: 'scan.dcm' }),
      DicomErrorCode.Truncated,
    );
    expectDicomError(
      () => parseDicom(file.subarray(0, file.length - 100), { fileName: 'scan.dcm' }),
      DicomErrorCode.Truncated,
    );
    const badPreamble = file.slice();
    badPreamble.set([0x58, 0x58, 0x58, 0x58], 128);
    badPreamble.fill(0xee, 132, 140);
    badPreamble.fill(0xee, 0, 8);
    expectDicomError(() => parseDicom(badPreamble, { fileName: 'scan.dcm' }), DicomErrorCode.BadPreamble);
    const noSyntax = file.slice();
    const at = Buffer.from(noSyntax).indexOf(Buffer.from([0x02, 0x00, 0x10, 0x00]), 132);
    noSyntax[at + 2] = 0x11; // (0002,0010) becomes (0002,0011)
    expectDicomError(
      () => parseDicom(noSyntax, { fileName: 'scan.dcm' }),
      DicomErrorCode.MissingTransferSyntax,
    );
  });

  it('rejects pixel data shorter or longer than the pixel module declares', async () => {
    const file = await syntheticFile(TransferSyntax.ExplicitVRLittleEndian);
    const declared = file.slice();
    const view = new DataView(declared.buffer);
    const rowsAt = Buffer.from(declared).indexOf(Buffer.from([0x28, 0x00, 0x10, 0x00, 0x55, 0x53]));
    view.setUint16(rowsAt + 8, 25, true);
    expectDicomError(
      () => parseDicom(declared, { fileName: 'scan.dcm' }),
      DicomErrorCode.PixelDataLengthMismatch,
    );
    view.setUint16(rowsAt + 8, 23, true);
    const error = expectDicomError(
      () => parseDicom(declared, { fileName: 'scan.dcm' }),
      DicomErrorCode.PixelDataLengthMismatch,
    );
    expect(error.message).toContain('long');
  });

  it('rejects an absurd declared length without allocating', async () => {
    const file = await syntheticFile(TransferSyntax.ExplicitVRLittleEndian);
    const bad = file.slice();
    const at = Buffer.from(bad).indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57]));
    new DataView(bad.buffer).setUint32(at + 8, 0xfffffff0, true);
    const error = expectDicomError(
      () => parseDicom(bad, { fileName: 'scan.dcm' }),
      DicomErrorCode.AbsurdLength,
    );
    expect(error.message).toContain('(7FE0,0010)');
  });

  it('names the file in unsupported-syntax errors', async () => {
    const file = await writeDicom({
      transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
      elements: baseElements(),
    });
    const text = Buffer.from(file);
    const patched = Buffer.from(
      text.toString('latin1').replace('1.2.840.10008.1.2.1\0', '1.2.840.10008.1.2.9\0'),
      'latin1',
    );
    expectDicomError(
      () => parseDicom(patched, { fileName: 'scan.dcm' }),
      DicomErrorCode.UnsupportedTransferSyntax,
    );
  });
});
