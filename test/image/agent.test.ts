// Claude's user cannot touch the supervisor: run as root with CFA_AGENT_USER set to a
// test user, the stand-in tries to forge the state, write or truncate channels, read
// the handover and signal the supervisor, and every attempt must fail.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertRunnableBy,
  drain,
  fakeClaude,
  git,
  handover,
  handoverDoc,
  makeRepo,
  removeTempDirs,
  runDir,
  stageExecutable,
  startEntrypoint,
  tempDir,
  waitForState,
  writePlan,
} from './harness.ts';

afterAll(removeTempDirs);

// This file's own user: the supervisor ends every process of its agent user, so no other
// file that runs at the same time may use it.
const user = 'cfa-test-agent';
const isRoot = process.getuid?.() === 0;

function ensureUser(): number | undefined {
  if (!isRoot) return undefined;
  try {
    return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
    return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  }
}

/** Processes (other than zombies) that run as the given uid. */
function processesOf(uid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (Number(real) === uid && !/^State:\s+Z/m.test(status)) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

const uid = ensureUser();

/** The claude stand-in where the agent can run it, wherever this checkout lives. */
function agentClaude(agentUid: number): string {
  const claude = stageExecutable(fakeClaude);
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  assertRunnableBy({ uid: agentUid, gid }, claude);
  return claude;
}

describe.skipIf(uid === undefined)('cfa-entrypoint with an agent user (needs root)', () => {
  it('runs claude as the agent, who can neither write the supervisor\'s files nor signal it', async () => {
    if (uid === undefined) throw new Error('unreachable');
    const dir = tempDir('agent');
    const base = path.join(dir, 'git');
    const ids = makeRepo(base, 'acme', 'app', 2);
    // git serves a local repository only to its owner (safe.directory); production
    // clones go over https, so the test hands the repository to the agent.
    execFileSync('chown', ['-R', `${uid}:${uid}`, base]);
    const rec = path.join(dir, 'rec');
    mkdirSync(rec);
    chmodSync(rec, 0o777);
    const root = path.join(dir, 'root');
    const machine = startEntrypoint(root, { CFA_AGENT_USER: user, CFA_CLAUDE: agentClaude(uid) });
    await waitForState(root, 'waiting');
    const plan = writePlan(dir, [`record ${rec}`, `attack ${rec} ${runDir(root)} ${machine.pid}`, 'holder', 'out done']);
    const doc = handoverDoc({
      github_server_url: `file://${base}`,
      repos: [{ repo: 'acme/app' }],
      github_token: 'ghs_AGENT_TEST_TOKEN_1',
      env: { FAKE_CLAUDE_PLAN: plan },
    });
    expect((await handover(root, doc)).code).toBe(0);
    const drained = await drain(root);
    const ended = await machine.ended;

    expect(readFileSync(path.join(rec, 'uid'), 'utf8').trim()).toBe(String(uid));
    const attempts = readFileSync(path.join(rec, 'attack'), 'utf8').trim().split('\n');
    expect(attempts).toEqual([
      'write-state denied',
      'append-out denied',
      'truncate-setup denied',
      'read-handover denied',
      'list-run denied',
      'signal-supervisor denied',
      'stop-supervisor denied',
      'done',
    ]);
    expect(drained.channels.out.toString()).toBe('done\n');
    expect(drained.channels.setup.toString()).toMatch(/^cfa: waiting for the handover\n/);
    expect(drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    expect(ended.code).toBe(0);

    // The agent owns its workspace and home; the supervisor's files stay root's.
    const app = path.join(root, 'workspace', 'app');
    expect(statSync(app).uid).toBe(uid);
    expect(statSync(path.join(root, 'home', user)).uid).toBe(uid);
    expect(git(app, ['-c', `safe.directory=${app}`, 'rev-parse', 'HEAD'])).toBe(ids.main);
    for (const name of ['state', 'reason', 'exit_code', 'handover.json', 'channels/out', 'channels/setup']) {
      const st = statSync(path.join(runDir(root), name));
      expect(st.uid, name).toBe(0);
      expect(st.mode & 0o077, name).toBe(0);
    }
    // What Claude left running (the holder) ended with it.
    expect(processesOf(uid)).toEqual([]);
  });

  it('Fly\'s API socket and OIDC token under .fly are out of the agent\'s reach (root-only before claude starts)', async () => {
    if (uid === undefined) throw new Error('unreachable');
    const dir = tempDir('agent');
    const rec = path.join(dir, 'rec');
    mkdirSync(rec);
    chmodSync(rec, 0o777);
    const root = path.join(dir, 'root');
    const fly = path.join(root, '.fly');
    mkdirSync(fly, { recursive: true, mode: 0o755 });
    chmodSync(fly, 0o755); // as a machine might boot with it: open to everyone
    writeFileSync(path.join(fly, 'oidc_token'), 'eyJ-not-a-real-token', { mode: 0o644 });
    const socket = createServer((c) => c.end('connected\n'));
    await new Promise<void>((resolve) => socket.listen(path.join(fly, 'api'), resolve));
    chmodSync(path.join(fly, 'api'), 0o777);
    try {
      const machine = startEntrypoint(root, { CFA_AGENT_USER: user });
      await waitForState(root, 'waiting');
      const plan = writePlan(dir, [`record ${rec}`, `reach ${rec} ${fly}`, 'out done']);
      expect((await handover(root, handoverDoc({ env: { FAKE_CLAUDE_PLAN: plan } }))).code).toBe(0);
      const drained = await drain(root);
      expect((await machine.ended).code).toBe(0);
      expect(drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
      expect(readFileSync(path.join(rec, 'uid'), 'utf8').trim()).toBe(String(uid));
      expect(readFileSync(path.join(rec, 'reach'), 'utf8').trim().split('\n')).toEqual([
        'list-fly denied',
        'read-token denied',
        'see-socket denied',
      ]);
      const st = statSync(fly);
      expect(st.uid).toBe(0);
      expect(st.mode & 0o777).toBe(0o700);
    } finally {
      socket.close();
    }
  });

  it('stages what the agent runs out of directories it cannot enter, and names such a directory', () => {
    if (uid === undefined) throw new Error('unreachable');
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    // A checkout in a directory as `mktemp -d` makes it: closed to other users.
    const closed = mkdtempSync(path.join(tmpdir(), 'cfa-closed-'));
    try {
      expect(statSync(closed).mode & 0o777).toBe(0o700);
      const script = path.join(closed, 'claude');
      copyFileSync(fakeClaude, script);
      expect(() => assertRunnableBy({ uid, gid }, script)).toThrow(`uid ${uid} cannot enter ${closed} (mode 0700), so it cannot run ${script}`);
      const staged = stageExecutable(script);
      expect(() => assertRunnableBy({ uid, gid }, staged)).not.toThrow();
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });

  it('the deadline stops an agent claude that ignores TERM, and everything it started', async () => {
    if (uid === undefined) throw new Error('unreachable');
    const dir = tempDir('agent');
    const rec = path.join(dir, 'rec');
    mkdirSync(rec);
    chmodSync(rec, 0o777);
    const root = path.join(dir, 'root');
    const machine = startEntrypoint(root, {
      CFA_AGENT_USER: user,
      CFA_CLAUDE: agentClaude(uid),
      CFA_DEADLINE: String(Math.floor(Date.now() / 1000) + 5),
      CFA_KILL_GRACE_SECONDS: '0.5',
    });
    await waitForState(root, 'waiting');
    const plan = writePlan(dir, [`record ${rec}`, 'ignore-term', 'holder', 'out started', 'hang']);
    expect((await handover(root, handoverDoc({ env: { FAKE_CLAUDE_PLAN: plan } }))).code).toBe(0);
    const drained = await drain(root);
    expect(drained.last).toMatchObject({ state: 'exited', reason: 'deadline', exit_code: 137 });
    expect((await machine.ended).code).toBe(137);
    expect(readFileSync(path.join(rec, 'uid'), 'utf8').trim()).toBe(String(uid));
    expect(processesOf(uid)).toEqual([]);
  });
});

describe.runIf(uid === undefined)('cfa-entrypoint with an agent user', () => {
  it.skip('needs root to create and switch to a test user; not root here', () => undefined);
});
