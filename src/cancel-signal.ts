// The runner's cancel (SIGINT, then SIGTERM), caught from the first moment:
// main imports this module first, so a cancel that arrives while the bundle
// is still loading or the settings are read is kept for the run to see,
// instead of Node's default of dying at once with nothing reported.
//
// The first signal also says how long the step has left: the runner sends
// SIGTERM 7.5 s after SIGINT and SIGKILL 2.5 s after SIGTERM, and a host that
// stops starts at SIGTERM (actions/runner ProcessInvoker).
const LEFT_AFTER_MS = { SIGINT: 7500 + 2500, SIGTERM: 2500 } as const;

const controller = new AbortController();
let endBy: number | undefined;
const onSignal = (signal: keyof typeof LEFT_AFTER_MS): void => {
  endBy ??= Date.now() + LEFT_AFTER_MS[signal];
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/** Aborted once the step is cancelled (SIGINT or SIGTERM). */
export const cancelSignal: AbortSignal = controller.signal;

/** Epoch ms at which the runner will SIGKILL a cancelled step; undefined until cancelled. */
export const cancelEndBy = (): number | undefined => endBy;
