// Why and when a run stops, in one place: the workflow's cancel (SIGINT or
// SIGTERM: a cancelled job or its timeout) and the run's own stops
// (timeout-minutes, idle-timeout-minutes, a refused credential) abort one
// signal that every phase passes on to its calls.

export type StopReason = 'timeout' | 'idle' | 'auth';

export class RunStop {
  /** Aborted on the workflow's cancel only. */
  readonly cancel: AbortSignal;
  readonly #controller = new AbortController();
  #reason: StopReason | undefined;
  readonly #onCancel = () => this.#controller.abort();

  constructor(cancel: AbortSignal) {
    this.cancel = cancel;
    cancel.addEventListener('abort', this.#onCancel, { once: true });
    // Cancelled before the run began (while loading or reading settings): no event will come.
    if (cancel.aborted) this.#controller.abort();
  }

  /** Aborted by the cancel and by every stop the run asks for. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get cancelled(): boolean {
    return this.cancel.aborted;
  }

  /** The run's own first reason to stop, if it asked for one. */
  get reason(): StopReason | undefined {
    return this.#reason;
  }

  /** Stops the run; the first reason is the one reported. */
  request(why: StopReason): void {
    this.#reason ??= why;
    this.#controller.abort();
  }

  /** Before anything is created: a cancelled run starts nothing. */
  throwIfCancelled(): void {
    if (this.cancel.aborted) throw new Error('cancelled before the machine was created');
  }

  /** Stops listening for the cancel; the ending calls read `cancel` themselves. */
  dispose(): void {
    this.cancel.removeEventListener('abort', this.#onCancel);
  }
}
