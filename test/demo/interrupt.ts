// Ctrl-C while a demo runs. In a terminal the step process (same process
// group) gets the SIGINT too and cancels as on a runner: it destroys its
// machine, then the post step runs, and the script prints what happened. A
// second Ctrl-C, or a run that has not ended after the grace period (a SIGINT
// sent to this process alone), cleans up at once and exits 130.

export interface InterruptGuard {
  /** True once Ctrl-C was pressed. */
  readonly interrupted: boolean;
  dispose(): void;
}

export function guardInterrupts(options: {
  /** Stops servers, removes temp dirs; called at most once. */
  cleanup: () => Promise<void>;
  note: (line: string) => void;
  graceMs?: number;
}): InterruptGuard {
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  let quitting = false;
  const quit = () => {
    if (quitting) return;
    quitting = true;
    options.note('Cleaning up and quitting.');
    void options.cleanup().finally(() => process.exit(130));
  };
  const onSignal = () => {
    count++;
    if (count === 1) {
      options.note('Interrupted: the run is cancelling (its machine gets destroyed). Ctrl-C again to quit at once.');
      timer = setTimeout(quit, options.graceMs ?? 15_000);
      timer.unref();
    } else quit();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', quit);
  return {
    get interrupted() {
      return count > 0;
    },
    dispose() {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', quit);
    },
  };
}
