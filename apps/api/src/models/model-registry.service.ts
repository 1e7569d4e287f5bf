import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ModelRegistry, versionKey } from '@mosaic/inference';
import type { CatalogueEntry, GraphOptimizationLevel, ModelLease } from '@mosaic/inference';
import { ActiveModel } from '@mosaic/persistence';
import { AppConfig } from '../config/app-config';
import { onnxRuntimeVersion, resolveCodeVersion } from './code-version';
import { ModelError, ModelErrorCode, modelNotReady } from './models.errors';

export type ModelState = 'starting' | 'loading' | 'ready' | 'failed';

/**
 * The server side of the model registry: scans MOSAIC_MODELS_DIR at start, loads and warms the
 * active version in the background (readiness stays false until it is warm), and hands out
 * leases to assessments. The active version is read from the `active_models` table — on every
 * assessment and every MOSAIC_MODEL_SYNC_SECONDS — so all replicas serve the same version; an
 * activation loads and warms the new version before it is written, so there is no gap, and the
 * old sessions are released once the requests already running on them finish.
 */
@Injectable()
export class ModelRegistryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Models');
  readonly registry: ModelRegistry;
  readonly codeVersion: string;
  readonly runtimeVersion = onnxRuntimeVersion();
  private modelId: string | null = null;
  private activeVersion: string | null = null;
  private state: ModelState = 'starting';
  private problem: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | null = null;
  private started: Promise<void> | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {
    this.registry = new ModelRegistry({
      modelsDir: config.MOSAIC_MODELS_DIR,
      session: {
        intraOpNumThreads: config.MOSAIC_ORT_INTRA_OP_THREADS,
        interOpNumThreads: config.MOSAIC_ORT_INTER_OP_THREADS,
        // Validated against the four levels by AppConfig.
        graphOptimizationLevel: config.MOSAIC_ORT_GRAPH_OPTIMIZATION as GraphOptimizationLevel,
      },
    });
    this.codeVersion = resolveCodeVersion(config.MOSAIC_CODE_VERSION);
  }

  onApplicationBootstrap(): void {
    // Not awaited: the server answers liveness at once and reports ready when the model is warm.
    this.started = this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.started?.catch(() => undefined);
    await this.syncing?.catch(() => undefined);
    await this.registry.close();
  }

  /** Resolves once the first load attempt has finished (successfully or not). */
  async whenStarted(): Promise<void> {
    await this.started;
  }

  private async start(): Promise<void> {
    try {
      await this.registry.scan();
      for (const entry of this.registry.catalogue().filter((e) => e.problem)) {
        this.logger.warn(
          { model: `${entry.modelId}@${entry.version}`, problem: entry.problem },
          'model refused',
        );
      }
      const ids = this.registry.modelIds();
      this.modelId = this.config.MOSAIC_MODEL_ID ?? ids[0] ?? null;
      if (!this.modelId || !ids.includes(this.modelId)) {
        this.state = 'failed';
        this.problem = this.modelId
          ? `model ${this.modelId} has no valid version in the models directory`
          : 'the models directory holds no valid model';
        this.logger.error({ problem: this.problem }, 'no model to serve');
        return;
      }
      await this.sync();
    } catch (error) {
      this.state = 'failed';
      this.problem = (error as Error).message;
    }
    this.timer = setInterval(
      () => void this.sync().catch(() => undefined),
      this.config.MOSAIC_MODEL_SYNC_SECONDS * 1000,
    );
    this.timer.unref();
  }

  /** Follows the database: loads the active version if needed, then retires the others when idle. */
  async sync(): Promise<void> {
    if (this.syncing) return this.syncing;
    this.syncing = (async () => {
      if (!this.modelId) return;
      const version = await this.readActiveVersion(this.dataSource.manager);
      if (!version) {
        this.state = 'failed';
        this.problem = `no valid version of ${this.modelId}`;
        return;
      }
      await this.ensureActive(version);
    })().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async ensureActive(version: string): Promise<void> {
    const modelId = this.modelId as string;
    if (!this.registry.isWarm(modelId, version)) {
      if (this.activeVersion === null) this.state = 'loading';
      try {
        await this.registry.load(modelId, version);
      } catch (error) {
        this.state =
          this.activeVersion && this.registry.isWarm(modelId, this.activeVersion) ? this.state : 'failed';
        this.problem = `${modelId} ${version}: ${(error as Error).message}`;
        this.logger.error({ model: `${modelId}@${version}`, problem: this.problem }, 'model load failed');
        throw error;
      }
    }
    if (this.activeVersion !== version) {
      this.logger.log({ model: `${modelId}@${version}` }, 'model version active');
    }
    this.activeVersion = version;
    this.state = 'ready';
    this.problem = null;
    this.registry.retainOnly(new Set([versionKey(modelId, version)]));
  }

  /** The version the database names, or the newest valid version when none was activated. */
  async readActiveVersion(manager: EntityManager): Promise<string | null> {
    if (!this.modelId) return null;
    const row = await manager.getRepository(ActiveModel).findOneBy({ modelId: this.modelId });
    if (row && this.registry.entry(this.modelId, row.version)?.manifest) return row.version;
    return this.registry.newestVersion(this.modelId);
  }

  readiness(): {
    ready: boolean;
    state: ModelState;
    modelId: string | null;
    version: string | null;
    problem: string | null;
  } {
    const ready =
      this.state === 'ready' &&
      this.modelId !== null &&
      this.activeVersion !== null &&
      this.registry.isWarm(this.modelId, this.activeVersion);
    return {
      ready,
      state: this.state,
      modelId: this.modelId,
      version: this.activeVersion,
      problem: this.problem,
    };
  }

  dataSourceManager(): EntityManager {
    return this.dataSource.manager;
  }

  servedModelId(): string | null {
    return this.modelId;
  }

  catalogue(): readonly CatalogueEntry[] {
    return this.registry.catalogue();
  }

  currentVersion(): string | null {
    return this.activeVersion;
  }

  /**
   * A lease on the version to run: `version` when asked for (loaded on demand), else the active one
   * as the database names it now. The caller must release it.
   */
  async lease(version?: string): Promise<ModelLease> {
    const modelId = this.modelId;
    if (!modelId || this.state === 'starting')
      throw modelNotReady(this.problem ?? 'the model is still loading');
    if (version !== undefined) {
      this.requireValid(modelId, version);
      // A sync may retire a non-active version between its load and the lease: load it again.
      for (let attempt = 0; ; attempt++) {
        await this.registry.load(modelId, version);
        if (this.registry.isWarm(modelId, version) || attempt >= 2)
          return this.registry.acquire(modelId, version);
      }
    }
    const active = await this.readActiveVersion(this.dataSource.manager);
    if (!active) throw modelNotReady(this.problem ?? `no valid version of ${modelId}`);
    if (!this.registry.isWarm(modelId, active)) {
      try {
        await this.sync();
      } catch {
        throw modelNotReady(this.problem ?? `${modelId} ${active} could not be loaded`);
      }
      if (!this.registry.isWarm(modelId, active)) throw modelNotReady(`${modelId} ${active} is loading`);
    }
    return this.registry.acquire(modelId, active);
  }

  /** Throws NotFound / Invalid unless the version is a valid folder of the served model. */
  requireValid(modelId: string, version: string): CatalogueEntry {
    if (modelId !== this.modelId) {
      throw new ModelError(
        ModelErrorCode.NotFound,
        `this server serves model ${this.modelId ?? '(none)'}, not ${modelId}`,
      );
    }
    const entry = this.registry.entry(modelId, version);
    if (!entry) throw new ModelError(ModelErrorCode.NotFound, `model ${modelId} has no version ${version}`);
    if (!entry.manifest) {
      throw new ModelError(
        ModelErrorCode.Invalid,
        `model ${modelId} ${version} is invalid: ${entry.problem ?? ''}`,
      );
    }
    return entry;
  }

  /** Loads and warms the version first, so switching to it never leaves the server without a model. */
  async prepareActivation(modelId: string, version: string): Promise<void> {
    this.requireValid(modelId, version);
    try {
      await this.registry.load(modelId, version);
    } catch (error) {
      throw new ModelError(
        ModelErrorCode.Invalid,
        `model ${modelId} ${version} cannot be loaded: ${(error as Error).message}`,
      );
    }
  }

  /** Writes the activation (inside the caller's audited transaction). */
  async recordActivation(
    manager: EntityManager,
    modelId: string,
    version: string,
    actor: string,
  ): Promise<ActiveModel> {
    const row = { modelId, version, activatedAt: new Date(), activatedBy: actor };
    // One statement (INSERT … ON CONFLICT DO UPDATE): concurrent activations cannot collide.
    await manager.getRepository(ActiveModel).upsert(row, ['modelId']);
    return manager.getRepository(ActiveModel).create(row);
  }

  /** After the activation committed: serve it here at once (other replicas follow within the sync interval). */
  async activated(version: string): Promise<void> {
    await this.ensureActive(version);
  }
}
