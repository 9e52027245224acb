// End to end on the built image: the Fly emulator runs each machine as a podman
// container of it (podmanLaunch), the runner harness runs the bundled dist/
// against the emulator, and the real Claude Code inside the image talks to the
// Messages API stand-in on the host. The repository is served over git's smart
// HTTP on loopback, as the container cannot see the host's files.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseScenarioFile } from '../anthropic/scenario.ts';
import { mainStepPids } from '../e2e/main-step.ts';
import { execCommand } from '../e2e/requests.ts';
import { runBundledAction, startWorld, type World } from '../e2e/world.ts';
import type { RecordedRequest } from '../fly/emulator.ts';
import { podmanLaunch } from '../fly/emulator/podman-launch.ts';
import type { ActionResult, StepResult } from '../harness/runner.ts';
import { startGitHttpServer, type GitHttpServer } from '../image/git-http-server.ts';
import { imageClaudeEnvInput } from './claude-env.ts';
import { testContainers } from './container.ts';

const image = inject('machineImage');

/**
 * Claude says where it is, then runs a command that waits for a file nobody
 * writes: a run to cancel or to kill mid-way. (Claude Code refuses a leading
 * `sleep` in the foreground.)
 */
const SCENARIOS = parseScenarioFile(
  JSON.stringify([
    {
      name: 'image-long-task',
      match: 'Migrate the database inside the image',
      steps: [
        { text: 'Halfway through the migration.', tools: [{ name: 'Bash', input: { command: 'until [ -e /tmp/migrated ]; do sleep 1; done', description: 'Wait for the migration' } }] },
        { text: 'Migrated.' },
      ],
    },
  ]),
  'e2e.test.ts',
);

const isRead = (r: RecordedRequest) => r.method === 'POST' && r.path.endsWith('/exec') && execCommand(r.body)[0] === 'cfa-read';

function transcriptEvents(step: StepResult): Record<string, unknown>[] {
  const file = step.outputs['transcript-file'];
  expect(file, 'transcript-file output').toBeTruthy();
  return readFileSync(file as string, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Ended "cancelled" inside the runner's SIGINT window. */
function expectCancelled({ main }: ActionResult): void {
  if (main.outputs.conclusion !== 'cancelled') console.log(main.stdout, main.stderr);
  expect(main.cancelled).toBe(true);
  expect(main.signalsSent.map((s) => s.signal)).toEqual(['SIGINT']);
  expect(main.outputs.conclusion).toBe('cancelled');
}

describe('end to end on the built image', () => {
  let world: World;
  let git: GitHttpServer;
  let env: string;

  beforeAll(async () => {
    world = await startWorld({ claude: 'real', scenarios: SCENARIOS, emulator: { launch: podmanLaunch({ image }) } });
    git = await startGitHttpServer(join(world.root, 'git'));
    world.serverUrl = git.url;
    env = imageClaudeEnvInput(world.standin.url);
  });

  afterAll(async () => {
    await world?.close();
    await git?.close();
    // No container outlives its machine.
    expect(await testContainers()).toEqual([]);
  });

  it('succeeds with a background agent that finishes after the main turn, and leaves no machine', async () => {
    const { main, post } = await runBundledAction(world, { prompt: 'Audit the repository in the background and tell me when done.', inputs: { env } });
    if (main.failed) console.log(main.stdout, main.stderr);
    expect(main.failed).toBe(false);
    expect(main.outputs.conclusion).toBe('success');
    const events = transcriptEvents(main);
    // Claude ran in the image: in the clone under /workspace, as the machine's user.
    const init = events.find((e) => e.type === 'system' && e.subtype === 'init');
    expect(init?.cwd).toBe('/workspace/app');
    expect(events.filter((e) => e.type === 'result')).toHaveLength(2);
    // The late answer is the run's answer; the subagent's Bash call ran in the clone.
    expect(main.outputs.result).toContain('The background audit finished');
    expect(main.stdout).toMatch(/Bash: git ls-files/);
    expect(main.stdout).toMatch(/greet\.js/);
    expect(world.standin.requests.some((r) => r.scenario === 'background-agent-worker')).toBe(true);
    expect(post?.failed).toBe(false);
    expect(world.fly.liveMachineCount()).toBe(0);
    expect(await testContainers()).toEqual([]);
  });

  it('cancelled mid-run: cancelled in the SIGINT window, the machine and its container gone', async () => {
    const run = await runBundledAction(world, {
      prompt: 'Migrate the database inside the image',
      inputs: { env },
      cancel: { when: (out) => out.includes('Halfway through the migration.') },
    });
    expectCancelled(run);
    expect(run.main.stdout).toContain('Halfway through the migration.');
    expect(run.main.stdout).not.toContain('Migrated.');
    expect(run.main.state['machine-destroyed']).toBe('true');
    const id = run.main.state['machine-id'] as string;
    expect(world.fly.machine(id).exits.map((e) => e.requestedStop)).toEqual([true]);
    expect(run.post?.failed).toBe(false);
    expect(world.fly.liveMachineCount()).toBe(0);
    expect(await testContainers()).toEqual([]);
  });

  it('a SIGKILLed main step: its post step destroys the machine named in state, and the container is gone', async () => {
    const marker = randomUUID();
    let killed: number[] = [];
    const before = world.fly.requests.length;
    const run = await runBundledAction(world, {
      prompt: 'Migrate the database inside the image',
      inputs: { env },
      env: { E2E_KILL_MARK: marker },
      onStdout: (chunk) => {
        if (killed.length > 0 || !chunk.includes('Halfway through the migration.')) return;
        killed = mainStepPids(marker);
        for (const pid of killed) process.kill(pid, 'SIGKILL');
      },
    });
    expect(killed).toHaveLength(1);
    expect(run.main.signal).toBe('SIGKILL');
    expect(world.fly.requests.slice(before).some(isRead)).toBe(true);
    const id = run.main.state['machine-id'] as string;
    expect(id).toMatch(/\w+/);
    expect(run.main.state['machine-destroyed']).toBeUndefined();
    // Main never destroyed it: the container was still running Claude until post did.
    expect(run.post?.stdout).toContain(`destroyed machine ${id} (named in state)`);
    expect(world.fly.machine(id).state).toBe('destroyed');
    // It ended by that destroy, not on its own.
    expect(world.fly.machine(id).exits).toHaveLength(1);
    expect(world.fly.machine(id).exits[0]?.requestedStop).toBe(true);
    expect(world.fly.liveMachineCount()).toBe(0);
    expect(await testContainers()).toEqual([]);
  });
});
