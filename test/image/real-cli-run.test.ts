// The real entrypoint runs the real pinned Claude Code CLI against the
// Messages API stand-in, in a workspace cloned from a local git repository:
// exactly as on Fly but for the API's base URL. As the image's non-root user
// where this machine allows one, and as root with IS_SANDBOX=1; and what the
// entrypoint records when neither holds (the CLI refuses to run).
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeBinary, writeClaudeWrapper } from '../anthropic/claude-cli.ts';
import { loadScenarios } from '../anthropic/scenario.ts';
import { startMessagesStandIn, type StandIn } from '../anthropic/standin.ts';
import {
  assertRunnableBy,
  drain,
  git,
  handover,
  handoverDoc,
  makeRepo,
  removeTempDirs,
  repoRoot,
  stageExecutable,
  startEntrypoint,
  tempDir,
  waitForState,
} from './harness.ts';

const isRoot = process.getuid?.() === 0;
// A user of this file's own: the supervisor ends every process of its agent user when
// Claude exits, so a user shared with agent.test.ts (run in parallel) would end its runs.
const AGENT = 'cfa-test-cli-agent';

function agentIds(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  let id = spawnSync('id', ['-u', AGENT], { encoding: 'utf8' });
  if (id.status !== 0) {
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', AGENT]);
    id = spawnSync('id', ['-u', AGENT], { encoding: 'utf8' });
  }
  if (id.status !== 0) return undefined;
  const gid = spawnSync('id', ['-g', AGENT], { encoding: 'utf8' });
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

let standin: StandIn;

/** A local "server" holding octo/app with greet.js; owned by `owner` (git refuses repositories of another user). */
function makeGitBase(owner?: { uid: number; gid: number }): string {
  const gitBase = tempDir('git');
  chmodSync(gitBase, 0o755);
  makeRepo(gitBase, 'octo', 'app');
  const work = tempDir('work');
  git(work, ['clone', '-q', path.join(gitBase, 'octo', 'app.git'), 'app']);
  writeFileSync(path.join(work, 'app', 'greet.js'), "// Prints a greeting.\nconsole.log('Helo, world');\n");
  git(path.join(work, 'app'), ['add', 'greet.js']);
  git(path.join(work, 'app'), ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'greeting']);
  git(path.join(work, 'app'), ['push', '-q', 'origin', 'HEAD:main']);
  if (owner) spawnSync('chown', ['-R', `${owner.uid}:${owner.gid}`, gitBase]);
  return gitBase;
}

beforeAll(async () => {
  standin = await startMessagesStandIn({ scenarios: loadScenarios(path.join(repoRoot, 'test', 'anthropic', 'scenarios')) });
});

afterAll(async () => {
  await standin?.close();
  removeTempDirs();
});

async function runOnce(options: { agentUser: string; sandbox: boolean; owner?: { uid: number; gid: number } }) {
  const dir = tempDir('real-run');
  chmodSync(dir, 0o755);
  const home = path.join(dir, 'home');
  mkdirSync(home, { recursive: true });
  if (options.owner) chownSync(home, options.owner.uid, options.owner.gid);
  const gitBase = makeGitBase(options.owner);
  // As the agent, the CLI must be where that user can reach it, wherever this checkout lives.
  let binary: string | undefined;
  if (options.owner) {
    binary = stageExecutable(claudeBinary());
    assertRunnableBy(options.owner, binary);
  }
  const wrapper = writeClaudeWrapper({ dir: path.join(dir, 'bin'), baseUrl: standin.url, home, sandbox: options.sandbox, binary });
  const root = path.join(dir, 'root');
  const machine = startEntrypoint(root, { CFA_CLAUDE: wrapper, CFA_AGENT_USER: options.agentUser });
  await waitForState(root, 'waiting');
  const answer = await handover(
    root,
    handoverDoc({
      prompt: 'Fix the greeting typo in greet.js',
      github_server_url: `file://${gitBase}`,
      repos: [{ repo: 'octo/app', ref: 'main' }],
      claude_args: ['--permission-mode', 'bypassPermissions'],
    }),
  );
  expect(answer.code).toBe(0);
  const drained = await drain(root, { waitMs: 2000 });
  await machine.ended;
  return { root, drained, lines: drained.channels.out.toString().split('\n').filter(Boolean) };
}

describe('the real Claude Code CLI under the real entrypoint', () => {
  it.skipIf(!isRoot)('runs as root with IS_SANDBOX=1: clones, edits the file, and ends with a success result', async () => {
    const { root, drained, lines } = await runOnce({ agentUser: '', sandbox: true });
    expect(drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    const result = JSON.parse(lines.at(-1) as string) as { type: string; subtype: string };
    expect(result).toMatchObject({ type: 'result', subtype: 'success' });
    expect(readFileSync(path.join(root, 'workspace', 'app', 'greet.js'), 'utf8')).toContain('Hello, world');
    expect(drained.channels.setup.toString()).toMatch(/cloning octo\/app/);
  });

  const agent = agentIds();
  it.skipIf(!agent)('runs as the unprivileged agent user without IS_SANDBOX', async () => {
    const { root, drained, lines } = await runOnce({ agentUser: AGENT, sandbox: false, owner: agent });
    expect(drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    const init = JSON.parse(lines[0] as string) as { type: string; subtype: string; permissionMode: string };
    expect(init).toMatchObject({ type: 'system', subtype: 'init', permissionMode: 'bypassPermissions' });
    expect(readFileSync(path.join(root, 'workspace', 'app', 'greet.js'), 'utf8')).toContain('Hello, world');
  });

  it.skipIf(!isRoot)('records the CLI\'s refusal as root without IS_SANDBOX as a clear error', async () => {
    const { drained, lines } = await runOnce({ agentUser: '', sandbox: false });
    expect(lines).toEqual([]);
    expect(drained.last).toMatchObject({ state: 'exited', reason: 'claude-failed', exit_code: 1 });
    expect(drained.channels.err.toString()).toMatch(/cannot be used with root/);
    expect(drained.channels.setup.toString()).toMatch(/cfa: error: claude exited with code 1 without any output/);
  });
});
