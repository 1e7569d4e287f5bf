/**
 * A FIFO of exclusive leases. PGlite is one Postgres session, so whoever holds the lease owns the
 * session for the whole of a transaction; everyone else waits their turn instead of interleaving
 * statements into someone else's BEGIN … COMMIT.
 */
export class AsyncLeaseQueue {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /** Resolves with a release function once every earlier lease has been released. */
  acquire(timeoutMs: number, onTimeout: () => Error): Promise<() => void> {
    let releaseThis!: () => void;
    const released = new Promise<void>((resolve) => {
      releaseThis = resolve;
    });
    const previous = this.tail;
    this.tail = previous.then(() => released);
    this.waiting += 1;

    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(onTimeout());
      }, timeoutMs);
      timer.unref();
    });

    return Promise.race([previous, timeout]).then(
      () => {
        clearTimeout(timer);
        this.waiting -= 1;
        let done = false;
        return () => {
          if (!done) {
            done = true;
            releaseThis();
          }
        };
      },
      (error: unknown) => {
        // Our turn may still come later: pass it straight on so the queue never stalls.
        this.waiting -= 1;
        void previous.then(() => (timedOut ? releaseThis() : undefined));
        throw error;
      },
    );
  }

  get pending(): number {
    return this.waiting;
  }
}
