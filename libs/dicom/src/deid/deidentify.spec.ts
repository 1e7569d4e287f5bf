import { parseDicom } from '../parse/parse-dicom';
import { readMetadata } from '../parse/metadata';
import { TransferSyntax } from '../parse/transfer-syntax';
import { closeCodecWorker } from '../pixels/codec-pool';
import { decodeFrame } from '../pixels/decode-pixels';
import { syntheticFile } from '../testing/synthetic';
import { deidentify } from './deidentify';

afterAll(() => closeCodecWorker());

describe('deidentify (PS3.15 Annex E Basic Profile, modified dates)', () => {
  it('replaces identifiers, keeps a study together and shifts dates per patient', async () => {
    const extra = [
      { tag: 0x00080080, vr: 'LO', value: 'General Hospital' },
      { tag: 0x00100030, vr: 'DA', value: '19700101' },
      { tag: 0x00091010, vr: 'LO', value: 'private' },
    ];
    const a = parseDicom(await syntheticFile(TransferSyntax.ExplicitVRBigEndian, {}, extra));
    const b = parseDicom(
      await syntheticFile(TransferSyntax.JpegLsLossless, {}, [
        ...extra,
        { tag: 0x00080018, vr: 'UI', value: '1.2.826.0.1.3680043.99.1.2' },
      ]),
    );
    const outA = deidentify(a, { secret: 'k' });
    const outB = deidentify(b, { secret: 'k' });
    const ma = readMetadata(parseDicom(outA.bytes));
    const mb = readMetadata(parseDicom(outB.bytes));
    expect(ma.patient.name).toBe(outA.patientPseudonym);
    expect(ma.patient.id).not.toBe('MRN-001');
    expect(ma.studyInstanceUid).toBe(mb.studyInstanceUid);
    expect(ma.seriesInstanceUid).toBe(mb.seriesInstanceUid);
    expect(ma.studyInstanceUid).not.toBe('1.2.826.0.1.3680043.99.2');
    expect(ma.sopInstanceUid).not.toBe(mb.sopInstanceUid);
    expect(outA.dateShiftDays).toBe(outB.dateShiftDays);
    const shifted = new Date(Date.UTC(2024, 2, 15) - outA.dateShiftDays * 86400000)
      .toISOString()
      .slice(0, 10)
      .replace(/-/gu, '');
    expect(ma.study.date).toBe(shifted);
    const ds = parseDicom(outA.bytes);
    expect(ds.has(0x00080080)).toBe(false);
    expect(ds.has(0x00091010)).toBe(false);
    expect(ds.string(0x00120062)).toBe('YES');
    expect(outB.transferSyntaxUid).toBe(TransferSyntax.JpegLsLossless);
    const [pa, pb] = await Promise.all([decodeFrame(a), decodeFrame(parseDicom(outA.bytes))]);
    expect(Array.from(pb.pixels)).toEqual(Array.from(pa.pixels));
  });
});
