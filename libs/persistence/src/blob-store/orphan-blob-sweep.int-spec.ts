import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { SourceKind } from '@mosaic/domain';
import { ImagingInstance, ImagingSeries, ImagingStudy, Patient } from '../entities';
import { openTestDatabase, testEngines } from '../testing';
import { FilesystemBlobStore } from './filesystem-blob-store';
import { sweepOrphanBlobs } from './orphan-blob-sweep';

describe.each(testEngines())('orphan blob sweep on %s', (engine) => {
  it('removes old unreferenced blobs and keeps referenced or recent ones', async () => {
    const database = await openTestDatabase(engine);
    try {
      const root = join(database.dataDir, 'blobs');
      const store = new FilesystemBlobStore(root);
      const referenced = await store.put(Buffer.from('referenced dicom'));
      const orphan = await store.put(Buffer.from('rolled-back upload'));
      const recent = await store.put(Buffer.from('upload still in its transaction'));
      const hourAgo = new Date(Date.now() - 3600_000);
      for (const blob of [referenced, orphan]) {
        const path = join(root, blob.key.slice(0, 2), blob.key.slice(2, 4), blob.key);
        await utimes(path, hourAgo, hourAgo);
      }

      const { dataSource } = database;
      const source = { sourceKind: SourceKind.Cli, sourceId: 'test' };
      const patient = await dataSource.getRepository(Patient).save({ familyName: 'Sweep', ...source });
      const study = await dataSource
        .getRepository(ImagingStudy)
        .save({ patientId: patient.id, studyInstanceUid: '1.2.3' });
      const series = await dataSource
        .getRepository(ImagingSeries)
        .save({ studyId: study.id, seriesInstanceUid: '1.2.3.1', modality: 'DX' });
      await dataSource.getRepository(ImagingInstance).save({
        ...source,
        patientId: patient.id,
        seriesId: series.id,
        sopInstanceUid: '1.2.3.1.1',
        sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
        rows: 1,
        columns: 1,
        transferSyntaxUid: '1.2.840.10008.1.2.1',
        sha256: referenced.sha256,
        blobKey: referenced.key,
        byteSize: String(referenced.byteSize),
        effectiveAt: new Date('2024-01-01T00:00:00Z'),
      });

      const result = await sweepOrphanBlobs(dataSource, store, { graceMs: 10 * 60_000 });
      expect(result).toEqual({ examined: 3, removed: [orphan.key] });
      expect(await store.has(referenced.key)).toBe(true);
      expect(await store.has(orphan.key)).toBe(false);
      expect(await store.has(recent.key)).toBe(true);
    } finally {
      await database.close();
    }
  });
});
