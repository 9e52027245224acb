// End to end: a refused Anthropic credential ends the run fast. Either the
// runner-side key check refuses it before any machine exists, or (when that
// check cannot decide) the first `api_retry` with `authentication_failed` from
// the real Claude Code CLI on the machine stops the run and destroys the
// machine, instead of letting the CLI retry for minutes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runnerCommands } from '../oracle/runner-commands.ts';
import type { StepResult } from '../harness/runner.ts';
import { createRequests, lastSeq } from './requests.ts';
import { runBundledAction, startWorld, TOKENS, type World } from './world.ts';

const RETRY_LINE = /^⚠ API retry \d+\/\d+: authentication_failed \(HTTP 401\)/gm;
/** Nothing listens there: the runner-side key check fails to connect and cannot decide. */
const UNREACHABLE_API = 'http://127.0.0.1:9';
const REVOKED_PROMPT = 'Try with a revoked key.';

function commandsOf(step: StepResult) {
  return runnerCommands(`${step.stdout}\n${step.stderr}`);
}

/** Messages requests the stand-in refused with 401 since `from`. */
function refusals(world: World, from: number): number {
  return world.standin.requests.slice(from).filter((r) => r.status === 401 && /\/v1\/messages/.test(r.path)).length;
}

describe('fail fast on a refused credential: the runner-side check', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ claude: 'real', refusedKeys: [TOKENS.anthropic] });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('fails at once with one error naming anthropic-api-key, and creates no machine', async () => {
    const { main, post } = await runBundledAction(world, { prompt: REVOKED_PROMPT });
    expect(main.failed).toBe(true);
    const errors = commandsOf(main).filter((c) => c.command === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.data).toMatch(/anthropic-api-key/);
    expect(errors[0]!.data).toMatch(/refused/);
    expect(errors[0]!.data).not.toContain(TOKENS.anthropic);
    // The check asked the API once, with the key; no machine was asked for.
    expect(world.standin.requests.filter((r) => /\/v1\/models/.test(r.path))).toHaveLength(1);
    expect(createRequests(world)).toHaveLength(0);
    expect(world.fly.machines()).toHaveLength(0);
    expect(main.stdout).not.toMatch(/Starting a .* machine/);
    expect(post?.failed).toBe(false);
  });
});

describe('fail fast on a refused credential: the stream path', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ claude: 'real' });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('stops at the first authentication_failed retry, destroys the machine, and names the credential input', async () => {
    const from = lastSeq(world);
    const standinFrom = world.standin.requests.length;
    const { main, post } = await runBundledAction(world, {
      prompt: REVOKED_PROMPT,
      // Without the fail-fast the CLI would retry for minutes: end such a run soon (as timed-out).
      inputs: { 'anthropic-base-url': UNREACHABLE_API, 'timeout-minutes': '0.2' },
    });
    expect(main.failed).toBe(true);
    expect(main.cancelled).toBe(false);
    expect(main.outputs.conclusion).toBe('failure');
    // The machine ran: the check could not decide, so the refusal came from the stream.
    expect(createRequests(world, from)).toHaveLength(1);
    // Stopped at once: the CLI got no further than its first retries (it would try 10 times over ~3
    // minutes). Lines come in batches, so a slow read may bring the second retry along with the first.
    const retryLines = main.stdout.match(RETRY_LINE) ?? [];
    expect(retryLines.length).toBeGreaterThanOrEqual(1);
    expect(retryLines.length).toBeLessThanOrEqual(2);
    expect(refusals(world, standinFrom)).toBeGreaterThanOrEqual(1);
    expect(refusals(world, standinFrom)).toBeLessThanOrEqual(3);
    const errors = commandsOf(main).filter((c) => c.command === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.data).toMatch(/anthropic-api-key/);
    expect(errors[0]!.data).toMatch(/refused/);
    expect(main.summary).toMatch(/anthropic-api-key/);
    // The machine is destroyed by main itself.
    const machineId = main.outputs['machine-id'];
    expect(machineId).toBeTruthy();
    expect(
      world.fly.requests.some((r) => r.seq > from && r.method === 'DELETE' && r.path.endsWith(`/machines/${machineId}`)),
    ).toBe(true);
    expect(main.stdout).toContain(`Machine ${machineId} destroyed.`);
    expect(world.fly.liveMachineCount()).toBe(0);
    expect(post?.failed).toBe(false);
  });

  it('with fail-fast-on-auth false it does not stop at the first retry', async () => {
    const { main } = await runBundledAction(world, {
      prompt: REVOKED_PROMPT,
      inputs: { 'anthropic-base-url': UNREACHABLE_API, 'fail-fast-on-auth': 'false', 'timeout-minutes': '0.2' },
      // Cancel the job once a third retry shows (about 2 s after the first): it only comes when the
      // run was not stopped at the first; failing that, timeout-minutes ends the run.
      cancel: { when: (stdout) => (stdout.match(RETRY_LINE) ?? []).length >= 3 },
    });
    expect(main.cancelled).toBe(true);
    expect((main.stdout.match(RETRY_LINE) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(main.outputs.conclusion).toBe('cancelled');
    expect(main.stdout).not.toMatch(/stopped at the first refusal/);
    expect(world.fly.liveMachineCount()).toBe(0);
  });
});
