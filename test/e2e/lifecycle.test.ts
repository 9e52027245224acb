// The life of one run, end to end through the bundled action: the machine
// config the action asks for, how each way of ending is concluded and told
// (Claude's failure, a crash without a result, OOM, the two timeouts), a
// refused actor, and what the post step sweeps up (expired machines; never
// another matrix leg's machine). The scripted claude plays what the real CLI
// cannot be made to do on cue.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runnerCommands } from '../oracle/runner-commands.ts';
import { SKIPPED_ANNOTATION } from '../../src/report/annotations.ts';
import { expectNarrationOnce, expectNoSecretInCreates } from './checks.ts';
import { mainStepPids } from './main-step.ts';
import { isCreate, isDestroy } from './requests.ts';
import { fakePlan, init, result, say, toolResult, toolUse } from './scripted-claude.ts';
import { runBundledAction, startWorld, TOKENS, type World } from './world.ts';

const APP = 'cfa-test-app';

/** Another run's machine, created behind the action's back with the action's own tags. */
/**
 * A machine of this action as another run left it: `deadline` is its tags' and its CFA_DEADLINE
 * (epoch s); `ageSeconds` how long ago Fly created it. Its image waits 600 s past the deadline, so
 * the machine is still up when post looks.
 */
async function plantMachine(
  world: World,
  tags: { nonce: string; deadline: number; runId?: string; job?: string; ageSeconds?: number; envDeadline?: number },
): Promise<string> {
  const res = await fetch(`${world.fly.url}/v1/apps/${APP}/machines`, {
    method: 'POST',
    headers: { authorization: `Bearer ${world.fly.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      config: {
        image: 'registry.example/claude-fly-action:test',
        auto_destroy: true,
        restart: { policy: 'no' },
        env: { CFA_DEADLINE: String(tags.envDeadline ?? tags.deadline), CFA_DEADLINE_GRACE_SECONDS: '600' },
        metadata: {
          'cfa-nonce': tags.nonce,
          'cfa-run-id': tags.runId ?? '4242',
          'cfa-run-attempt': '1',
          'cfa-job': tags.job ?? 'claude',
          'cfa-deadline': String(tags.deadline),
          'cfa-action': 'claude-fly-action',
        },
      },
    }),
  });
  expect(res.status).toBe(200);
  const machine = (await res.json()) as { id: string };
  await world.fly.waitForState(machine.id, 'started');
  if (tags.ageSeconds) world.fly.backdate(machine.id, tags.ageSeconds * 1000);
  return machine.id;
}

describe('end to end: the lifecycle of a run', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ claude: 'fake' });
    world.github.setUser(TOKENS.github, { login: 'github-actions[bot]', id: 41898282, type: 'Bot', installation: true });
  });
  afterEach(() => {
    // Whatever the case.
    expectNoSecretInCreates(world);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('asks for a self-destroying, never-restarted machine tagged for cleanup, with CFA_DEADLINE and no secret', async () => {
    const before = world.fly.requests.length;
    const startedAt = Date.now();
    const { main, post } = await runBundledAction(world, {
      inputs: { ...fakePlan(world, [[init(), say('All good here.'), result({})]]), 'fly-vm-size': 'performance-1x', 'timeout-minutes': '7' },
      github: { runId: 9001, runAttempt: 3, job: 'review' },
    });
    expect(main.failed).toBe(false);
    expect(main.outputs.conclusion).toBe('success');
    const creates = world.fly.requests.slice(before).filter(isCreate);
    expect(creates).toHaveLength(1);
    const config = (creates[0]?.body as { config: Record<string, unknown> }).config as {
      auto_destroy: boolean;
      restart: { policy: string };
      guest: { cpu_kind: string; cpus: number; memory_mb: number };
      env: Record<string, string>;
      metadata: Record<string, string>;
      image: string;
    };
    expect(config.auto_destroy).toBe(true);
    expect(config.restart.policy).toBe('no');
    expect(config.guest).toEqual({ cpu_kind: 'performance', cpus: 1, memory_mb: 2048 });
    expect(config.image).toBe('registry.example/claude-fly-action:test');
    expect(config.metadata['cfa-nonce']).toBe(main.state.nonce);
    expect(config.metadata['cfa-nonce']).toMatch(/^[0-9a-f]{16,}$/);
    expect(config.metadata['cfa-run-id']).toBe('9001');
    expect(config.metadata['cfa-run-attempt']).toBe('3');
    expect(config.metadata['cfa-job']).toBe('review');
    expect(config.metadata['cfa-action']).toBe('claude-fly-action');
    // The image gets the run's end (start + timeout) and adds its own grace; the sweep's tag has both.
    const runEnd = Number(config.env.CFA_DEADLINE);
    expect(runEnd).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) + 7 * 60);
    expect(runEnd).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 7 * 60);
    expect(Number(config.metadata['cfa-deadline'])).toBe(runEnd + 300);
    // The image's durations are its own: the action sends none of them.
    expect(Object.keys(config.env)).toEqual(['CFA_DEADLINE']);
    // Nothing secret anywhere in the config (the handover carries the credentials).
    expect(creates[0]?.bodyText).not.toMatch(/sk-ant|ghs_|fm2_/);
    expect(JSON.stringify(world.fly.machine(main.outputs['machine-id'] as string).config)).not.toContain(TOKENS.anthropic);
    expect(world.fly.liveMachineCount()).toBe(0);
    expect(post?.failed).toBe(false);
  });

  it('Claude fails: a non-zero exit with an error result is a failure that says why', async () => {
    const { main, post } = await runBundledAction(world, {
      inputs: fakePlan(world, [
        [init(), say('Looking at the failing test'), result({ subtype: 'error_during_execution', is_error: true, errors: ['the tool runner crashed'], result: undefined })],
        'exit 1',
      ]),
    });
    expect(main.failed).toBe(true);
    expect(main.outputs.conclusion).toBe('failure');
    expect(main.outputs['exit-code']).toBe('1');
    const errors = main.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toEqual([expect.stringContaining('failure')]);
    expect(errors[0]).toContain('Claude Code failed during execution');
    expect(main.summary).toContain('Failure');
    expect(main.summary).toContain('the tool runner crashed');
    expectNarrationOnce(main.stdout, main.outputs['transcript-file'] as string);
    expect(world.fly.liveMachineCount()).toBe(0);
    expect(post?.failed).toBe(false);
  });

  it('Claude crashes mid-line without a result: conclusion no-result, said plainly', async () => {
    const { main } = await runBundledAction(world, {
      inputs: fakePlan(world, [[init(), say('Starting the refactor')], 'partial {"type":"assistant","message":{"id":"msg_9","con', 'crash']),
    });
    expect(main.failed).toBe(true);
    expect(main.outputs.conclusion).toBe('no-result');
    // Killed by SIGSEGV: the shell's 128 + 11.
    expect(main.outputs['exit-code']).toBe('139');
    const errors = main.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/no-result.*ended without a result/);
    expect(errors[0]).not.toContain('SIGSEGV');
    expect(main.stdout).toContain('killed by signal SIGSEGV');
    expect(main.summary).toContain('No result');
    expect(main.summary).toContain('ended without a result');
    // The cut line is shown as text, not lost and not a crash of the action.
    expect(main.stdout).toContain('{"type":"assistant","message":{"id":"msg_9","con');
    expectNarrationOnce(main.stdout, main.outputs['transcript-file'] as string);
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  it('the machine runs out of memory: log and summary say so, the exit code comes from the machine exit event', async () => {
    world.fly.faults.nextMachines({ oomAfterMs: 1500 });
    const { main, post } = await runBundledAction(world, {
      inputs: fakePlan(world, [[init(), say('Building the big index')], 'hang']),
    });
    const id = main.outputs['machine-id'] as string;
    const exits = world.fly.machine(id).exits;
    expect(exits.map((e) => e.oomKilled)).toEqual([true]);
    expect(main.failed).toBe(true);
    expect(main.outputs.conclusion).toBe('no-result');
    expect(main.outputs['exit-code']).toBe(String(exits[0]?.exitCode));
    expect(main.outputs['exit-code']).toBe('137');
    expect(main.stdout).toMatch(/out of memory/i);
    expect(main.summary).toMatch(/out of memory/i);
    expect(main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([expect.stringMatching(/out of memory/i)]);
    expect(world.fly.liveMachineCount()).toBe(0);
    expect(post?.failed).toBe(false);
  });

  it('timeout-minutes (fractional) with a hanging claude: timed-out, machine destroyed by main', async () => {
    const before = world.fly.requests.length;
    const { main, post } = await runBundledAction(world, {
      inputs: { ...fakePlan(world, [[init(), say('Thinking very hard')], 'hang']), 'timeout-minutes': '0.05', 'idle-timeout-minutes': '0' },
    });
    expect(main.failed).toBe(true);
    expect(main.outputs.conclusion).toBe('timed-out');
    expect(main.stdout).toContain('Thinking very hard');
    expect(main.stdout).toContain('timeout-minutes');
    expect(main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([expect.stringContaining('timed-out')]);
    const id = main.outputs['machine-id'] as string;
    expect(world.fly.requests.slice(before).filter(isDestroy).map((r) => r.machineId)).toContain(id);
    expect(main.state['machine-destroyed']).toBe('true');
    expect(world.fly.liveMachineCount()).toBe(0);
    expect(post?.failed).toBe(false);
  });

  it('idle-timeout: output then silence with no tool running ends timed-out', async () => {
    const { main } = await runBundledAction(world, {
      inputs: { ...fakePlan(world, [[init(), say('Let me wait a little')], 'sleep 60']), 'idle-timeout-minutes': '0.04' },
    });
    expect(main.failed).toBe(true);
    expect(main.outputs.conclusion).toBe('timed-out');
    expect(main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([expect.stringContaining('idle-timeout-minutes')]);
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  it('idle-timeout does not stop a run while a tool is still running', async () => {
    const { main } = await runBundledAction(world, {
      inputs: {
        ...fakePlan(world, [[init(), toolUse('toolu_1', 'npm test')], 'sleep 4', [toolResult('toolu_1', 'all tests pass'), say('Tests pass.', 2), result({})]]),
        'idle-timeout-minutes': '0.04',
      },
    });
    expect(main.outputs.conclusion).toBe('success');
    expect(main.failed).toBe(false);
  });

  it('an issue_comment by a user without write access: a notice, step not failed, no machine created', async () => {
    world.github.addIssue('octo/app', 7);
    world.github.setPermission('octo/app', 'mallory', 'read');
    const before = world.fly.requests.length;
    const { main, post } = await runBundledAction(world, {
      event: { name: 'issue_comment', payload: { action: 'created', issue: { number: 7 }, comment: { id: 1, body: '@claude do it', user: { login: 'mallory' } } } },
      github: { actor: 'mallory' },
    });
    expect(main.failed).toBe(false);
    const notices = main.annotations.filter((a) => a.level === 'notice').map((a) => a.message);
    expect(notices).toEqual([SKIPPED_ANNOTATION]);
    expect(main.stdout).toContain('mallory');
    expect(main.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(world.fly.requests.slice(before).filter(isCreate)).toEqual([]);
    expect(world.github.requests.some((r) => r.path.includes('collaborators/mallory/permission'))).toBe(true);
    expect(post?.failed).toBe(false);
  });

  it('post spares a young machine whose deadline tag was rewritten into the past (the /.fly/api attack)', async () => {
    const now = Math.floor(Date.now() / 1000);
    // Another run's machine, created a minute ago for 30 minutes; anything with the app's machine API
    // rewrote its cfa-deadline tag to an hour ago. Nobody may take it for expired before created_at + 30 min + grace.
    const young = await plantMachine(world, { nonce: 'young0nonce', deadline: now - 3600, envDeadline: now + 1740, ageSeconds: 60 });
    const { main, post } = await runBundledAction(world, { inputs: fakePlan(world, [[init(), say('Short one.'), result({})]]) });
    expect(main.outputs.conclusion).toBe('success');
    expect(post?.failed).toBe(false);
    expect(world.fly.machine(young).state).toBe('started');
    expect(post?.stdout).not.toContain(young);
    await fetch(`${world.fly.url}/v1/apps/${APP}/machines/${young}?force=true`, { method: 'DELETE', headers: { authorization: `Bearer ${world.fly.token}` } });
    await world.fly.waitForState(young, 'destroyed');
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  it('post destroys expired machines of this action, and spares a live one of another leg', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await plantMachine(world, { nonce: 'expired0nonce', deadline: now - 400, runId: '17', ageSeconds: 3600 });
    const otherLeg = await plantMachine(world, { nonce: 'otherleg0nonce', deadline: now + 3600 });
    const { main, post } = await runBundledAction(world, { inputs: fakePlan(world, [[init(), say('Short one.'), result({})]]) });
    expect(main.outputs.conclusion).toBe('success');
    expect(post?.stdout).toContain(`destroyed machine ${expired}`);
    expect(world.fly.machine(expired).state).toBe('destroyed');
    expect(world.fly.machine(otherLeg).state).toBe('started');
    expect(post?.stdout).not.toContain(otherLeg);
    // Clean up the planted one ourselves.
    await fetch(`${world.fly.url}/v1/apps/${APP}/machines/${otherLeg}?force=true`, { method: 'DELETE', headers: { authorization: `Bearer ${world.fly.token}` } });
    await world.fly.waitForState(otherLeg, 'destroyed');
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  it('two matrix legs at once, both main steps killed: each post destroys its own machine only, and spares a third leg', async () => {
    const third = await plantMachine(world, { nonce: 'thirdleg0nonce', deadline: Math.floor(Date.now() / 1000) + 3600 });
    const leg = (index: string, text: string) => {
      const marker = randomUUID();
      let killed = 0;
      return runBundledAction(world, {
        inputs: fakePlan(world, [[init(), say(text)], 'hang']),
        expressions: { 'github.token': TOKENS.github, 'strategy.job-index': index },
        env: { E2E_KILL_MARK: marker },
        // Like a runner that died mid-run: main gets SIGKILL once Claude's first words are in its log.
        onStdout: (chunk) => {
          if (killed > 0 || !chunk.includes(text)) return;
          for (const pid of mainStepPids(marker)) {
            process.kill(pid, 'SIGKILL');
            killed++;
          }
        },
      });
    };
    const [a, b] = await Promise.all([leg('0', 'Leg zero speaking.'), leg('1', 'Leg one speaking.')]);
    const idA = a.main.state['machine-id'] as string;
    const idB = b.main.state['machine-id'] as string;
    expect(idA).toMatch(/\w+/);
    expect(idB).toMatch(/\w+/);
    expect(idA).not.toBe(idB);
    expect(a.main.state.nonce).not.toBe(b.main.state.nonce);
    for (const [r, own, other] of [[a, idA, idB], [b, idB, idA]] as const) {
      expect(r.main.signal).toBe('SIGKILL');
      expect(r.main.state['machine-destroyed']).toBeUndefined();
      expect(r.post?.failed).toBe(false);
      expect(r.post?.stdout).toContain(`destroyed machine ${own} (named in state)`);
      expect(r.post?.stdout).not.toContain(other);
      expect(r.post?.stdout).not.toContain(third);
    }
    expect(a.main.stdout).not.toContain('Leg one speaking.');
    expect(world.fly.machine(third).state).toBe('started');
    await fetch(`${world.fly.url}/v1/apps/${APP}/machines/${third}?force=true`, { method: 'DELETE', headers: { authorization: `Bearer ${world.fly.token}` } });
    await world.fly.waitForState(third, 'destroyed');
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  it('the log stays injection-safe whatever the fake claude prints', async () => {
    const { main } = await runBundledAction(world, {
      inputs: fakePlan(world, [[init(), say('::error::forged by the agent'), result({})], 'out ::warning::raw line from claude']),
    });
    // The only workflow commands the runner executed came from the action itself.
    const executed = runnerCommands(main.stdout).filter((c) => c.command === 'error' || c.command === 'warning');
    expect(executed).toEqual([]);
    expect(main.outputs.conclusion).toBe('success');
  });
});
