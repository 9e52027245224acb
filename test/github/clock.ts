// A virtual clock for pacing tests: `sleep` waits for the test to move time on.
export class FakeClock {
  #t: number;
  #waiters: Array<{ at: number; resolve: () => void; signal: AbortSignal | undefined }> = [];

  constructor(start = 1_800_000_000_000) {
    this.#t = start;
  }

  now = (): number => this.#t;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const waiter = { at: this.#t + Math.max(0, ms), resolve, signal };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve();
      }, { once: true });
    });

  /** Sleeps not yet due. */
  get pending(): number {
    return this.#waiters.length;
  }

  /** Moves time forward by ms, waking every sleeper due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.#t + ms;
    for (;;) {
      const due = this.#waiters.filter((w) => w.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#waiters = this.#waiters.filter((w) => w !== due);
      this.#t = Math.max(this.#t, due.at);
      due.resolve();
      await tick();
    }
    this.#t = target;
  }

  /** Lets `promise` run to its end, jumping time to each sleep it waits on. */
  async run<T>(promise: Promise<T>, limit = 1000): Promise<T> {
    let done = false;
    const watched = promise.finally(() => {
      done = true;
    });
    for (let i = 0; i < limit && !done; i++) {
      await tick();
      if (done) break;
      const next = [...this.#waiters].sort((a, b) => a.at - b.at)[0];
      if (next) await this.advance(next.at - this.#t);
      else await new Promise((r) => setTimeout(r, 2));
    }
    return watched;
  }
}

export async function tick(): Promise<void> {
  await new Promise((r) => setImmediate(r));
}
