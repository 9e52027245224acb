// The run's clock while the machine is read: timeout-minutes, idle-timeout-minutes
// (no output and no tool running) and the live comment's tick.
import type { Settings } from '../settings.ts';

export type TimerStop = 'timeout' | 'idle';

/** How often the limits are checked. */
const CHECK_MS = 1000;

export interface RunTimers {
  stop(): void;
}

export function startRunTimers(options: {
  settings: Settings;
  now: () => number;
  startedAt: number;
  lastOutputAt: () => number;
  toolsInFlight: () => number;
  onStop: (why: TimerStop) => void;
  /** Called on every check; the callee renders only when something changed. */
  onTick: () => void;
  /** Longest time between ticks; a shorter one also checks the limits that often. */
  tickMs: number;
}): RunTimers {
  const { settings, now } = options;
  const timeoutMs = settings.timeoutMinutes * 60_000;
  const idleMs = settings.idleTimeoutMinutes * 60_000;
  const interval = setInterval(() => {
    const t = now();
    if (t - options.startedAt >= timeoutMs) options.onStop('timeout');
    else if (idleMs > 0 && options.toolsInFlight() === 0 && t - options.lastOutputAt() >= idleMs) options.onStop('idle');
    options.onTick();
  }, Math.min(CHECK_MS, options.tickMs));
  return { stop: () => clearInterval(interval) };
}
