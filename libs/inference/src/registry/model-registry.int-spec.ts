import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { committedModelDirs } from '../testing/committed-models';
import { compareVersions, intendedUseFromCard } from './model-catalogue';
import { ModelRegistry, versionKey } from './model-registry';

/** A models directory with the committed model as two versions and one tampered copy. */
function modelsDirWithVersions(): { root: string; modelId: string } {
  const source = committedModelDirs()[0];
  const manifest = JSON.parse(readFileSync(path.join(source, 'manifest.json'), 'utf8')) as {
    modelId: string;
    version: string;
  };
  const root = mkdtempSync(path.join(tmpdir(), 'mosaic-models-'));
  const copy = (version: string): string => {
    const dir = path.join(root, manifest.modelId, version);
    cpSync(source, dir, { recursive: true });
    // manifest.json is not among its own hashed files, so only the version needs rewriting.
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version }));
    return dir;
  };
  copy('1.0.0');
  copy('1.1.0');
  const tampered = copy('0.9.0');
  writeFileSync(path.join(tampered, 'vocab.txt'), 'tampered');
  return { root, modelId: manifest.modelId };
}

describe('ModelRegistry', () => {
  const { root, modelId } = modelsDirWithVersions();
  const registry = new ModelRegistry({ modelsDir: root });

  afterAll(async () => {
    await registry.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists every version, newest first, and names the problem of a tampered one', async () => {
    const entries = await registry.scan();
    expect(entries.map((e) => e.version)).toEqual(['1.1.0', '1.0.0', '0.9.0']);
    expect(entries[2]).toMatchObject({ manifest: null, problem: expect.stringContaining('vocab.txt') });
    expect(entries[0].card).toMatchObject({
      notForClinicalUse: true,
      notice: expect.stringContaining('NOT FOR CLINICAL USE'),
    });
    expect(registry.newestVersion(modelId)).toBe('1.1.0');
  });

  it('refuses to load a tampered version', async () => {
    await expect(registry.load(modelId, '0.9.0')).rejects.toThrow(/vocab\.txt/);
  });

  it('keeps a swapped-out version serving its leases and releases it when the last one ends', async () => {
    await registry.load(modelId, '1.0.0');
    const lease = registry.acquire(modelId, '1.0.0');
    expect(lease.onnxFiles.map((f) => f.path).sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/fusion\.onnx$/)]),
    );
    await registry.load(modelId, '1.1.0');
    registry.retainOnly(new Set([versionKey(modelId, '1.1.0')]));
    expect(registry.isWarm(modelId, '1.0.0')).toBe(false);
    expect(() => registry.acquire(modelId, '1.0.0')).toThrow(/not loaded/);
    // The in-flight request still runs on the old sessions.
    const session = lease.model.sessions.fusion;
    expect(session).toBeDefined();
    expect(registry.loaded()).toEqual(
      expect.arrayContaining([{ modelId, version: '1.0.0', leases: 1, retired: true }]),
    );
    lease.release();
    lease.release();
    expect(registry.loaded().map((l) => l.version)).toEqual(['1.1.0']);
  });

  it('releases every session of each swapped-out version exactly once, also one swapped out while loading', async () => {
    await registry.settled();
    const before = registry.stats();
    const probe = registry.acquire(modelId, '1.1.0');
    const sessionsPerVersion = Object.keys(probe.model.sessions).length;
    // Every onnxruntime InferenceSession shares this prototype: the spy counts real releases.
    const sessionPrototype = Object.getPrototypeOf(probe.model.sessions.fusion) as {
      release(): Promise<void>;
    };
    probe.release();
    expect(sessionsPerVersion).toBe(4);
    const release = jest.spyOn(sessionPrototype, 'release');
    try {
      for (const version of ['1.0.0', '1.1.0', '1.0.0']) {
        await registry.load(modelId, version);
        registry.retainOnly(new Set([versionKey(modelId, version)]));
      }
      // Swapped out before its load finished: nobody can lease it, so it is released on arrival.
      const racing = registry.load(modelId, '1.1.0');
      registry.retainOnly(new Set([versionKey(modelId, '1.0.0')]));
      await racing;
      expect(registry.isWarm(modelId, '1.1.0')).toBe(false);
      await registry.settled();
      const after = registry.stats();
      expect(after.loadedVersions - before.loadedVersions).toBe(4);
      expect(after.releasedVersions - before.releasedVersions).toBe(4);
      expect(after.releasing).toBe(0);
      expect(release).toHaveBeenCalledTimes(4 * sessionsPerVersion);
      expect(registry.loaded()).toEqual([{ modelId, version: '1.0.0', leases: 0, retired: false }]);
      expect(after.loadedVersions - after.releasedVersions).toBe(1);
    } finally {
      release.mockRestore();
    }
  });

  it('close() releases a version that is still loading', async () => {
    const other = new ModelRegistry({ modelsDir: root });
    await other.scan();
    const loading = other.load(modelId, '1.0.0');
    await other.close();
    await loading;
    expect(other.stats()).toEqual({ loadedVersions: 1, releasedVersions: 1, releasing: 0 });
    expect(other.loaded()).toEqual([]);
  });
});

describe('catalogue helpers', () => {
  it('orders versions by SemVer, a pre-release before its release', () => {
    expect(['1.10.0', '1.2.0', '1.2.0-rc.1', '0.9.9'].sort(compareVersions)).toEqual([
      '0.9.9',
      '1.2.0-rc.1',
      '1.2.0',
      '1.10.0',
    ]);
  });

  it('reads the intended use of a model card', () => {
    expect(intendedUseFromCard('# m\n\n## Intended use\n\nTeaching\nonly.\n\n## Labels\n')).toBe(
      'Teaching only.',
    );
  });
});
