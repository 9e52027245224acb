// The built image on its own, as Fly runs it: the entrypoint waits as root for
// the handover, the real Claude Code runs as `agent` against the Messages API
// stand-in on the host, nothing the agent tries reaches the supervisor, and the
// container ends by itself with Claude's exit code (or 3 without a handover).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadScenarios, parseScenarioFile } from '../anthropic/scenario.ts';
import { startMessagesStandIn, type StandIn } from '../anthropic/standin.ts';
import { drain, handoverDoc, waitForState, type ReadAnswer } from '../image/harness.ts';
import { SCENARIOS_DIR } from '../e2e/world.ts';
import { imageClaudeEnv } from './claude-env.ts';
import { startContainer, testContainers, type Container } from './container.ts';

const image = inject('machineImage');

/** The probes of the supervisor a hostile agent would try (see the script). */
const PROBES = readFileSync(join(import.meta.dirname, 'probes.sh'), 'utf8');

const PROBE_NAMES = ['read-handover', 'read-prompt', 'write-state', 'write-exit-code', 'write-out', 'write-setup', 'signal-supervisor', 'read-supervisor-environ'];

/** Claude's Bash tool runs the probes, then holds until the test lets it go (a file in the container's /tmp). */
const SCENARIOS = parseScenarioFile(
  JSON.stringify([
    {
      name: 'image-probes',
      match: 'Probe the supervisor from inside the image',
      steps: [
        { tools: [{ name: 'Bash', input: { command: `${PROBES}\ntouch /tmp/probed\nwhile [ ! -e /tmp/release ]; do sleep 0.1; done`, description: 'Probe' } }] },
        { text: 'Probed the supervisor.' },
      ],
    },
  ]),
  'image.test.ts',
);

/** The probes' verdicts from their printed lines. */
function verdicts(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^probe ([a-z-]+): (allowed|denied)$/gm)].map((m) => [m[1], m[2]]));
}

/** The text of every tool result in a stream-json transcript. */
function toolResults(out: string): string {
  const texts: string[] = [];
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as { type?: string; message?: { content?: unknown } };
    if (event.type !== 'user' || !Array.isArray(event.message?.content)) continue;
    for (const block of event.message.content as { type: string; content?: unknown }[]) {
      if (block.type !== 'tool_result') continue;
      const content = block.content;
      if (typeof content === 'string') texts.push(content);
      else if (Array.isArray(content)) texts.push(...(content as { text?: string }[]).map((c) => c.text ?? ''));
    }
  }
  return texts.join('\n');
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The processes in the container: pid, real uid and command line. */
async function processes(container: Container): Promise<{ pid: number; uid: number; cmd: string }[]> {
  const script = 'for p in /proc/[0-9]*; do echo "${p#/proc/} $(awk \'/^Uid:/ {print $2}\' "$p/status" 2>/dev/null) $(tr \'\\0\' \' \' <"$p/cmdline" 2>/dev/null)"; done';
  const result = await container.exec(['bash', '-c', script]);
  return result.stdout
    .split('\n')
    .map((l) => /^(\d+) (\d+) (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), uid: Number(m[2]), cmd: (m[3] as string).trim() }));
}

let standin: StandIn;
const containers: Container[] = [];

/** A container of the image with test durations: a short linger, a bounded handover wait. */
async function machine(env: Record<string, string> = {}): Promise<Container> {
  const container = await startContainer(image, { CFA_LINGER_SECONDS: '1', CFA_HANDOVER_TIMEOUT: '60', ...env });
  containers.push(container);
  return container;
}

beforeAll(async () => {
  standin = await startMessagesStandIn({ scenarios: [...loadScenarios(SCENARIOS_DIR), ...SCENARIOS] });
});

afterEach(async () => {
  await Promise.all(containers.splice(0).map((c) => c.remove()));
});

afterAll(async () => {
  await standin?.close();
  expect(await testContainers()).toEqual([]);
});

describe('the built image, run as Fly runs it', () => {
  it('starts its supervisor as root, under an init, waiting for the handover', async () => {
    const container = await machine();
    const answer = await waitForState((args) => container.read(args), 'waiting');
    expect(answer.channels.setup.size).toBeGreaterThan(0);
    const procs = await processes(container);
    const supervisor = procs.find((p) => p.cmd === 'bash /usr/local/bin/cfa-entrypoint');
    expect(supervisor, JSON.stringify(procs)).toBeDefined();
    expect(supervisor?.uid).toBe(0);
    expect(supervisor?.pid).not.toBe(1);
    // The image's own files: Claude and the scripts executable by all, owned by root.
    const modes = await container.exec(['stat', '-c', '%a %U %n', '/usr/local/bin/claude', '/usr/local/bin/cfa-entrypoint', '/usr/local/bin/cfa-handover', '/usr/local/bin/cfa-read']);
    expect(modes.stdout.trim().split('\n')).toEqual([
      '755 root /usr/local/bin/claude',
      '755 root /usr/local/bin/cfa-entrypoint',
      '755 root /usr/local/bin/cfa-handover',
      '755 root /usr/local/bin/cfa-read',
    ]);
  });

  it('runs Claude as agent, where every probe of the supervisor fails, and ends after the linger with Claude\'s code', async () => {
    const container = await machine();
    const read = (args: readonly string[]) => container.read(args);
    await waitForState(read, 'waiting');
    const doc = handoverDoc({
      prompt: 'Probe the supervisor from inside the image.',
      claude_args: ['--permission-mode', 'bypassPermissions'],
      env: imageClaudeEnv(standin.url),
    });
    const handed = await container.exec(['cfa-handover'], { input: JSON.stringify(doc) });
    expect(handed.code, handed.stdout + handed.stderr).toBe(0);
    // A second handover is refused.
    expect((await container.exec(['cfa-handover'], { input: JSON.stringify(doc) })).code).toBe(3);

    await until(async () => (await container.exec(['test', '-e', '/tmp/probed'])).code === 0, 'Claude\'s probes');
    // While Claude holds: it runs as agent, and so do the probes from outside as agent...
    const procs = await processes(container);
    const claude = procs.filter((p) => /^(\/usr\/local\/bin\/)?claude /.test(p.cmd));
    expect(claude.length, JSON.stringify(procs)).toBeGreaterThan(0);
    for (const p of claude) expect(p.uid, p.cmd).toBe(1000);
    const asAgent = await container.exec(['bash', '-c', PROBES], { user: 'agent' });
    expect(asAgent.stdout).toMatch(/^probe user: agent 1000$/m);
    expect(asAgent.stdout).toMatch(/^probe supervisor: \d+$/m);
    expect(verdicts(asAgent.stdout)).toEqual(Object.fromEntries(PROBE_NAMES.map((n) => [n, 'denied'])));
    // ...while root, running the same probes, is allowed each: they can tell.
    const asRoot = await container.exec(['bash', '-c', PROBES]);
    expect(verdicts(asRoot.stdout)).toEqual(Object.fromEntries(PROBE_NAMES.map((n) => [n, 'allowed'])));
    await container.exec(['touch', '/tmp/release']);

    const drained = await drain(read, { waitMs: 2000 });
    const out = drained.channels.out.toString();
    const fromClaude = toolResults(out);
    expect(fromClaude).toMatch(/^probe user: agent 1000$/m);
    expect(fromClaude).toMatch(/^probe supervisor: \d+$/m);
    expect(verdicts(fromClaude)).toEqual(Object.fromEntries(PROBE_NAMES.map((n) => [n, 'denied'])));
    const last = JSON.parse(out.trim().split('\n').at(-1) as string) as { type: string; subtype: string; result: string };
    expect(last).toMatchObject({ type: 'result', subtype: 'success', result: 'Probed the supervisor.' });
    expect(drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    expect(drained.channels.setup.toString()).toMatch(/^cfa: starting claude in workspace$/m);
    // The container ends by itself after the linger.
    expect(await container.ended()).toBe(0);
  });

  it('ends with Claude\'s own exit code when Claude fails', async () => {
    const container = await machine();
    const read = (args: readonly string[]) => container.read(args);
    await waitForState(read, 'waiting');
    const doc = handoverDoc({
      prompt: 'Keep checking the build until it is green',
      claude_args: ['--permission-mode', 'bypassPermissions', '--max-turns', '2'],
      env: imageClaudeEnv(standin.url),
    });
    expect((await container.exec(['cfa-handover'], { input: JSON.stringify(doc) })).code).toBe(0);
    const drained = await drain(read, { waitMs: 2000 });
    const last: ReadAnswer = drained.last;
    expect(drained.channels.out.toString()).toMatch(/"subtype":"error_max_turns"/);
    expect(last).toMatchObject({ state: 'exited', reason: 'exited' });
    expect(last.exit_code).not.toBe(0);
    expect(await container.ended()).toBe(last.exit_code);
  });

  it('ends with exit 3 when no handover comes', async () => {
    const container = await machine({ CFA_HANDOVER_TIMEOUT: '2' });
    expect(await container.ended()).toBe(3);
    expect(await container.logs()).toMatch(/cfa: error: no handover arrived within 2 s/);
  });
});
