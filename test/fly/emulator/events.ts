// Machine events as Fly serves them: {type, status, source, timestamp(ms), request?}.
// Exit events carry exit_event in one of the shapes the reference clients read.
// Pure: no I/O.
import type { ExitEventStyle, MachineExit, WireMachineEvent } from './types.ts';
import { randomBytes } from 'node:crypto';

function eventId(): string {
  return randomBytes(13).toString('hex').toUpperCase().slice(0, 26);
}

export function simpleEvent(type: string, status: string, source: string, at: number): WireMachineEvent {
  return { id: eventId(), type, status, source, timestamp: at };
}

/** Go's encoding/json with omitempty: drop 0, false and ''. */
function omitEmpty(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === 0 || v === false || v === '' || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

export function exitEvent(exit: MachineExit, style: ExitEventStyle, restartCount: number): WireMachineEvent {
  const noSignal = style.noSignal ?? -1;
  const signal = exit.signal ?? noSignal;
  const fields: Record<string, unknown> = {
    exit_code: exit.exitCode,
    guest_exit_code: exit.exitCode,
    guest_signal: signal,
    oom_killed: exit.oomKilled,
    requested_stop: exit.requestedStop,
    restarting: exit.restarting,
    signal,
    exited_at: style.exitedAt === 'epoch_ms' ? exit.at : new Date(exit.at).toISOString(),
  };
  const exitFields = style.omitEmpty === false ? fields : omitEmpty(fields);
  let request: Record<string, unknown>;
  switch (style.shape ?? 'exit_event') {
    case 'MonitorEvent':
      request = { MonitorEvent: { exit_event: exitFields } };
      break;
    case 'monitor_event':
      request = { monitor_event: { exit_event: exitFields } };
      break;
    default:
      request = { exit_event: exitFields };
  }
  if (restartCount > 0 || style.omitEmpty === false) request.restart_count = restartCount;
  const status = exit.restarting ? 'restarting' : 'stopped';
  return { ...simpleEvent('exit', status, 'flyd', exit.at), request };
}
