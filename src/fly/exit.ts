// Pure: how a machine ended, read from its events. Fly has put the exit
// details in several places over time, and written exited_at as epoch ms
// or as an RFC3339 string; all fields are omitempty (missing = zero).

import type { ExitEvent, MachineEvent } from './types.ts';

export interface ExitInfo {
  /** Present once an exit event exists (missing exit_code = 0). */
  exitCode?: number;
  guestExitCode?: number;
  oomKilled: boolean;
  /** The signal that ended the process, when one did. */
  signal?: number;
  requestedStop: boolean;
  /** epoch ms */
  exitedAt?: number;
  /** epoch ms of the newest start */
  startedAt?: number;
}

/** Events newest first: by timestamp when all have one, else as Fly sent them. */
function newestFirst(events: readonly MachineEvent[]): MachineEvent[] {
  const list = events.filter((e): e is MachineEvent => e !== null && typeof e === 'object');
  if (!list.every((e) => typeof e.timestamp === 'number')) return list;
  return list
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (b.e.timestamp as number) - (a.e.timestamp as number) || a.i - b.i)
    .map(({ e }) => e);
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The exit_event of an `exit` event, wherever this Fly version put it. */
export function exitEventOf(event: MachineEvent): ExitEvent | undefined {
  const request = asObject(event.request);
  if (!request) return undefined;
  const candidates = [request.exit_event, asObject(request.MonitorEvent)?.exit_event, asObject(request.monitor_event)?.exit_event];
  for (const c of candidates) {
    const found = asObject(c);
    if (found) return found as ExitEvent;
  }
  return undefined;
}

/** epoch ms from epoch s/ms/µs/ns numbers, numeric strings or RFC3339; undefined for Go's zero time. */
export function toEpochMs(value: unknown): number | undefined {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && value.trim() !== '') {
    const text = value.trim();
    n = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text);
  }
  if (n === undefined || !Number.isFinite(n) || n <= 0) return undefined;
  if (n < 1e11) return Math.round(n * 1000); // seconds
  if (n > 1e17) return Math.round(n / 1e6); // nanoseconds
  if (n > 1e14) return Math.round(n / 1e3); // microseconds
  return Math.round(n);
}

function int(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
}

export function exitInfoFromEvents(events: readonly MachineEvent[] | undefined): ExitInfo {
  const ordered = newestFirst(events ?? []);
  const startIndex = ordered.findIndex((e) => e.type === 'start');
  const start = startIndex >= 0 ? ordered[startIndex] : undefined;
  const newerThanStart = startIndex >= 0 ? ordered.slice(0, startIndex) : ordered;
  const exit = newerThanStart.find((e) => e.type === 'exit');
  const info: ExitInfo = { oomKilled: false, requestedStop: false };
  const startedAt = toEpochMs(start?.timestamp);
  if (startedAt !== undefined) info.startedAt = startedAt;
  if (!exit) return info;

  const detail: ExitEvent = exitEventOf(exit) ?? {};
  info.exitCode = int(detail.exit_code);
  if (detail.guest_exit_code !== undefined) info.guestExitCode = int(detail.guest_exit_code);
  info.oomKilled = detail.oom_killed === true;
  info.requestedStop = detail.requested_stop === true;
  // Fly writes -1 for "no signal".
  const signal = [detail.signal, detail.guest_signal].map(int).find((s) => s > 0);
  if (signal !== undefined) info.signal = signal;
  const exitedAt = toEpochMs(detail.exited_at) ?? toEpochMs(exit.timestamp);
  if (exitedAt !== undefined) info.exitedAt = exitedAt;
  return info;
}

/**
 * Milliseconds the machine ran (billed time), from each start to the exit
 * or destroy that ended it. A run still going counts up to `nowMs` when
 * given. Undefined when the machine never started.
 */
export function machineRunningMs(events: readonly MachineEvent[] | undefined, nowMs?: number): number | undefined {
  const oldestFirst = newestFirst(events ?? []).reverse();
  let total = 0;
  let sawStart = false;
  let since: number | undefined;
  for (const e of oldestFirst) {
    const at = toEpochMs(e.timestamp);
    if (e.type === 'start') {
      sawStart = true;
      if (since === undefined) since = at;
    } else if ((e.type === 'exit' || e.type === 'destroy') && since !== undefined) {
      const end = (e.type === 'exit' ? toEpochMs(exitEventOf(e)?.exited_at) : undefined) ?? at;
      if (end !== undefined) total += Math.max(0, end - since);
      since = undefined;
    }
  }
  if (since !== undefined && nowMs !== undefined) total += Math.max(0, nowMs - since);
  return sawStart ? total : undefined;
}
