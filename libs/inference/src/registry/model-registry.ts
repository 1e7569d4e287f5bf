import path from 'node:path';
import { InferenceError, InferenceErrorCode } from '../inference.errors';
import type { LoadedModel } from '../model/load-model';
import { loadModel } from '../model/load-model';
import { warmUp } from '../run/warm-up';
import type { ModelSessionOptions } from '../session/model-sessions';
import type { CatalogueEntry } from './model-catalogue';
import { compareVersions, scanModels } from './model-catalogue';

/**
 * Loaded, warmed ONNX Runtime sessions per model version, handed out as leases. A version that is
 * swapped out (`retainOnly`) keeps serving the leases already taken — in-flight requests finish on
 * the sessions they started with — and its sessions are released when the last lease ends. The
 * choice of the active version is not made here: it lives in the database so that every replica
 * agrees (ARCHITECTURE.md §Stateless replicas); the API tells the registry which versions to keep.
 */

export interface OnnxFileHash {
  path: string;
  sha256: string;
}

export interface ModelLease {
  model: LoadedModel;
  modelId: string;
  version: string;
  /** sha256 of each ONNX graph the lease runs, from the verified manifest. */
  onnxFiles: OnnxFileHash[];
  /** Idempotent. */
  release(): void;
}

interface Slot {
  key: string;
  modelId: string;
  version: string;
  loading: Promise<LoadedModel>;
  model: LoadedModel | null;
  leases: number;
  retired: boolean;
  released: boolean;
}

export interface ModelRegistryOptions {
  modelsDir: string;
  session?: ModelSessionOptions;
}

export const versionKey = (modelId: string, version: string): string => `${modelId}@${version}`;

export class ModelRegistry {
  private entries: CatalogueEntry[] = [];
  private readonly slots = new Map<string, Slot>();
  private readonly releases = new Set<Promise<void>>();

  constructor(readonly options: ModelRegistryOptions) {}

  get modelsDir(): string {
    return path.resolve(this.options.modelsDir);
  }

  /** Re-reads the models directory (manifests and file hashes); loaded sessions are untouched. */
  async scan(): Promise<CatalogueEntry[]> {
    this.entries = await scanModels(this.modelsDir);
    return this.entries;
  }

  catalogue(): readonly CatalogueEntry[] {
    return this.entries;
  }

  entry(modelId: string, version: string): CatalogueEntry | undefined {
    return this.entries.find((e) => e.modelId === modelId && e.version === version);
  }

  /** Model ids with at least one valid version. */
  modelIds(): string[] {
    return [...new Set(this.entries.filter((e) => e.manifest).map((e) => e.modelId))];
  }

  /** The newest valid version of a model, the default when none was activated. */
  newestVersion(modelId: string): string | null {
    const versions = this.entries
      .filter((e) => e.modelId === modelId && e.manifest)
      .map((e) => e.version)
      .sort(compareVersions);
    return versions.length > 0 ? versions[versions.length - 1] : null;
  }

  isWarm(modelId: string, version: string): boolean {
    const slot = this.slots.get(versionKey(modelId, version));
    return Boolean(slot?.model && !slot.retired);
  }

  /**
   * Loads (sha256-checked, see loadModel) and warms a version once; concurrent callers share the
   * load. A retired version that is asked for again is loaded afresh.
   */
  async load(modelId: string, version: string): Promise<void> {
    const key = versionKey(modelId, version);
    const existing = this.slots.get(key);
    if (existing && !existing.retired) {
      await existing.loading;
      return;
    }
    const entry = this.entry(modelId, version);
    if (!entry?.manifest) {
      throw new InferenceError(
        InferenceErrorCode.ManifestUnreadable,
        entry?.problem ?? `no model ${modelId} version ${version} in ${this.modelsDir}`,
      );
    }
    const slot: Slot = {
      key,
      modelId,
      version,
      model: null,
      leases: 0,
      retired: false,
      released: false,
      loading: (async () => {
        const model = await loadModel(entry.dir, { session: this.options.session });
        try {
          await warmUp(model);
        } catch (error) {
          await model.release();
          throw error;
        }
        this.loadedCount++;
        return model;
      })(),
    };
    this.slots.set(key, slot);
    try {
      slot.model = await slot.loading;
    } catch (error) {
      if (this.slots.get(key) === slot) this.slots.delete(key);
      throw error;
    }
    // Swapped out (retainOnly, close) while it was loading: nobody can lease it, so release it now
    // rather than leaving its sessions unreachable and never released.
    if (slot.retired) this.releaseIfIdle(slot);
  }

  /** A lease on a warm version; throws when it is not loaded (call `load` first). */
  acquire(modelId: string, version: string): ModelLease {
    const slot = this.slots.get(versionKey(modelId, version));
    if (!slot?.model || slot.retired) {
      throw new InferenceError(
        InferenceErrorCode.InvalidInput,
        `model ${modelId} version ${version} is not loaded`,
      );
    }
    slot.leases++;
    const model = slot.model;
    const onnx = new Set([
      ...Object.values(model.manifest.encoders).map((g) => g.file),
      model.manifest.fusion.file,
    ]);
    let released = false;
    return {
      model,
      modelId,
      version,
      onnxFiles: model.manifest.files
        .filter((file) => onnx.has(file.path))
        .map((file) => ({ path: file.path, sha256: file.sha256 })),
      release: () => {
        if (released) return;
        released = true;
        slot.leases--;
        this.releaseIfIdle(slot);
      },
    };
  }

  /**
   * Retires every loaded version not in `keep` (keys from `versionKey`): no new leases, and the
   * sessions are released once the leases in flight end.
   */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const slot of [...this.slots.values()]) {
      if (keep.has(slot.key) || slot.retired) continue;
      slot.retired = true;
      this.slots.delete(slot.key);
      this.releaseIfIdle(slot);
    }
  }

  /**
   * Counts for operations and the swap soak: versions loaded (sessions created) and released
   * (every session of the version released) since the registry was created, and releases still
   * in progress. After the last lease of every retired version ends and `settled()` resolves,
   * `loadedVersions - releasedVersions` is the number of versions this registry holds.
   */
  stats(): { loadedVersions: number; releasedVersions: number; releasing: number } {
    return {
      loadedVersions: this.loadedCount,
      releasedVersions: this.releasedCount,
      releasing: this.releases.size,
    };
  }

  /** Resolves when every release started so far has finished. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.releases]);
  }

  private loadedCount = 0;
  private releasedCount = 0;

  /** Versions whose sessions are loaded, with their lease counts (retired ones still draining included). */
  loaded(): { modelId: string; version: string; leases: number; retired: boolean }[] {
    return [...this.draining, ...this.slots.values()].map((s) => ({
      modelId: s.modelId,
      version: s.version,
      leases: s.leases,
      retired: s.retired,
    }));
  }

  private readonly draining = new Set<Slot>();

  private releaseIfIdle(slot: Slot): void {
    if (!slot.retired) return;
    if (slot.leases > 0) {
      this.draining.add(slot);
      return;
    }
    this.draining.delete(slot);
    // Still loading: `load` releases it when the sessions exist.
    if (slot.released || !slot.model) return;
    slot.released = true;
    const model = slot.model;
    const done = model
      .release()
      .then(() => {
        this.releasedCount++;
      })
      .finally(() => this.releases.delete(done));
    this.releases.add(done);
  }

  /** Releases everything (shutdown); leases still out are abandoned. */
  async close(): Promise<void> {
    const slots = [...this.slots.values(), ...this.draining];
    for (const slot of slots) {
      slot.retired = true;
      slot.leases = 0;
      this.releaseIfIdle(slot);
    }
    this.slots.clear();
    // A version still loading is released as soon as it is loaded (see `load`); wait for that too.
    await Promise.allSettled(slots.map((slot) => slot.loading));
    for (const slot of slots) this.releaseIfIdle(slot);
    await this.settled();
  }
}
