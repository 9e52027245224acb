// Cancellation at every phase of a run, as the runner does it (SIGINT, then
// SIGTERM 7.5 s later, then SIGKILL): main ends inside the SIGINT window,
// concludes "cancelled", and no machine is left once post has run. And a main
// step killed outright: post alone destroys the machine, by the id in state or
// by the nonce when the create answer never came.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../fly/emulator.ts';
import type { ActionResult } from '../harness/runner.ts';
import { runDir } from '../image/harness.ts';
import { expectNoSecretInCreates } from './checks.ts';
import { mainStepPids } from './main-step.ts';
import { execCommand, isCreate, isDestroy } from './requests.ts';
import { fakePlan, init, result, say } from './scripted-claude.ts';
import { runBundledAction, startWorld, type World } from './world.ts';

const isHandover = (r: RecordedRequest) => r.method === 'POST' && r.path.endsWith('/exec') && execCommand(r.body)[0] === 'cfa-handover';
const isRead = (r: RecordedRequest) => r.method === 'POST' && r.path.endsWith('/exec') && execCommand(r.body)[0] === 'cfa-read';

/** The state file of each live machine says Claude has exited. */
function someMachineExited(world: World): boolean {
  return world.fly.machines().some((m) => {
    if (m.state === 'destroyed') return false;
    try {
      return readFileSync(join(runDir(m.root), 'state'), 'utf8').trim() === 'exited';
    } catch {
      return false;
    }
  });
}

/** The step ended cancelled, inside the runner's SIGINT window (no SIGTERM, no SIGKILL needed). */
function expectCancelledInWindow({ main }: ActionResult): void {
  if (main.outputs.conclusion !== 'cancelled') console.log(main.stdout, main.stderr);
  expect(main.cancelled).toBe(true);
  expect(main.signalsSent.map((s) => s.signal)).toEqual(['SIGINT']);
  expect(main.exitCode).not.toBeNull();
  expect(main.outputs.conclusion).toBe('cancelled');
  expect(main.summary).toContain('Cancelled');
}

describe('end to end: cancellation and a killed main step', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ claude: 'fake' });
  });
  afterEach(() => {
    world.fly.faults.clear();
    expectNoSecretInCreates(world);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('cancelled as soon as the settings are read: cancelled, and no machine created', async () => {
    const before = world.fly.requests.length;
    const run = await runBundledAction(world, {
      inputs: fakePlan(world, [[init()], 'hang']),
      cancel: { when: (out) => out.includes('::add-mask::') },
    });
    expectCancelledInWindow(run);
    // Main asked Fly nothing; post only looks for expired machines to sweep.
    expect(world.fly.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(run.post?.failed).toBe(false);
  });

  it('cancelled while the create answer is still on its way: post finds the machine by its nonce', async () => {
    const before = world.fly.requests.length;
    world.fly.faults.add({ method: 'POST', path: '/v1/apps/*/machines', fault: { kind: 'delay', ms: 8000, phase: 'after' } });
    const run = await runBundledAction(world, {
      inputs: fakePlan(world, [[init()], 'hang']),
      cancel: { when: (out) => out.includes('Starting a') },
    });
    expectCancelledInWindow(run);
    // Whether the create reached Fly before the SIGINT is a race: either way nothing may be left. When it
    // did, a machine exists that main never heard of, and post finds it by the nonce saved before create.
    const nonce = run.main.state.nonce as string;
    const tagged = world.fly.machines().filter((m) => (m.requestedConfig.metadata as Record<string, string>)['cfa-nonce'] === nonce);
    expect(world.fly.requests.slice(before).filter(isCreate)).toHaveLength(tagged.length);
    expect(run.main.state['machine-id']).toBeUndefined();
    for (const m of tagged) expect(run.post?.stdout).toContain(`destroyed machine ${m.id} (tagged with this step's nonce)`);
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  it('cancelled while the machine is starting (its create answer lost, found by nonce): main destroys it', async () => {
    const before = world.fly.requests.length;
    world.fly.faults.add({ method: 'POST', path: '/v1/apps/*/machines', fault: { kind: 'lose-response' } });
    world.fly.faults.add({ method: 'GET', path: '/v1/apps/*/machines/*/wait', fault: { kind: 'delay', ms: 10_000 } });
    const run = await runBundledAction(world, {
      inputs: fakePlan(world, [[init()], 'hang']),
      cancel: { when: (out) => out.includes('found machine') },
    });
    expectCancelledInWindow(run);
    const seen = world.fly.requests.slice(before);
    const id = run.main.state['machine-id'] as string;
    expect(id).toMatch(/\w+/);
    expect(seen.filter(isCreate)).toHaveLength(1);
    expect(seen.some(isHandover)).toBe(false);
    expect(run.main.state['machine-destroyed']).toBe('true');
    expect(seen.filter(isDestroy).map((r) => r.machineId)).toContain(id);
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  it('cancelled during the handover: main destroys the machine', async () => {
    const before = world.fly.requests.length;
    world.fly.faults.add({ method: 'POST', path: '/v1/apps/*/machines/*/exec', body: (b) => execCommand(b)[0] === 'cfa-handover', fault: { kind: 'delay', ms: 10_000 } });
    const run = await runBundledAction(world, {
      inputs: fakePlan(world, [[init()], 'hang']),
      cancel: { when: (out) => / started in /.test(out) },
    });
    expectCancelledInWindow(run);
    const seen = world.fly.requests.slice(before);
    expect(seen.some(isHandover)).toBe(true);
    expect(seen.some(isRead)).toBe(false);
    expect(run.main.state['machine-destroyed']).toBe('true');
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  it('cancelled during the run: what was said is kept, the machine destroyed', async () => {
    const run = await runBundledAction(world, {
      inputs: fakePlan(world, [[init(), say('Halfway through the migration')], 'hang']),
      cancel: { when: (out) => out.includes('Halfway through the migration') },
    });
    expectCancelledInWindow(run);
    expect(run.main.summary).toContain('Halfway through the migration');
    expect(run.main.state['machine-destroyed']).toBe('true');
    expect(world.fly.liveMachineCount()).toBe(0);
    expect(run.post?.failed).toBe(false);
  });

  it('cancelled during the final reads, after Claude exited', async () => {
    // Over 2 MiB of output: draining it takes several reads, the later ones after Claude has exited.
    const filler = join(world.root, 'filler.txt');
    writeFileSync(filler, Array.from({ length: 40_000 }, (_, i) => `filler line ${i} ${'x'.repeat(50)}`).join('\n') + '\n');
    world.fly.faults.add({
      method: 'POST',
      path: '/v1/apps/*/machines/*/exec',
      body: (b) => execCommand(b)[0] === 'cfa-read' && execCommand(b)[4] !== '0' && someMachineExited(world),
      fault: { kind: 'status', status: 200, rawBody: '{"exit_code":1,"stderr":"cfa-read: try again"}' },
    });
    world.fly.faults.add({
      method: 'POST',
      path: '/v1/apps/*/machines/*/exec',
      body: (b) => execCommand(b)[0] === 'cfa-read' && someMachineExited(world),
      always: true,
      nth: 2,
      fault: { kind: 'delay', ms: 10_000 },
    });
    const run = await runBundledAction(world, {
      inputs: fakePlan(world, [[init()], `cat ${filler}`, [result()]]),
      cancel: { when: (out) => out.includes('reading the machine failed') },
    });
    expectCancelledInWindow(run);
    expect(run.main.state['machine-destroyed']).toBe('true');
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  it('a killed main step (SIGKILL mid-run): post alone destroys the machine named in state', async () => {
    const before = world.fly.requests.length;
    const marker = randomUUID();
    let killed: number[] = [];
    const run = await runBundledAction(world, {
      inputs: fakePlan(world, [[init(), say('Working, do not disturb')], 'hang']),
      env: { E2E_KILL_MARK: marker },
      onStdout: () => {
        if (killed.length > 0 || !run0Seen()) return;
        killed = mainStepPids(marker);
        for (const pid of killed) process.kill(pid, 'SIGKILL');
      },
    });
    function run0Seen(): boolean {
      return world.fly.requests.slice(before).some(isRead);
    }
    expect(killed).toHaveLength(1);
    expect(run.main.signal).toBe('SIGKILL');
    const id = run.main.state['machine-id'] as string;
    expect(id).toMatch(/\w+/);
    expect(run.main.state['machine-destroyed']).toBeUndefined();
    // Main never destroyed it; post did, by the id in state.
    expect(run.post?.stdout).toContain(`destroyed machine ${id} (named in state)`);
    expect(world.fly.machine(id).state).toBe('destroyed');
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  it('a main step killed while its create answer was lost: post destroys the machine by its nonce', async () => {
    const before = world.fly.requests.length;
    world.fly.faults.add({ method: 'POST', path: '/v1/apps/*/machines', fault: { kind: 'lose-response' } });
    // Main's look-up by nonce hangs; main is killed meanwhile.
    world.fly.faults.add({ method: 'GET', path: '/v1/apps/*/machines', fault: { kind: 'delay', ms: 10_000 } });
    const marker = randomUUID();
    let killed: number[] = [];
    const run = await runBundledAction(world, {
      inputs: fakePlan(world, [[init()], 'hang']),
      env: { E2E_KILL_MARK: marker },
      onStdout: (chunk) => {
        if (killed.length > 0 || !chunk.includes('create attempt 1 failed')) return;
        killed = mainStepPids(marker);
        for (const pid of killed) process.kill(pid, 'SIGKILL');
      },
    });
    expect(killed).toHaveLength(1);
    expect(run.main.signal).toBe('SIGKILL');
    expect(run.main.state['machine-id']).toBeUndefined();
    const nonce = run.main.state.nonce as string;
    const created = world.fly.machines().find((m) => (m.requestedConfig.metadata as Record<string, string>)['cfa-nonce'] === nonce);
    expect(created).toBeDefined();
    expect(world.fly.requests.slice(before).filter(isCreate)).toHaveLength(1);
    expect(run.post?.stdout).toContain(`destroyed machine ${created?.id} (tagged with this step's nonce)`);
    expect(world.fly.liveMachineCount()).toBe(0);
  });
});
