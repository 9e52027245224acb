// Calls made while a run ends (destroy, the final comment) must fit in what
// the runner leaves a cancelled step before its SIGKILL, with time to spare
// for writing the outputs and summary: otherwise the step dies without a
// conclusion. The post step destroys and finishes the comment after it.

/** Time kept after the bounded calls for the report itself. */
export const REPORT_MARGIN_MS = 700;

export interface Budget {
  /** Aborts after the normal bound, or, once cancelled, REPORT_MARGIN_MS before the step's SIGKILL. */
  signal: AbortSignal;
  dispose(): void;
}

export function callBudget(options: {
  cancel: AbortSignal;
  /** Epoch ms of the runner's SIGKILL once cancelled. */
  cancelEndBy: () => number | undefined;
  normalMs: number;
  now?: () => number;
}): Budget {
  const now = options.now ?? Date.now;
  const controller = new AbortController();
  const abort = () => controller.abort(new Error('out of time'));
  const timers: NodeJS.Timeout[] = [setTimeout(abort, options.normalMs)];
  const onCancel = () => {
    const endBy = options.cancelEndBy();
    if (endBy !== undefined) timers.push(setTimeout(abort, Math.max(0, endBy - now() - REPORT_MARGIN_MS)));
  };
  if (options.cancel.aborted) onCancel();
  else options.cancel.addEventListener('abort', onCancel, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const t of timers) clearTimeout(t);
      options.cancel.removeEventListener('abort', onCancel);
    },
  };
}

/** `work`, given up (not awaited further) when the budget's signal aborts. */
export async function withinBudget(budget: Budget, work: Promise<unknown>): Promise<void> {
  const gaveUp = new Promise<void>((resolve) => {
    if (budget.signal.aborted) resolve();
    budget.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    await Promise.race([work.then(() => undefined, () => undefined), gaveUp]);
  } finally {
    budget.dispose();
  }
}
