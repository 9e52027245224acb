// The two scripts as a person runs them: `npm run demo` (node test/demo/demo.ts,
// the whole action against the local stand-ins, E2E_DIST honoured) and the
// argument and .env handling of `npm run local` (which cannot run here: it
// needs the internet), with a preload that records any socket or DNS use.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startWorld, TOKENS, type World } from './world.ts';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runScript(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'test', 'demo', script), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Text of the section whose title line starts with `── title`, up to the next section. */
function sectionOf(out: string, title: string): string {
  const start = out.indexOf(`── ${title}`);
  if (start < 0) return '';
  const body = out.slice(out.indexOf('\n', start) + 1);
  const next = body.search(/^── /m);
  return next < 0 ? body : body.slice(0, next);
}

describe('npm run demo', () => {
  let collapsed: Ran;
  let expanded: Ran;
  beforeAll(async () => {
    // One after the other: each runs the real CLI on an emulated machine.
    collapsed = await runScript('demo.ts');
    expanded = await runScript('demo.ts', ['--expanded']);
  }, 90_000);

  it('succeeds and ends with the emulator\'s count of machines left: 0', () => {
    if (collapsed.code !== 0) console.log(collapsed.stdout, collapsed.stderr);
    expect(collapsed.code).toBe(0);
    const lines = collapsed.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('machines left: 0');
    expect(collapsed.stdout).toMatch(/main step: success \(conclusion output: success\) · post step: success/);
  });

  it('prints heading, log, summary, comment and post log in that order', () => {
    const order = ['claude-fly-action demo', '── Workflow log', '── Job summary', '── PR comment on #1', '── Post step log', 'machines left: 0'].map((t) =>
      collapsed.stdout.indexOf(t),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('shows each tool call as a collapsed group, and the background subagent', () => {
    const log = sectionOf(collapsed.stdout, 'Workflow log');
    // A title ends with the call's duration when it took a while: " (1.2 s)".
    for (const title of ['✓ [1] Read: greet.js', '✓ [2] Bash: node greet.js', '✓ [3] Edit: greet.js', '✓ [4] Agent: Count repository lines']) {
      expect(log).toMatch(new RegExp(`^▶ ${escapeRegExp(title)}( \\([\\d.]+ m?s\\))?$`, 'm'));
    }
    expect(log).toContain('⇢ agent 1 started: Count repository lines (general-purpose, background)');
    expect(log).toMatch(/^▶ ✓ \[agent 1: Count repository lines · \d+\] Bash: git ls-files \| xargs wc -l( \([\d.]+ m?s\))?$/m);
    expect(log).toContain('⇠ agent 1 finished (completed)');
    expect(log).toContain('Fixed the typo in greet.js');
    // Collapsed: a group's body (the tool's input and output) is not shown.
    expect(log).not.toContain('── output ──');
    expect(log).not.toContain('▼');
  });

  it('--expanded opens the groups and shows what the tools printed', () => {
    expect(expanded.code).toBe(0);
    const log = sectionOf(expanded.stdout, 'Workflow log');
    expect(log).toMatch(/^▼ ✓ \[2\] Bash: node greet.js( \([\d.]+ m?s\))?\n(?: {2}.*\n)*? {2}── output ──\n {2}Helo, world\n/m);
    expect(log).not.toContain('▶ ✓');
    expect(expanded.stdout.trimEnd().split('\n').at(-1)).toBe('machines left: 0');
  });

  it('shows the job summary headline and the final PR comment the GitHub fake received', () => {
    const summary = sectionOf(collapsed.stdout, 'Job summary');
    expect(summary).toMatch(/^## ✅ Claude Code: Success$/m);
    expect(summary).toContain('Agent 1: Count repository lines');
    const comment = sectionOf(collapsed.stdout, 'PR comment on #1');
    expect(collapsed.stdout).toContain('── PR comment on #1 by github-actions[bot] (final body)');
    expect(comment).toMatch(/^<!-- claude-fly-action:[^>]+ -->$/m);
    expect(comment).toContain('### ✅ Claude Code: Success');
    expect(comment).toContain('Fixed the typo in greet.js');
    // Final, not a live progress body.
    expect(comment).not.toContain('Claude is working');
  });

  it('the post step found nothing left to destroy, and no secret is printed', () => {
    expect(sectionOf(collapsed.stdout, 'Post step log')).toContain('No machine of this step was left running.');
    for (const secret of [TOKENS.anthropic, TOKENS.github]) expect(collapsed.stdout + collapsed.stderr).not.toContain(secret);
  });
});

describe('npm run local without a usable .env', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfa-local-test-'));
  const netLog = join(dir, 'net.log');
  const preload = join(dir, 'no-net.mjs');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Records every outgoing socket and DNS lookup of the child.
  writeFileSync(
    preload,
    `import net from 'node:net'; import dns from 'node:dns'; import { appendFileSync } from 'node:fs';
const note = (what) => appendFileSync(${JSON.stringify(netLog)}, what + '\\n');
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { note('connect ' + String(args[0]?.host ?? args[1] ?? args[0])); return connect.apply(this, args); };
const lookup = dns.lookup;
dns.lookup = function (host, ...rest) { note('lookup ' + host); return lookup.call(this, host, ...rest); };
`,
  );
  const local = (args: string[]) => runScript('local.ts', args, { NODE_OPTIONS: `--import ${preload}` });
  const contacted = () => (existsSync(netLog) ? readFileSync(netLog, 'utf8') : '');

  it('the preload sees a connection (so its silence below means something)', async () => {
    rmSync(netLog, { force: true });
    const probe = join(dir, 'probe.mjs');
    writeFileSync(probe, `await fetch('http://127.0.0.1:59999/').catch(() => undefined);`);
    await new Promise((resolve) => spawn(process.execPath, ['--import', preload, probe], { stdio: 'ignore' }).on('close', resolve));
    expect(contacted()).toContain('connect');
  });

  it('no .env file: exit 2, every required key named, nothing contacted', async () => {
    rmSync(netLog, { force: true });
    const r = await local(['--dotenv', join(dir, 'absent.env')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'absent.env')} does not exist`);
    for (const key of ['FLY_API_TOKEN is missing', 'FLY_APP is missing', 'ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN is missing']) {
      expect(r.stderr).toContain(key);
    }
    expect(r.stdout).toBe('');
    expect(contacted()).toBe('');
  });

  it('some keys missing: exit 2 naming exactly those, nothing contacted', async () => {
    rmSync(netLog, { force: true });
    const env = join(dir, 'partial.env');
    writeFileSync(env, '# partial\nFLY_APP=my-app\nexport CLAUDE_CODE_OAUTH_TOKEN="sk-ant-oat01-x" # comment\nFLY_API_TOKEN=\n');
    const r = await local(['--dotenv', env]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is incomplete/);
    const missing = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(missing).toEqual(['  - FLY_API_TOKEN is missing']);
    expect(r.stderr).not.toContain('sk-ant-oat01-x');
    expect(contacted()).toBe('');
  });

  it('both Anthropic credentials: exit 2 asking to keep one', async () => {
    rmSync(netLog, { force: true });
    const env = join(dir, 'both.env');
    writeFileSync(env, 'FLY_API_TOKEN=fo1_x\nFLY_APP=a\nANTHROPIC_API_KEY=sk-ant-1\nCLAUDE_CODE_OAUTH_TOKEN=sk-ant-oat-2\n');
    const r = await local(['--dotenv', env]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ANTHROPIC_API_KEY and CLAUDE_CODE_OAUTH_TOKEN are both set: keep one');
    expect(contacted()).toBe('');
  });

  it('an unknown argument: usage and exit 2', async () => {
    const r = await local(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown argument(s): --bogus');
    expect(r.stdout).toContain('Usage: npm run local');
  });
});

describe('npm run local, its plumbing against the emulator', () => {
  // Not the real thing (that needs the internet): FLY_API_URL points at the emulator,
  // ANTHROPIC_BASE_URL at the stand-in, and the clone fails at once on loopback. What
  // is checked is the script's own part: the run, the live log, and the count of
  // machines still tagged with the run's nonce, listed through the Fly API.
  let world: World;
  let dir: string;
  beforeAll(async () => {
    world = await startWorld({ claude: 'fake' });
    dir = mkdtempSync(join(tmpdir(), 'cfa-local-emu-'));
  });
  afterAll(async () => {
    await world?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function localRun(): Promise<Ran & { nonce: string | undefined }> {
    const env = join(dir, `run-${world.fly.requests.length}.env`);
    writeFileSync(
      env,
      [
        `FLY_API_TOKEN=${world.fly.token}`,
        'FLY_APP=cfa-test-app',
        `FLY_API_URL=${world.fly.url}`,
        `ANTHROPIC_BASE_URL=${world.standin.url}`,
        `ANTHROPIC_API_KEY=${TOKENS.anthropic}`,
        'IMAGE=registry.example/claude-fly-action:test',
        // A full sha: nothing to resolve on the runner, so the run reaches the machine (whose clone fails).
        `REPOS=https://127.0.0.1/octo/app@${'a'.repeat(40)}`,
        'PROMPT="Fix the greeting typo in greet.js"',
      ].join('\n'),
    );
    const before = world.fly.machines().length;
    const r = await runScript('local.ts', ['--dotenv', env]);
    const machine = world.fly.machines()[before];
    const metadata = (machine?.config.metadata ?? {}) as Record<string, string>;
    return { ...r, nonce: metadata['cfa-nonce'] };
  }

  const nonceListings = (nonce: string | undefined) =>
    world.fly.requests.filter((q) => q.method === 'GET' && /\/machines$/.test(q.path) && q.query['metadata.cfa-nonce']?.[0] === nonce);

  it('runs the bundled action live and counts 0 machines left by its nonce', async () => {
    const r = await localRun();
    expect(r.nonce).toMatch(/^[0-9a-f]+$/);
    expect(r.code).toBe(1); // the clone cannot succeed here
    expect(r.stdout).toContain('── Workflow log');
    expect(r.stdout).toMatch(/^Machine \w+ started in/m);
    expect(r.stdout).toContain('── Job summary');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('machines left: 0');
    // The post step's cleanup lists by the nonce, and then the script does.
    expect(nonceListings(r.nonce).length).toBeGreaterThanOrEqual(2);
    expect(r.stdout + r.stderr).not.toContain(TOKENS.anthropic);
    expect(r.stdout + r.stderr).not.toContain(world.fly.token);
  });

  it('a machine nobody could destroy is counted: machines left: 1, exit 1', async () => {
    const rule = world.fly.faults.add({ method: 'DELETE', path: '/v1/apps/*/machines/*', always: true, fault: { kind: 'status', status: 403 } });
    try {
      const r = await localRun();
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('Could not destroy machine');
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('machines left: 1');
    } finally {
      rule.remove();
    }
  });
});
