import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobRef, BlobStore, StoredBlob } from './blob-store';

const KEY_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Blobs under `<root>/ab/cd/<sha256>`. A write goes to a temporary file first and is renamed into
 * place, so a crash never leaves a partial blob under a valid key.
 */
export class FilesystemBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(bytes: Uint8Array): Promise<BlobRef> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(sha256);
    if (!(await this.has(sha256))) {
      await mkdir(join(path, '..'), { recursive: true });
      const temporary = `${path}.${randomUUID()}.tmp`;
      await writeFile(temporary, bytes);
      await rename(temporary, path);
    }
    return { key: sha256, sha256, byteSize: bytes.byteLength };
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  async has(key: string): Promise<boolean> {
    try {
      await stat(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async *list(): AsyncIterable<StoredBlob> {
    for (const first of await safeReaddir(this.root)) {
      for (const second of await safeReaddir(join(this.root, first))) {
        for (const name of await safeReaddir(join(this.root, first, second))) {
          if (!KEY_PATTERN.test(name)) continue;
          try {
            const info = await stat(join(this.root, first, second, name));
            yield { key: name, modifiedAt: info.mtime };
          } catch {
            // Deleted between the listing and the stat: nothing to report.
          }
        }
      }
    }
  }

  private pathOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new Error(`not a blob key: ${key}`);
    return join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }
}

async function safeReaddir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}
