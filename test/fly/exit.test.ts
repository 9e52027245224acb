import { describe, expect, it } from 'vitest';
import { exitInfoFromEvents, machineRunningMs, toEpochMs } from '../../src/fly/exit.ts';
import type { MachineEvent } from '../../src/fly/types.ts';

const T0 = Date.parse('2025-03-01T12:00:00Z');
const launch: MachineEvent = { type: 'launch', status: 'created', source: 'user', timestamp: T0 - 5000 };
const start: MachineEvent = { type: 'start', status: 'started', source: 'flyd', timestamp: T0 };

function exitWith(request: unknown, timestamp = T0 + 90_000): MachineEvent {
  return { type: 'exit', status: 'stopped', source: 'flyd', timestamp, request };
}

describe('exitInfoFromEvents', () => {
  it('reads request.exit_event (Fly’s newest-first order, RFC3339 exited_at)', () => {
    const events = [
      { type: 'destroy', status: 'destroyed', source: 'flyd', timestamp: T0 + 95_000 },
      exitWith({ exit_event: { exit_code: 3, guest_exit_code: 3, guest_signal: -1, signal: -1, oom_killed: false, requested_stop: false, exited_at: '2025-03-01T12:01:29.5Z' }, restart_count: 0 }),
      start,
      launch,
    ];
    expect(exitInfoFromEvents(events)).toEqual({
      exitCode: 3,
      guestExitCode: 3,
      oomKilled: false,
      requestedStop: false,
      exitedAt: T0 + 89_500,
      startedAt: T0,
    });
  });

  it('reads request.MonitorEvent.exit_event (Go client) with epoch-ms exited_at', () => {
    const info = exitInfoFromEvents([exitWith({ MonitorEvent: { exit_event: { exit_code: 137, oom_killed: true, exited_at: T0 + 42_000 } } }), start]);
    expect(info).toMatchObject({ exitCode: 137, oomKilled: true, exitedAt: T0 + 42_000, startedAt: T0 });
  });

  it('reads request.monitor_event.exit_event (flaude)', () => {
    const info = exitInfoFromEvents([exitWith({ monitor_event: { exit_event: { exit_code: 1, requested_stop: true, signal: 15 } } }), start]);
    expect(info).toMatchObject({ exitCode: 1, requestedStop: true, signal: 15 });
  });

  it('accepts a request sent as a JSON string', () => {
    const info = exitInfoFromEvents([exitWith(JSON.stringify({ exit_event: { exit_code: 2 } })), start]);
    expect(info.exitCode).toBe(2);
  });

  it('missing fields are zero values (omitempty): a clean exit has no exit_code', () => {
    expect(exitInfoFromEvents([exitWith({ exit_event: {} }), start])).toEqual({
      exitCode: 0,
      oomKilled: false,
      requestedStop: false,
      exitedAt: T0 + 90_000, // falls back to the event's timestamp
      startedAt: T0,
    });
    expect(exitInfoFromEvents([exitWith(undefined), start]).exitCode).toBe(0);
  });

  it('a guest signal counts when the VM signal is -1', () => {
    expect(exitInfoFromEvents([exitWith({ exit_event: { exit_code: 0, signal: -1, guest_signal: 9 } }), start]).signal).toBe(9);
    expect(exitInfoFromEvents([exitWith({ exit_event: { signal: -1, guest_signal: -1 } }), start]).signal).toBeUndefined();
  });

  it('no exit yet: no exit code, but the start time', () => {
    expect(exitInfoFromEvents([start, launch])).toEqual({ oomKilled: false, requestedStop: false, startedAt: T0 });
    expect(exitInfoFromEvents([])).toEqual({ oomKilled: false, requestedStop: false });
    expect(exitInfoFromEvents(undefined)).toEqual({ oomKilled: false, requestedStop: false });
  });

  it('takes the newest exit after the newest start, whatever order the events come in', () => {
    const oldStart = { ...start, timestamp: T0 - 60_000 };
    const oldExit = exitWith({ exit_event: { exit_code: 9 } }, T0 - 30_000);
    const newExit = exitWith({ exit_event: { exit_code: 4 } }, T0 + 10_000);
    expect(exitInfoFromEvents([newExit, start, oldExit, oldStart]).exitCode).toBe(4);
    expect(exitInfoFromEvents([oldStart, oldExit, start, newExit]).exitCode).toBe(4); // oldest first
    // restarted and still running: the old exit does not count
    const running = exitInfoFromEvents([start, oldExit, oldStart]);
    expect(running.exitCode).toBeUndefined();
    expect(running.startedAt).toBe(T0);
  });

  it('without timestamps, trusts Fly’s newest-first order', () => {
    const info = exitInfoFromEvents([
      { type: 'exit', request: { exit_event: { exit_code: 5 } } },
      { type: 'start' },
      { type: 'exit', request: { exit_event: { exit_code: 6 } } },
      { type: 'start' },
    ]);
    expect(info.exitCode).toBe(5);
    expect(info.startedAt).toBeUndefined();
  });

  it('an exit with no start at all still tells its code', () => {
    expect(exitInfoFromEvents([exitWith({ exit_event: { exit_code: 12 } }), launch]).exitCode).toBe(12);
  });

  it('Go’s zero time in exited_at falls back to the event timestamp', () => {
    expect(exitInfoFromEvents([exitWith({ exit_event: { exited_at: '0001-01-01T00:00:00Z' } }), start]).exitedAt).toBe(T0 + 90_000);
  });
});

describe('toEpochMs', () => {
  it.each([
    [T0, T0],
    [T0 / 1000, T0],
    [T0 * 1000, T0],
    [T0 * 1_000_000, T0],
    [String(T0), T0],
    ['2025-03-01T12:00:00Z', T0],
    ['2025-03-01T13:00:00+01:00', T0],
    ['nonsense', undefined],
    ['', undefined],
    [0, undefined],
    [null, undefined],
  ])('%j -> %j', (input, ms) => {
    expect(toEpochMs(input)).toBe(ms);
  });
});

describe('machineRunningMs', () => {
  it('start to exit, using exited_at when present', () => {
    const events = [exitWith({ exit_event: { exited_at: T0 + 61_000 } }), start, launch];
    expect(machineRunningMs(events)).toBe(61_000);
  });

  it('start to destroy when there was no exit event', () => {
    expect(machineRunningMs([{ type: 'destroy', timestamp: T0 + 5000 }, start])).toBe(5000);
  });

  it('counts a run still going up to now, only when now is given', () => {
    expect(machineRunningMs([start], T0 + 7000)).toBe(7000);
    expect(machineRunningMs([start])).toBe(0);
  });

  it('sums several runs and ignores the exit+destroy pair double count', () => {
    const events = [
      { type: 'destroy', timestamp: T0 + 200_000 },
      exitWith({}, T0 + 130_000),
      { ...start, timestamp: T0 + 100_000 },
      exitWith({}, T0 + 20_000),
      start,
    ];
    expect(machineRunningMs(events)).toBe(50_000);
  });

  it('undefined when the machine never started', () => {
    expect(machineRunningMs([launch])).toBeUndefined();
    expect(machineRunningMs(undefined)).toBeUndefined();
  });
});
