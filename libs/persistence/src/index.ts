export * from './entities';
export * from './database/database.errors';
export * from './database/data-source.factory';
export * from './database/migration-runner';
export { acquireOwnerLock, pgliteSessionQueueDepth } from './database/pglite-session';
export * from './blob-store/blob-store';
export * from './blob-store/filesystem-blob-store';
export * from './blob-store/orphan-blob-sweep';
