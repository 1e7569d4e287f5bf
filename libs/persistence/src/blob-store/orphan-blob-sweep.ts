import type { DataSource } from 'typeorm';
import type { BlobStore } from './blob-store';

export interface SweepResult {
  examined: number;
  removed: string[];
}

/**
 * Removes blobs no record refers to (ARCHITECTURE.md §Stateless replicas). An upload writes its blob
 * before the transaction that refers to it commits; when that transaction rolls back, the blob is
 * left behind. Blobs younger than `graceMs` are kept, since their transaction may still be open.
 */
export async function sweepOrphanBlobs(
  dataSource: DataSource,
  blobs: BlobStore,
  options: { graceMs: number; now?: Date },
): Promise<SweepResult> {
  const cutoff = (options.now ?? new Date()).getTime() - options.graceMs;
  const candidates: string[] = [];
  let examined = 0;
  for await (const blob of blobs.list()) {
    examined += 1;
    if (blob.modifiedAt.getTime() < cutoff) candidates.push(blob.key);
  }
  const removed: string[] = [];
  for (let start = 0; start < candidates.length; start += 1000) {
    const batch = candidates.slice(start, start + 1000);
    const referenced: { blob_key: string }[] = await dataSource.query(
      'SELECT DISTINCT blob_key FROM imaging_instances WHERE blob_key = ANY($1)',
      [batch],
    );
    const kept = new Set(referenced.map((row) => row.blob_key));
    for (const key of batch) {
      if (kept.has(key)) continue;
      await blobs.delete(key);
      removed.push(key);
    }
  }
  return { examined, removed };
}
