// Everything outside the action, on loopback: the Fly Machines emulator (whose
// machines run the real image scripts), the Messages API stand-in under the
// real Claude Code CLI (or the scripted claude), the GitHub REST fake, and a
// local git repository to clone. runBundledAction() runs dist/ through the
// runner harness against them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeClaudeWrapper } from '../anthropic/claude-cli.ts';
import { loadScenarios, parseScenarioFile, type Scenario } from '../anthropic/scenario.ts';
import { startMessagesStandIn, type StandIn } from '../anthropic/standin.ts';
import { startFlyEmulator, type FlyEmulator } from '../fly/emulator.ts';
import type { EmulatorOptions } from '../fly/emulator/types.ts';
import { startGitHubFake } from '../github/fake.ts';
import { PROJECT_ACTION_YML, runAction, type ActionOptions, type ActionResult } from '../harness/runner.ts';
import { git, makeRepo, removeTempDirs } from '../image/harness.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const SCENARIOS_DIR = join(REPO_ROOT, 'test', 'anthropic', 'scenarios');
export const FAKE_CLAUDE = join(REPO_ROOT, 'test', 'image', 'fake-claude');

export const TOKENS = {
  anthropic: 'sk-ant-e2e-secret-key-0123456789',
  fly: '', // the emulator's own
  github: 'ghs_e2eWorkflowToken0123456789',
} as const;

export type GitHubFake = Awaited<ReturnType<typeof startGitHubFake>>;

export interface World {
  root: string;
  fly: FlyEmulator;
  standin: StandIn;
  github: GitHubFake;
  /** Local stand-in of GITHUB_SERVER_URL: repos live under it as owner/name.git. */
  serverUrl: string;
  repo: { owner: string; name: string; main: string };
  close(): Promise<void>;
}

export interface WorldOptions {
  /** 'real' runs the pinned Claude Code CLI against the stand-in; 'fake' the scripted claude of the image tests. */
  claude?: 'real' | 'fake';
  emulator?: EmulatorOptions;
  refusedKeys?: string[];
  /** Scenarios of a test's own, served besides test/anthropic/scenarios. */
  scenarios?: Scenario[];
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const root = mkdtempSync(join(tmpdir(), 'cfa-e2e-'));
  const standin = await startMessagesStandIn({
    scenarios: [...loadScenarios(SCENARIOS_DIR), ...(options.scenarios ?? [])],
    refusedKeys: options.refusedKeys,
  });
  const claudeDir = options.claude === 'fake' ? FAKE_CLAUDE : realClaudeDir(root, standin.url);
  const fly = await startFlyEmulator({ claudeDir, agentUser: '', workDir: join(root, 'machines'), ...options.emulator });
  const github = await startGitHubFake({});
  const gitBase = join(root, 'git');
  mkdirSync(gitBase, { recursive: true });
  const { main } = makeRepo(gitBase, 'octo', 'app');
  addGreeting(gitBase, 'octo', 'app', root);
  const repo = { owner: 'octo', name: 'app', main: git(join(gitBase, 'octo', 'app.git'), ['rev-parse', 'main']) || main };
  return {
    root,
    fly,
    standin,
    github,
    serverUrl: `file://${gitBase}`,
    repo,
    async close() {
      await Promise.allSettled([fly.close(), standin.close(), github.close()]);
      rmSync(root, { recursive: true, force: true });
      removeTempDirs();
    },
  };
}

/**
 * Gives the world's stand-in extra scenarios: a new stand-in with the shared
 * and these, and the machine's `claude` wrapper pointed at it.
 */
export async function addScenarios(world: World, scenarios: object[]): Promise<void> {
  const standin = await startMessagesStandIn({ scenarios: [...loadScenarios(SCENARIOS_DIR), ...parseScenarioFile(JSON.stringify(scenarios), 'inline')] });
  const wrapper = join(world.root, 'claude-bin', 'claude');
  writeFileSync(wrapper, readFileSync(wrapper, 'utf8').replaceAll(world.standin.url, standin.url));
  await world.standin.close();
  world.standin = standin;
}

/** A `claude` on the machine's PATH that is the real pinned CLI, isolated and pointed at the stand-in. */
function realClaudeDir(root: string, baseUrl: string): string {
  const dir = join(root, 'claude-bin');
  // The machine runs Claude as the current user here: as root, the CLI needs IS_SANDBOX for bypassPermissions.
  writeClaudeWrapper({ dir, baseUrl, home: join(root, 'claude-home'), sandbox: process.getuid?.() === 0 });
  return dir;
}

/** The scenarios edit greet.js: give the repository one. */
function addGreeting(gitBase: string, owner: string, name: string, root: string): void {
  const work = join(root, 'greet-work');
  git(root, ['clone', '-q', join(gitBase, owner, `${name}.git`), work]);
  writeFileSync(join(work, 'greet.js'), "// Prints a greeting.\nconsole.log('Helo, world');\n");
  git(work, ['add', 'greet.js']);
  git(work, ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'greeting']);
  git(work, ['push', '-q', 'origin', 'HEAD:main']);
}

export interface RunOptions extends Partial<ActionOptions> {
  prompt?: string;
  event?: { name: string; payload: object };
}

/** Runs dist/main then dist/post through the runner harness against the world. */
export async function runBundledAction(world: World, options: RunOptions = {}): Promise<ActionResult> {
  const { prompt, inputs, env, github, ...rest } = options;
  // E2E_DIST points at another build of the entry points (a private `ncc build` output), else dist/.
  const dist = process.env.E2E_DIST;
  return runAction({
    defaults: PROJECT_ACTION_YML,
    ...(dist ? { entry: join(dist, 'main', 'index.js'), postEntry: join(dist, 'post', 'index.js') } : {}),
    expressions: { 'github.token': TOKENS.github, 'strategy.job-index': '0' },
    secrets: [TOKENS.anthropic, world.fly.token, TOKENS.github],
    event: { name: 'push', payload: {} },
    timeoutMs: 120_000,
    // Kept (under the world's root) so tests can read the transcript file afterwards.
    workDir: mkdtempSync(join(world.root, 'job-')),
    ...rest,
    inputs: {
      prompt: prompt ?? 'Fix the greeting typo in greet.js',
      'anthropic-api-key': TOKENS.anthropic,
      'fly-api-token': world.fly.token,
      'fly-app': 'cfa-test-app',
      'fly-api-url': world.fly.url,
      image: 'registry.example/claude-fly-action:test',
      'idle-timeout-minutes': '1',
      'timeout-minutes': '3',
      'anthropic-base-url': world.standin.url,
      ...inputs,
    },
    env,
    github: {
      repository: `${world.repo.owner}/${world.repo.name}`,
      sha: world.repo.main,
      serverUrl: world.serverUrl,
      apiUrl: world.github.url,
      runId: 4242,
      runAttempt: 1,
      job: 'claude',
      workflow: 'Claude',
      actor: 'octocat',
      ...github,
    },
  });
}

/** A pull_request event's payload as the runner writes it: PR `number` of octo/app, its head `sha` (from `headRepo`, a fork when not octo/app). */
export function prPayload(number: number, sha: string, headRepo = 'octo/app') {
  return {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      head: { sha, ref: `feature-${number}`, repo: { full_name: headRepo } },
      base: { sha, ref: 'main', repo: { full_name: 'octo/app' } },
    },
  };
}
