// cfa-entrypoint on a plain host: the real script, a scripted claude stand-in, local
// bare repositories served through a file:// clone base.
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  channelFile,
  drain,
  git,
  handover,
  handoverDoc,
  makeRepo,
  read,
  readRunFile,
  removeTempDirs,
  runDir,
  startEntrypoint,
  tempDir,
  waitForState,
  writePlan,
} from './harness.ts';
import type { Drained, Machine, RunResult } from './harness.ts';
import { startGitHttpServer } from './git-http-server.ts';
import { imageCommands } from './image-commands.ts';

afterAll(removeTempDirs);

const secretsOf = (doc: Record<string, unknown>): string[] =>
  ['anthropic_api_key', 'claude_code_oauth_token', 'github_token']
    .map((k) => doc[k])
    .filter((v): v is string => typeof v === 'string' && v.length > 0);

/** No secret in any channel or run file except handover.json itself. */
function assertNoSecrets(root: string, doc: Record<string, unknown>): void {
  const secrets = secretsOf(doc);
  expect(secrets.length).toBeGreaterThan(0);
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && full !== path.join(runDir(root), 'handover.json')) files.push(full);
    }
  };
  walk(runDir(root));
  expect(files.length).toBeGreaterThan(3);
  for (const file of files) {
    const text = readFileSync(file).toString('latin1');
    for (const secret of secrets) {
      expect(text.includes(secret), `${file} holds a secret`).toBe(false);
      expect(text.includes(Buffer.from(`x-access-token:${secret}`).toString('base64')), `${file}`).toBe(false);
    }
  }
}

interface Scenario {
  machine: Machine;
  drained: Drained;
  ended: RunResult;
  dir: string;
  root: string;
}

async function runScenario(options: {
  plan: readonly string[];
  doc?: Record<string, unknown>;
  env?: Record<string, string>;
  dir?: string;
  maxBytes?: number;
}): Promise<Scenario> {
  const dir = options.dir ?? tempDir('ep');
  const root = path.join(dir, 'root');
  const plan = writePlan(dir, options.plan);
  const doc = options.doc ?? handoverDoc();
  const docEnv = (doc.env as Record<string, string> | undefined) ?? {};
  const machine = startEntrypoint(root, options.env);
  await waitForState(root, 'waiting');
  const given = await handover(root, { ...doc, env: { ...docEnv, FAKE_CLAUDE_PLAN: plan } });
  expect(given).toEqual({ code: 0, answer: { ok: true } });
  const drained = await drain(root, { maxBytes: options.maxBytes });
  const ended = await machine.ended;
  return { machine, drained, ended, dir, root };
}

const setupText = (s: Scenario): string => s.drained.channels.setup.toString('utf8');

describe('cfa-entrypoint: a normal run', () => {
  it('clones the repo, runs claude in it with the prompt, args and env untouched, and records the end', async () => {
    const dir = tempDir('ep');
    const base = path.join(dir, 'git');
    const ids = makeRepo(base, 'acme', 'app', 3);
    const rec = path.join(dir, 'rec');
    const transcript = path.join(dir, 'transcript.jsonl');
    const lines = [
      '{"type":"system","subtype":"init","session_id":"s"}',
      '{"type":"assistant","message":{"content":[{"type":"text","text":"h\u00e9llo \\"x\\""}]}}',
      '{"type":"result","subtype":"success","is_error":false,"num_turns":1}',
    ];
    writeFileSync(transcript, lines.join('\n') + '\n');
    const prompt = `Fix "this" and 'that'\nline two $(rm -rf /) \`uname\` $HOME \\n \u00fcnicode\n\nend`;
    const doc = handoverDoc({
      prompt,
      github_token: 'ghs_TEST_TOKEN_abcdef',
      claude_code_oauth_token: 'oauth-TEST-token-xyz',
      github_server_url: `file://${base}`,
      repos: [{ repo: 'acme/app', base_ref: 'main' }],
      fetch_depth: 50,
      claude_args: ['--model', 'claude x', '--max-turns', '5', '--append-system-prompt', 'a "b" $(c)'],
      env: { EXTRA_SETTING: 'v a l' },
    });
    const s = await runScenario({ dir, doc, plan: [`record ${rec}`, `replay ${transcript} 20`, 'err warning: on stderr'] });

    expect(s.drained.channels.out.toString('utf8')).toBe(lines.join('\n') + '\n');
    expect(s.drained.channels.err.toString('utf8')).toBe('warning: on stderr\n');
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    expect(s.ended.code).toBe(0);
    expect(setupText(s)).toContain('cfa: cloning acme/app into workspace/app');
    expect(setupText(s)).toContain('cfa: claude exited with code 0');

    const argv = readFileSync(path.join(rec, 'argv'), 'utf8').split('\0').slice(0, -1);
    expect(argv).toEqual([
      '-p', '--output-format', 'stream-json', '--verbose',
      '--model', 'claude x', '--max-turns', '5', '--append-system-prompt', 'a "b" $(c)',
      '--setting-sources', 'user', '--strict-mcp-config',
    ]);
    expect(readFileSync(path.join(rec, 'stdin'), 'utf8')).toBe(prompt);
    expect(readFileSync(path.join(rec, 'cwd'), 'utf8').trim()).toBe(path.join(s.root, 'workspace', 'app'));
    const env = Object.fromEntries(
      readFileSync(path.join(rec, 'env'), 'utf8').split('\0').filter(Boolean).map((kv) => {
        const i = kv.indexOf('=');
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
    );
    expect(env.ANTHROPIC_API_KEY).toBe(doc.anthropic_api_key);
    expect(env.CLAUDE_CODE_OAUTH_TOKEN).toBe(doc.claude_code_oauth_token);
    expect(env.GH_TOKEN).toBe(doc.github_token);
    expect(env.GITHUB_TOKEN).toBe(doc.github_token);
    expect(env.EXTRA_SETTING).toBe('v a l');
    expect(env.HOME).toBe(path.join(s.root, 'home', 'claude'));
    // The supervisor's own settings never reach Claude.
    expect(Object.keys(env).filter((k) => k.startsWith('CFA_'))).toEqual([]);

    const clone = path.join(s.root, 'workspace', 'app');
    expect(git(clone, ['rev-parse', 'HEAD'])).toBe(ids.main);
    expect(git(clone, ['rev-parse', 'origin/main'])).toBe(ids.main);
    // No credential lands in the clone's config.
    expect(readFileSync(path.join(clone, '.git', 'config'), 'utf8')).not.toContain('extraheader');
    assertNoSecrets(s.root, doc);
    // The handover itself is kept root-only.
    expect(statSync(path.join(runDir(s.root), 'handover.json')).mode & 0o777).toBe(0o600);
    expect(statSync(runDir(s.root)).mode & 0o777).toBe(0o700);
  });

  it('clones several repos at a branch, a tag and a sha, with the base fetched, and starts claude in the workspace', async () => {
    const dir = tempDir('ep');
    const base = path.join(dir, 'git');
    const app = makeRepo(base, 'acme', 'app', 4);
    const lib = makeRepo(base, 'acme', 'lib', 2);
    const other = makeRepo(base, 'other', 'app', 2);
    const rec = path.join(dir, 'rec');
    const doc = handoverDoc({
      github_server_url: `file://${base}/`,
      fetch_depth: 2,
      repos: [
        { repo: 'acme/app', ref: 'feature', base_ref: 'refs/heads/main' },
        { repo: `file://${base}/acme/lib.git`, ref: 'v1' },
        { repo: 'other/app', ref: other.feature },
      ],
    });
    const s = await runScenario({ dir, doc, plan: [`record ${rec}`, 'out {"type":"result"}'] });
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    const ws = path.join(s.root, 'workspace');
    expect(readFileSync(path.join(rec, 'cwd'), 'utf8').trim()).toBe(ws);
    expect(readdirSync(ws).sort()).toEqual(['app', 'lib', 'other-app']);

    expect(git(path.join(ws, 'app'), ['rev-parse', 'HEAD'])).toBe(app.feature);
    expect(git(path.join(ws, 'app'), ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('feature');
    expect(git(path.join(ws, 'app'), ['rev-parse', 'origin/main'])).toBe(app.main);
    // fetch_depth 2 keeps the clone shallow, yet the PR diff against its base works.
    expect(git(path.join(ws, 'app'), ['rev-list', '--count', 'HEAD'])).toBe('2');
    expect(git(path.join(ws, 'app'), ['diff', '--name-only', 'origin/main', 'HEAD'])).toBe('feature.txt');
    expect(git(path.join(ws, 'lib'), ['rev-parse', 'HEAD'])).toBe(lib.main);
    expect(git(path.join(ws, 'other-app'), ['rev-parse', 'HEAD'])).toBe(other.feature);
  });

  it('clones a private repo with the token as an HTTP header, sent to the clone host only', async () => {
    const dir = tempDir('ep');
    const privateBase = path.join(dir, 'private');
    const publicBase = path.join(dir, 'public');
    const app = makeRepo(privateBase, 'acme', 'app', 2);
    const lib = makeRepo(publicBase, 'acme', 'lib', 1);
    const token = 'ghs_PRIVATE_clone_token_42';
    const privateServer = await startGitHttpServer(privateBase, token);
    const publicServer = await startGitHttpServer(publicBase);
    try {
      const doc = handoverDoc({
        github_token: token,
        github_server_url: privateServer.url,
        repos: [{ repo: 'acme/app', ref: 'main' }, { repo: `${publicServer.url}/acme/lib.git` }],
      });
      const s = await runScenario({ dir, doc, plan: ['out ok'] });
      expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
      const ws = path.join(s.root, 'workspace');
      expect(git(path.join(ws, 'app'), ['rev-parse', 'HEAD'])).toBe(app.main);
      expect(git(path.join(ws, 'lib'), ['rev-parse', 'HEAD'])).toBe(lib.main);
      const basic = `basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
      expect(privateServer.authorizations.length).toBeGreaterThan(0);
      expect(new Set(privateServer.authorizations.map((a) => a.toLowerCase()))).toEqual(new Set([basic.toLowerCase()]));
      expect(publicServer.authorizations.length).toBeGreaterThan(0);
      expect(publicServer.authorizations.every((a) => a === '')).toBe(true);
      for (const repo of ['app', 'lib']) {
        expect(readFileSync(path.join(ws, repo, '.git', 'config'), 'utf8')).not.toContain(token);
      }
      assertNoSecrets(s.root, doc);

      const wrong = await runScenario({
        doc: { ...doc, github_token: 'ghs_WRONG_token_000', repos: [{ repo: 'acme/app' }] },
        plan: ['out never'],
      });
      expect(wrong.drained.last).toMatchObject({ state: 'exited', reason: 'setup-failed', exit_code: 4 });
      expect(setupText(wrong)).toMatch(/could not clone acme\/app/);
    } finally {
      await privateServer.close();
      await publicServer.close();
    }
  });

  it('runs with only the commands the image installs on PATH', async () => {
    const dir = tempDir('ep');
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    for (const command of Object.keys(imageCommands)) {
      const target = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].map((d) => path.join(d, command)).find((p) => existsSync(p));
      if (target === undefined) throw new Error(`${command} is not installed on this host`);
      symlinkSync(target, path.join(bin, command));
    }
    const base = path.join(dir, 'git');
    const ids = makeRepo(base, 'acme', 'app', 2);
    const rec = path.join(dir, 'rec');
    const doc = handoverDoc({ github_server_url: `file://${base}`, repos: [{ repo: 'acme/app', ref: 'main', base_ref: 'main' }] });
    const s = await runScenario({ dir, doc, env: { PATH: bin }, plan: [`record ${rec}`, 'out done'] });
    expect(setupText(s)).not.toMatch(/not found|No such file/);
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    expect(s.drained.channels.out.toString()).toBe('done\n');
    expect(git(path.join(s.root, 'workspace', 'app'), ['rev-parse', 'HEAD'])).toBe(ids.main);
  });
});

describe('cfa-entrypoint: every failure ends recorded, with one clear setup line', () => {
  it('a handover that never comes', async () => {
    const root = path.join(tempDir('ep'), 'root');
    const machine = startEntrypoint(root, { CFA_HANDOVER_TIMEOUT: '0.5' });
    const drained = await drain(root, { waitMs: 300 });
    expect(drained.last).toMatchObject({ state: 'exited', reason: 'handover-timeout', exit_code: 3 });
    expect(drained.channels.setup.toString()).toMatch(/^cfa: error: no handover arrived within 0\.5 s$/m);
    expect((await machine.ended).code).toBe(3);
  });

  it('the deadline while waiting for the handover', async () => {
    const root = path.join(tempDir('ep'), 'root');
    const machine = startEntrypoint(root, { CFA_DEADLINE: String(Math.floor(Date.now() / 1000) + 1) });
    const drained = await drain(root, { waitMs: 300 });
    expect(drained.last).toMatchObject({ state: 'exited', reason: 'deadline', exit_code: 124 });
    expect(drained.channels.setup.toString()).toMatch(/^cfa: error: the deadline passed while waiting for the handover$/m);
    expect((await machine.ended).code).toBe(124);
  });

  it('the deadline grace: a run whose CFA_DEADLINE has passed still gets CFA_DEADLINE_GRACE_SECONDS', async () => {
    const past = String(Math.floor(Date.now() / 1000) - 5);
    const graced = await runScenario({ env: { CFA_DEADLINE: past, CFA_DEADLINE_GRACE_SECONDS: '60' }, plan: ['out within the grace'] });
    expect(graced.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    expect(graced.drained.channels.out.toString()).toBe('within the grace\n');
    const root = path.join(tempDir('ep'), 'root');
    const none = startEntrypoint(root, { CFA_DEADLINE: past, CFA_DEADLINE_GRACE_SECONDS: '0' });
    expect((await drain(root, { waitMs: 300 })).last).toMatchObject({ state: 'exited', reason: 'deadline', exit_code: 124 });
    expect((await none.ended).code).toBe(124);
  });

  it('a missing prompt', async () => {
    const doc = handoverDoc({ prompt: '' });
    const s = await runScenario({ doc, plan: ['out never'] });
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'missing-prompt', exit_code: 2 });
    expect(setupText(s)).toMatch(/^cfa: error: the handover has no prompt$/m);
    expect(s.drained.channels.out.length).toBe(0);
    expect(s.ended.code).toBe(2);
  });

  it('a missing Anthropic credential', async () => {
    const doc = handoverDoc({ anthropic_api_key: '', github_token: 'ghs_secret_but_not_enough' });
    const s = await runScenario({ doc, plan: ['out never'] });
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'missing-credential', exit_code: 2 });
    expect(setupText(s)).toMatch(/^cfa: error: .*no Anthropic credential \(anthropic_api_key or claude_code_oauth_token\)$/m);
    expect(s.ended.code).toBe(2);
    assertNoSecrets(s.root, doc);
  });

  it('a repo that cannot be cloned', async () => {
    const dir = tempDir('ep');
    const base = path.join(dir, 'git');
    makeRepo(base, 'acme', 'app', 1);
    const rec = path.join(dir, 'rec');
    const doc = handoverDoc({
      github_server_url: `file://${base}`,
      github_token: 'ghs_TOKEN_for_clone',
      repos: [{ repo: 'acme/app' }, { repo: 'acme/missing' }],
    });
    const s = await runScenario({ dir, doc, plan: [`record ${rec}`] });
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'setup-failed', exit_code: 4 });
    expect(setupText(s)).toMatch(/^cfa: error: could not clone acme\/missing \(git status \d+\)$/m);
    expect(existsSync(rec)).toBe(false);
    expect(s.ended.code).toBe(4);
    assertNoSecrets(s.root, doc);
  });

  it('a ref that does not exist', async () => {
    const dir = tempDir('ep');
    const base = path.join(dir, 'git');
    makeRepo(base, 'acme', 'app', 1);
    const doc = handoverDoc({ github_server_url: `file://${base}`, repos: [{ repo: 'acme/app', ref: 'no-such-branch' }] });
    const s = await runScenario({ dir, doc, plan: ['out never'] });
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'setup-failed', exit_code: 4 });
    expect(setupText(s)).toMatch(/could not clone acme\/app/);
  });

  it('no claude binary', async () => {
    const s = await runScenario({ env: { CFA_CLAUDE: '/nonexistent/claude' }, plan: ['out never'] });
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'claude-not-found', exit_code: 127 });
    expect(setupText(s)).toMatch(/^cfa: error: the claude binary was not found \(\/nonexistent\/claude\)$/m);
    expect(s.ended.code).toBe(127);
  });

  it('claude crashing in the middle of a line', async () => {
    const s = await runScenario({ plan: ['out {"type":"system"}', 'partial {"type":"assis', 'crash'] });
    expect(s.drained.channels.out.toString()).toBe('{"type":"system"}\n{"type":"assis');
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'crashed', exit_code: 139 });
    expect(setupText(s)).toMatch(/^cfa: error: claude was killed by signal SIGSEGV$/m);
    expect(s.ended.code).toBe(139);
  });

  it('claude refusing to run (one stderr line, nothing on stdout, exit 1)', async () => {
    const line = '--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons';
    const s = await runScenario({ plan: [`err ${line}`, 'exit 1'] });
    expect(s.drained.channels.out.length).toBe(0);
    expect(s.drained.channels.err.toString()).toBe(`${line}\n`);
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'claude-failed', exit_code: 1 });
    expect(setupText(s)).toMatch(/^cfa: error: claude exited with code 1 without any output/m);
    expect(s.ended.code).toBe(1);
  });

  it('claude failing after some output keeps its own exit code', async () => {
    const s = await runScenario({ plan: ['out {"type":"result","is_error":true}', 'exit 3'] });
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 3 });
    expect(s.ended.code).toBe(3);
  });

  it('the deadline stops a claude that ignores TERM, and its children', async () => {
    const dir = tempDir('ep');
    const rec = path.join(dir, 'rec');
    const s = await runScenario({
      dir,
      env: { CFA_DEADLINE: String(Math.floor(Date.now() / 1000) + 5), CFA_KILL_GRACE_SECONDS: '0.5' }, // time enough to start claude on a busy machine
      plan: [`record ${rec}`, 'ignore-term', 'holder', 'out started', 'hang'],
    });
    expect(s.drained.channels.out.toString()).toBe('started\n');
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'deadline', exit_code: 137 });
    expect(setupText(s)).toMatch(/^cfa: the deadline passed: stopping claude$/m);
    expect(s.ended.code).toBe(137);
    const pid = Number(readFileSync(path.join(rec, 'pid'), 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('a TERM to the supervisor stops claude and is recorded', async () => {
    const dir = tempDir('ep');
    const root = path.join(dir, 'root');
    const machine = startEntrypoint(root);
    await waitForState(root, 'waiting');
    await handover(root, handoverDoc({ env: { FAKE_CLAUDE_PLAN: writePlan(dir, ['out started', 'hang']) } }));
    await waitForState(root, 'running');
    process.kill(machine.pid, 'SIGTERM');
    const ended = await machine.ended;
    expect(ended.code).toBe(143);
    expect(readRunFile(root, 'reason').trim()).toBe('stopped');
    expect(readRunFile(root, 'state').trim()).toBe('exited');
  });
});

describe('cfa-entrypoint: Fly\'s machine API socket', () => {
  // On Fly, /.fly/api reads and writes every machine's metadata and mints OIDC
  // tokens. (That the agent user cannot reach it is in agent.test.ts.)
  it('makes $CFA_ROOT/.fly root-only (0700) before claude starts', async () => {
    const dir = tempDir('ep');
    const fly = path.join(dir, 'root', '.fly');
    mkdirSync(fly, { recursive: true, mode: 0o755 });
    chmodSync(fly, 0o755);
    writeFileSync(path.join(fly, 'oidc_token'), 'token', { mode: 0o644 });
    const rec = path.join(dir, 'rec');
    const s = await runScenario({ dir, plan: [`record ${rec}`, 'out done'] });
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    const st = statSync(fly);
    expect(st.mode & 0o777).toBe(0o700);
    expect(st.uid).toBe(process.getuid?.());
    if (process.getuid?.() === 0) expect(st.gid).toBe(0);
    expect(setupText(s)).toMatch(/^cfa: made \.fly root-only$/m);
    expect(setupText(s).indexOf('made .fly root-only')).toBeLessThan(setupText(s).indexOf('waiting for the handover'));
  });

  it('runs as before when there is no .fly', async () => {
    const s = await runScenario({ plan: ['out done'] });
    expect(s.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    expect(setupText(s)).not.toMatch(/\.fly/);
  });
});

describe('cfa-entrypoint: one run per machine', () => {
  it('a restarted machine does not run claude again, and leaves the record alone', async () => {
    const dir = tempDir('ep');
    const first = await runScenario({ dir, plan: ['out first', 'exit 6'] });
    expect(first.ended.code).toBe(6);
    const again = startEntrypoint(first.root);
    const ended = await again.ended;
    expect(ended.code).toBe(70);
    expect(ended.stdout).toContain('already ran once');
    expect(readRunFile(first.root, 'exit_code').trim()).toBe('6');
    expect(channelFile(first.root, 'out').toString()).toBe('first\n');
  });
});

describe('cfa-entrypoint: the linger', () => {
  it('drains a multi-MB backlog completely, read in small pieces', async () => {
    const dir = tempDir('ep');
    const big = path.join(dir, 'big.jsonl');
    const chunks: string[] = [];
    for (let i = 0; chunks.join('').length < 3_000_000; i++) {
      chunks.push(`{"type":"assistant","n":${i},"text":"${'x'.repeat(i % 5000)}\u00e9"}\n`);
    }
    writeFileSync(big, chunks.join(''));
    const root = path.join(dir, 'root');
    const machine = startEntrypoint(root, { CFA_LINGER_SECONDS: '1' });
    await waitForState(root, 'waiting');
    await handover(root, handoverDoc({ env: { FAKE_CLAUDE_PLAN: writePlan(dir, [`cat ${big}`, 'err bye', 'exit 5']) } }));
    await waitForState(root, 'exited');
    // Start reading only after Claude has ended: the backlog is all there.
    const drained = await drain(root, { maxBytes: 256 * 1024, waitMs: 0 });
    expect(drained.reads).toBeGreaterThan(10);
    expect(drained.channels.out.equals(readFileSync(big))).toBe(true);
    expect(drained.channels.out.equals(channelFile(root, 'out'))).toBe(true);
    expect(drained.channels.err.toString()).toBe('bye\n');
    expect(drained.last).toMatchObject({ reason: 'exited', exit_code: 5 });
    expect((await machine.ended).code).toBe(5);
  });

  it('lasts while reads keep coming, and ends after the last read with claude\'s code', async () => {
    const dir = tempDir('ep');
    const root = path.join(dir, 'root');
    // The linger is 2 s; reads come every 300 ms for 3 s (1.5 lingers), so even a
    // read slowed by a loaded machine restarts it in time.
    const machine = startEntrypoint(root, { CFA_LINGER_SECONDS: '2' });
    let ended = false;
    void machine.ended.then(() => (ended = true));
    await waitForState(root, 'waiting');
    await handover(root, handoverDoc({ env: { FAKE_CLAUDE_PLAN: writePlan(dir, ['out x', 'exit 7']) } }));
    await waitForState(root, 'exited');
    for (let i = 0; i < 10; i++) {
      await read(root, ['--max-bytes', '0']);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(ended).toBe(false);
    const result = await machine.ended;
    expect(result.code).toBe(7);
  });

  it('is not cut short when it catches the last-read file mid-write (empty)', async () => {
    const dir = tempDir('ep');
    const root = path.join(dir, 'root');
    const machine = startEntrypoint(root, { CFA_LINGER_SECONDS: '2' });
    let ended = false;
    void machine.ended.then(() => (ended = true));
    await waitForState(root, 'waiting');
    await handover(root, handoverDoc({ env: { FAKE_CLAUDE_PLAN: writePlan(dir, ['out x', 'exit 7']) } }));
    await waitForState(root, 'exited');
    await new Promise((r) => setTimeout(r, 1500));
    await read(root, ['--max-bytes', '0']);
    await new Promise((r) => setTimeout(r, 800));
    // Past Claude's exit + linger, within the last read + linger: a truncated file must not end it.
    writeFileSync(path.join(runDir(root), 'last_read'), '');
    await new Promise((r) => setTimeout(r, 600));
    expect(ended).toBe(false);
    expect((await machine.ended).code).toBe(7);
  });

  it('never lasts past the deadline', async () => {
    const dir = tempDir('ep');
    const root = path.join(dir, 'root');
    const machine = startEntrypoint(root, {
      CFA_LINGER_SECONDS: '600',
      CFA_DEADLINE: String(Math.floor(Date.now() / 1000) + 3),
    });
    await waitForState(root, 'waiting');
    await handover(root, handoverDoc({ env: { FAKE_CLAUDE_PLAN: writePlan(dir, ['out x']) } }));
    const outcome = await Promise.race([
      machine.ended.then((r) => r.code),
      new Promise<string>((r) => setTimeout(() => r('still lingering'), 15_000)),
    ]);
    expect(outcome).toBe(0);
    expect(readRunFile(root, 'reason').trim()).toBe('exited');
  });
});
