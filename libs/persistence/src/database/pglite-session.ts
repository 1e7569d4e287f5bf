import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PGliteDriver } from 'typeorm-pglite';
import { PGlitePool } from 'typeorm-pglite/dist/pglite-pool';
import { AsyncLeaseQueue } from './async-lease-queue';
import { DatabaseError, DatabaseErrorCode } from './database.errors';

type ConnectCallback = Parameters<PGlitePool['connect']>[0];

/** How long a caller waits for the single PGlite session before giving up with a clear error. */
const SESSION_WAIT_MS = 60_000;

const sessionQueue = new AsyncLeaseQueue();

/**
 * typeorm-pglite's pool hands the same single session to every caller at once, so two concurrent
 * transactions would interleave their statements. This pool leases the session: TypeORM connects a
 * query runner, runs a statement or a whole transaction, then releases it, and the next waiter goes.
 */
class SerialisedPGlitePool extends PGlitePool {
  override connect(callback: ConnectCallback): Promise<void> {
    return sessionQueue
      .acquire(
        SESSION_WAIT_MS,
        () =>
          new DatabaseError(
            DatabaseErrorCode.SessionBusy,
            `the embedded database session stayed busy for ${SESSION_WAIT_MS / 1000} s; a transaction may be using the outer repository instead of its own manager`,
          ),
      )
      .then(
        (release) =>
          super.connect((error, client) => {
            if (error) release();
            callback(error, client, () => release());
          }),
        (error: Error) => callback(error, null, () => undefined),
      );
  }
}

/** The TypeORM `driver` option for the embedded engine, with its data in `pgliteDir`. */
export function createPGliteDriver(pgliteDir: string): { Pool: typeof PGlitePool } {
  new PGliteDriver({ dataDir: pgliteDir });
  return { Pool: SerialisedPGlitePool };
}

export function pgliteSessionQueueDepth(): number {
  return sessionQueue.pending;
}

export interface OwnerLock {
  release(): void;
}

/**
 * PGlite is single-process: two processes opening one data directory would corrupt it. The owner
 * lock is a file holding the owner's pid; a lock left by a dead process is taken over.
 */
export function acquireOwnerLock(dataDir: string, purpose: string): OwnerLock {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, 'mosaic.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(
        fd,
        JSON.stringify({ pid: process.pid, host: hostname(), purpose, since: new Date().toISOString() }),
      );
      closeSync(fd);
      return {
        release: () => rmSync(lockPath, { force: true }),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(lockPath);
      if (owner && owner.host === hostname() && isAlive(owner.pid)) {
        throw new DatabaseError(
          DatabaseErrorCode.DataDirectoryLocked,
          `the embedded database in ${dataDir} is in use by ${owner.pid === process.pid ? 'this process' : `process ${owner.pid}`} (${owner.purpose}); ` +
            'stop it first, or use the running server through its HTTP API, or set DATABASE_URL to use PostgreSQL',
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new DatabaseError(DatabaseErrorCode.DataDirectoryLocked, `could not lock ${dataDir}`);
}

function readOwner(lockPath: string): { pid: number; host: string; purpose: string } | undefined {
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')) as { pid: number; host: string; purpose: string };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
