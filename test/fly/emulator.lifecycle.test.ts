// Machine lifecycle: exits, auto_destroy, restart policies, exit-event
// shapes, per-machine faults (fails to start, dies, OOM), no leaked processes.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFlyEmulator, type FlyEmulator, type StartOptions, type WireMachineEvent } from './emulator.ts';
import { callApi, isAlive, launchScript, writeMachineScript } from './emulator/testing.ts';

const script = writeMachineScript('/tmp/fly-emulator/lifecycle');
const open: FlyEmulator[] = [];

async function emulator(options: StartOptions = {}): Promise<FlyEmulator> {
  const fly = await startFlyEmulator({ launch: launchScript(script), rateLimits: false, restartDelayMs: 20, ...options });
  open.push(fly);
  return fly;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function create(fly: FlyEmulator, config: Record<string, unknown>): Promise<string> {
  const res = await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, { config: { image: 'img', ...config } });
  expect(res.status).toBe(200);
  return (res.json as { id: string }).id;
}

function exitEvents(events: WireMachineEvent[]): WireMachineEvent[] {
  return events.filter((e) => e.type === 'exit');
}

function exitEventOf(e: WireMachineEvent): Record<string, unknown> {
  return (e.request as { exit_event: Record<string, unknown> }).exit_event;
}

function startsOf(fly: FlyEmulator, id: string): number {
  try {
    return readFileSync(join(fly.machine(id).root, 'starts'), 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('exit and auto_destroy', () => {
  it('a clean exit with auto_destroy: exit event, then destroyed; GET keeps it, list hides it', async () => {
    const fly = await emulator();
    const id = await create(fly, { env: { EXIT_AFTER: '0.1' }, auto_destroy: true, restart: { policy: 'no' } });
    const wait = await callApi(fly, 'GET', `/v1/apps/${fly.appName}/machines/${id}/wait?state=destroyed&timeout=10`);
    expect(wait.status).toBe(200);
    const got = await callApi(fly, 'GET', `/v1/apps/${fly.appName}/machines/${id}`);
    const machine = got.json as { state: string; events: WireMachineEvent[] };
    expect(machine.state).toBe('destroyed');
    expect(machine.events.map((e) => e.type)).toEqual(['destroy', 'exit', 'start', 'launch']);
    const ts = machine.events.map((e) => e.timestamp);
    expect([...ts].sort((a, b) => b - a)).toEqual(ts);
    const exit = exitEventOf(exitEvents(machine.events)[0]!);
    // Go omitempty: exit code 0 and false flags are absent; exited_at is RFC3339.
    expect(exit.exit_code).toBeUndefined();
    expect(exit.oom_killed).toBeUndefined();
    expect(exit.requested_stop).toBeUndefined();
    expect(exit.restarting).toBeUndefined();
    expect(exit.signal).toBe(-1);
    expect(Number.isNaN(Date.parse(String(exit.exited_at)))).toBe(false);
    expect((await callApi(fly, 'GET', `/v1/apps/${fly.appName}/machines`)).json).toEqual([]);
    expect(fly.liveMachineCount()).toBe(0);
    expect(fly.machines()).toHaveLength(1);
  });

  it('a failing exit without auto_destroy and restart "no": stopped with the exit code', async () => {
    const fly = await emulator();
    const id = await create(fly, { env: { EXIT_AFTER: '0', EXIT_CODE: '7' }, restart: { policy: 'no' } });
    await fly.waitForState(id, 'stopped');
    const m = fly.machine(id);
    expect(m.starts).toBe(1);
    expect(exitEventOf(exitEvents(m.events)[0]!)).toMatchObject({ exit_code: 7, guest_exit_code: 7 });
    expect(fly.liveMachineCount()).toBe(1);
  });
});

describe('restart policy', () => {
  it('without a policy (Fly default on-failure) a failing process is restarted', async () => {
    const fly = await emulator();
    const id = await create(fly, { env: { EXIT_AFTER: '0', EXIT_CODE: '1' }, auto_destroy: true });
    await until(() => startsOf(fly, id) >= 3, 'three starts');
    const m = fly.machine(id);
    expect(m.restartPolicyDefaulted).toBe(true);
    const restarting = exitEvents(m.events).filter((e) => exitEventOf(e).restarting === true);
    expect(restarting.length).toBeGreaterThanOrEqual(2);
    expect(m.state).not.toBe('destroyed');
  });

  it('on-failure stops retrying after max_retries; a clean exit is not restarted', async () => {
    const fly = await emulator();
    const failing = await create(fly, { env: { EXIT_AFTER: '0', EXIT_CODE: '2' }, restart: { policy: 'on-failure', max_retries: 2 } });
    const clean = await create(fly, { env: { EXIT_AFTER: '0' }, restart: { policy: 'on-failure' } });
    await fly.waitForState(failing, 'stopped');
    await fly.waitForState(clean, 'stopped');
    expect(startsOf(fly, failing)).toBe(3);
    expect(startsOf(fly, clean)).toBe(1);
  });

  it('always restarts even a clean exit', async () => {
    const fly = await emulator();
    const id = await create(fly, { env: { EXIT_AFTER: '0' }, restart: { policy: 'always' } });
    await until(() => startsOf(fly, id) >= 2, 'a restart');
    expect((await callApi(fly, 'DELETE', `/v1/apps/${fly.appName}/machines/${id}?force=true`)).status).toBe(200);
  });
});

describe('exit event shapes', () => {
  const cases: [StartOptions['exitEvents'], (e: WireMachineEvent) => Record<string, unknown>][] = [
    [{ shape: 'MonitorEvent' }, (e) => (e.request as { MonitorEvent: { exit_event: Record<string, unknown> } }).MonitorEvent.exit_event],
    [{ shape: 'monitor_event' }, (e) => (e.request as { monitor_event: { exit_event: Record<string, unknown> } }).monitor_event.exit_event],
    [{ exitedAt: 'epoch_ms' }, (e) => (e.request as { exit_event: Record<string, unknown> }).exit_event],
  ];
  for (const [style, pick] of cases) {
    it(`serves ${JSON.stringify(style)}`, async () => {
      const fly = await emulator({ exitEvents: style });
      const id = await create(fly, { env: { EXIT_AFTER: '0', EXIT_CODE: '4' }, restart: { policy: 'no' } });
      await fly.waitForState(id, 'stopped');
      const got = await callApi(fly, 'GET', `/v1/apps/${fly.appName}/machines/${id}`);
      const exit = pick(exitEvents((got.json as { events: WireMachineEvent[] }).events)[0]!);
      expect(exit.exit_code).toBe(4);
      if (style?.exitedAt === 'epoch_ms') expect(typeof exit.exited_at).toBe('number');
      else expect(typeof exit.exited_at).toBe('string');
    });
  }

  it('omitEmpty:false serves every field, zeros and false included', async () => {
    const fly = await emulator({ exitEvents: { omitEmpty: false, noSignal: 0 } });
    const id = await create(fly, { env: { EXIT_AFTER: '0' }, restart: { policy: 'no' } });
    await fly.waitForState(id, 'stopped');
    const exit = exitEventOf(exitEvents(fly.machine(id).events)[0]!);
    expect(exit).toMatchObject({ exit_code: 0, oom_killed: false, requested_stop: false, restarting: false, signal: 0, guest_signal: 0 });
  });
});

describe('machine faults', () => {
  it('fails to start: state failed with an exit event, no process', async () => {
    const fly = await emulator();
    fly.faults.nextMachines({ failStart: { exitCode: 3 } });
    const id = await create(fly, { restart: { policy: 'no' } });
    const wait = await callApi(fly, 'GET', `/v1/apps/${fly.appName}/machines/${id}/wait?state=failed&timeout=10`);
    expect(wait.status).toBe(200);
    const m = fly.machine(id);
    expect(m.state).toBe('failed');
    expect(m.starts).toBe(0);
    expect(exitEventOf(exitEvents(m.events)[0]!)).toMatchObject({ exit_code: 3 });
    expect((await callApi(fly, 'GET', `/v1/apps/${fly.appName}/machines/${id}/wait?state=started&timeout=1`)).status).toBe(408);
    // The plan applied to one machine only.
    const next = await create(fly, { restart: { policy: 'no' } });
    await fly.waitForState(next, 'started');
  });

  it('dies after a delay: exit code 137, signal 9, stopped', async () => {
    const fly = await emulator();
    fly.faults.nextMachines({ dieAfterMs: 50 });
    const id = await create(fly, { restart: { policy: 'no' } });
    await fly.waitForState(id, 'stopped');
    expect(exitEventOf(exitEvents(fly.machine(id).events)[0]!)).toMatchObject({ exit_code: 137, signal: 9 });
  });

  it('OOM: oom_killed with exit code 137, planned or on demand', async () => {
    const fly = await emulator();
    fly.faults.nextMachines({ oomAfterMs: 50 });
    const planned = await create(fly, { restart: { policy: 'no' } });
    const onDemand = await create(fly, { restart: { policy: 'no' } });
    await fly.waitForState(onDemand, 'started');
    fly.faults.kill(onDemand, { oom: true });
    for (const id of [planned, onDemand]) {
      await fly.waitForState(id, 'stopped');
      expect(exitEventOf(exitEvents(fly.machine(id).events)[0]!)).toMatchObject({ exit_code: 137, oom_killed: true });
    }
  });
});

describe('no leaked processes', () => {
  it('the end of a machine kills all its processes, strays in other sessions too', async () => {
    const fly = await emulator();
    const id = await create(fly, { env: { SPAWN_STRAY: '1' }, restart: { policy: 'no' } });
    await fly.waitForState(id, 'started');
    await until(() => startsOf(fly, id) === 1, 'the start');
    const stray = Number(readFileSync(join(fly.machine(id).root, 'stray.pid'), 'utf8'));
    expect(isAlive(stray)).toBe(true);
    await callApi(fly, 'DELETE', `/v1/apps/${fly.appName}/machines/${id}?force=true`);
    expect(isAlive(stray)).toBe(false);
  });

  it('close() kills every machine and exec process, strays included', async () => {
    const fly = await startFlyEmulator({ launch: launchScript(script), rateLimits: false });
    const ids = [await create(fly, { env: { SPAWN_STRAY: '1' } }), await create(fly, {})];
    for (const id of ids) await fly.waitForState(id, 'started');
    await until(() => ids.every((id) => startsOf(fly, id) === 1), 'both starts');
    const stray = Number(readFileSync(join(fly.machine(ids[0]!).root, 'stray.pid'), 'utf8'));
    const pids = ids.map((id) => fly.machine(id).pid!);
    // An exec in flight at close time.
    const pending = callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines/${ids[1]}/exec`, { command: ['sleep', '30'], timeout: 60 }).catch((e: unknown) => e);
    await until(() => fly.liveProcessCount() === 3, 'the exec process');
    await fly.close();
    await pending;
    expect(fly.liveProcessCount()).toBe(0);
    for (const pid of [...pids, stray]) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    // ids[1] runs under the default on-failure policy: its kill must not bring it back after close.
    await new Promise((r) => setTimeout(r, 300));
    expect(fly.liveProcessCount()).toBe(0);
    expect(fly.machines().map((m) => m.starts)).toEqual([1, 1]);
  });
});
