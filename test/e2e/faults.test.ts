// Fly API faults on every call the action makes, with the real Claude Code
// CLI on the machine: create (500, a lost answer), wait (408, 500), exec on
// the handover and on the reads (429, 500, reset, a lost answer), get (500),
// destroy (500, then success) and the post step's list (500). The run still
// succeeds or fails with a clear reason; Claude's narration reaches the log
// exactly once (compared with the transcript); no machine is left.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRuleSpec } from '../fly/emulator.ts';
import type { ActionResult } from '../harness/runner.ts';
import { expectNarrationOnce, expectNoSecretInCreates } from './checks.ts';
import { execCommand, isCreate } from './requests.ts';
import { runBundledAction, startWorld, type World } from './world.ts';

const onHandover = (b: unknown) => execCommand(b)[0] === 'cfa-handover';
const onRead = (b: unknown) => execCommand(b)[0] === 'cfa-read';
const EXEC = '/v1/apps/*/machines/*/exec';

describe('end to end: Fly API faults on every call', () => {
  let world: World;
  let before = 0;
  beforeAll(async () => {
    world = await startWorld({ claude: 'real' });
  });
  afterEach(() => {
    world.fly.faults.clear();
    expectNoSecretInCreates(world);
  });
  afterAll(async () => {
    await world?.close();
  });

  async function runWith(faults: FaultRuleSpec[]): Promise<ActionResult & { applied: number[] }> {
    before = world.fly.requests.length;
    const rules = faults.map((f) => world.fly.faults.add(f));
    const run = await runBundledAction(world);
    if (run.main.outputs.conclusion !== 'success') console.log(run.main.stdout, run.main.stderr);
    return { ...run, applied: rules.map((r) => r.applied) };
  }

  /** The run succeeded as if nothing happened, with one machine, now gone. */
  function expectCleanSuccess(run: ActionResult): void {
    expect(run.main.failed).toBe(false);
    expect(run.main.outputs.conclusion).toBe('success');
    expect(run.main.stdout).toContain('Fixed the typo in greet.js');
    expectNarrationOnce(run.main.stdout, run.main.outputs['transcript-file'] as string);
    const nonce = run.main.state.nonce;
    const machines = world.fly.machines().filter((m) => (m.requestedConfig.metadata as Record<string, string>)['cfa-nonce'] === nonce);
    expect(machines.map((m) => m.id)).toEqual([run.main.outputs['machine-id']]);
    expect(world.fly.liveMachineCount()).toBe(0);
    expect(run.post?.failed).toBe(false);
  }

  it('create answers 500 once: created again after looking by nonce, one machine', async () => {
    const run = await runWith([{ method: 'POST', path: '/v1/apps/*/machines', fault: { kind: 'status', status: 500 } }]);
    expect(run.applied).toEqual([1]);
    expectCleanSuccess(run);
    expect(world.fly.requests.slice(before).filter(isCreate)).toHaveLength(2);
    expect(run.main.stdout).toContain('machine create attempt 1 failed');
  });

  it('the create answer is lost: the machine is found by its nonce, not created twice', async () => {
    const run = await runWith([{ method: 'POST', path: '/v1/apps/*/machines', fault: { kind: 'lose-response' } }]);
    expect(run.applied).toEqual([1]);
    expectCleanSuccess(run);
    expect(world.fly.requests.slice(before).filter(isCreate)).toHaveLength(1);
    expect(run.main.stdout).toContain('found machine');
  });

  it('wait answers 408 and 500: the action waits again', async () => {
    const run = await runWith([
      { method: 'GET', path: '/v1/apps/*/machines/*/wait', count: 2, fault: { kind: 'status', status: 408 } },
      { method: 'GET', path: '/v1/apps/*/machines/*/wait', nth: 3, fault: { kind: 'status', status: 500 } },
    ]);
    expect(run.applied).toEqual([2, 1]);
    expectCleanSuccess(run);
  });

  it('the handover answers 429 and then 500: handed over once, the run goes on', async () => {
    const run = await runWith([
      { method: 'POST', path: EXEC, body: onHandover, fault: { kind: 'status', status: 429 } },
      { method: 'POST', path: EXEC, body: onHandover, nth: 2, fault: { kind: 'status', status: 500 } },
    ]);
    expect(run.applied).toEqual([1, 1]);
    expectCleanSuccess(run);
  });

  it('the handover is received but its answer lost (connection reset): the run goes on', async () => {
    const run = await runWith([{ method: 'POST', path: EXEC, body: onHandover, fault: { kind: 'lose-response' } }]);
    expect(run.applied).toEqual([1]);
    expectCleanSuccess(run);
  });

  it('the handover keeps failing: the run fails saying so, and the machine is destroyed', async () => {
    const run = await runWith([{ method: 'POST', path: EXEC, body: onHandover, always: true, fault: { kind: 'status', status: 503 } }]);
    expect(run.applied[0]).toBeGreaterThan(1);
    expect(run.main.failed).toBe(true);
    expect(run.main.outputs.conclusion).toBe('failure');
    const errors = run.main.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toEqual([expect.stringMatching(/^Claude on Fly: failure — the run failed\. /)]);
    expect(run.main.stdout).toMatch(/handing the prompt and credentials to machine \w+ failed: .*HTTP 503/);
    expect(run.main.state['machine-destroyed']).toBe('true');
    expect(world.fly.liveMachineCount()).toBe(0);
    expect(run.post?.failed).toBe(false);
  });

  it('reads answer 429, 500, a reset and a lost answer: every byte arrives once', async () => {
    const run = await runWith([
      // Four in a row on the first read (each try is asked again from the same offsets; the fifth gets through).
      { method: 'POST', path: EXEC, body: onRead, nth: 1, fault: { kind: 'lose-response' } },
      { method: 'POST', path: EXEC, body: onRead, nth: 2, fault: { kind: 'status', status: 500 } },
      { method: 'POST', path: EXEC, body: onRead, nth: 3, fault: { kind: 'reset' } },
      { method: 'POST', path: EXEC, body: onRead, nth: 4, fault: { kind: 'status', status: 429 } },
    ]);
    expect(run.applied).toEqual([1, 1, 1, 1]);
    expectCleanSuccess(run);
  });

  it('get answers 500 and destroy answers 500 before succeeding', async () => {
    const run = await runWith([
      { method: 'GET', path: '/v1/apps/*/machines/*', count: 2, fault: { kind: 'status', status: 500 } },
      { method: 'DELETE', path: '/v1/apps/*/machines/*', count: 2, fault: { kind: 'status', status: 500 } },
    ]);
    expect(run.applied[1]).toBe(2);
    expectCleanSuccess(run);
    expect(run.main.state['machine-destroyed']).toBe('true');
  });

  it('destroy keeps failing in main: a warning, and post destroys the machine', async () => {
    const run = await runWith([{ method: 'DELETE', path: '/v1/apps/*/machines/*', count: 5, fault: { kind: 'status', status: 500 } }]);
    expect(run.applied).toEqual([5]);
    expect(run.main.outputs.conclusion).toBe('success');
    expect(run.main.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      expect.stringContaining('the post step will try again'),
    ]);
    const id = run.main.outputs['machine-id'] as string;
    expect(run.post?.stdout).toContain(`destroyed machine ${id} (named in state)`);
    expect(world.fly.liveMachineCount()).toBe(0);
    expectNarrationOnce(run.main.stdout, run.main.outputs['transcript-file'] as string);
  });

  it('list answers 500 in post: post is not failed, nothing was left anyway', async () => {
    const run = await runWith([{ method: 'GET', path: '/v1/apps/*/machines', always: true, fault: { kind: 'status', status: 500 } }]);
    expectCleanSuccess(run);
    expect(run.post?.failed).toBe(false);
    expect(run.post?.stdout).toMatch(/could not look for expired machines/);
  });
});
