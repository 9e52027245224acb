// The job directory layout and the environment the runner gives a node step.
//
// From actions/runner@258d6c85: GitHubContext.cs (which github.* values become
// GITHUB_* variables), ActionRunner.cs (env context, then STATE_<name> for each
// saved state), Handlers/NodeScriptActionHandler.cs (INPUT_<NAME>, then the
// GITHUB_* / RUNNER_* context variables; NODE_ICU_DATA removed),
// ProcessInvoker.cs (GITHUB_ACTIONS=true; CI=true unless already set),
// FileCommandManager.cs (a fresh empty file per file command and step).

import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GithubContextOptions {
  repository?: string;
  sha?: string;
  ref?: string;
  actor?: string;
  runId?: string | number;
  runNumber?: string | number;
  runAttempt?: string | number;
  job?: string;
  workflow?: string;
  serverUrl?: string;
  apiUrl?: string;
  graphqlUrl?: string;
  workspace?: string;
  /** GITHUB_ACTION: the step id, `__self` for a local `uses: ./` step without id. */
  action?: string;
}

export interface JobLayout {
  workDir: string;
  tempDir: string;
  fileCommandDir: string;
  workspace: string;
  eventPath: string;
  toolCache: string;
  trackingId: string;
}

export function createJobLayout(workDir: string, github: GithubContextOptions): JobLayout {
  const repoName = (github.repository ?? DEFAULT_GITHUB.repository).split('/')[1] ?? 'repo';
  const layout: JobLayout = {
    workDir,
    tempDir: join(workDir, '_temp'),
    fileCommandDir: join(workDir, '_temp', '_runner_file_commands'),
    workspace: github.workspace ?? join(workDir, 'work', repoName, repoName),
    eventPath: join(workDir, '_temp', '_github_workflow', 'event.json'),
    toolCache: join(workDir, '_tool'),
    trackingId: randomUUID(),
  };
  for (const dir of [layout.fileCommandDir, layout.workspace, join(workDir, '_temp', '_github_workflow'), layout.toolCache]) {
    mkdirSync(dir, { recursive: true });
  }
  return layout;
}

export interface StepFiles {
  output: string;
  state: string;
  env: string;
  path: string;
  summary: string;
}

/** InitializeFiles: one new empty file per file command for this step. */
export function createStepFiles(layout: JobLayout): StepFiles {
  const suffix = randomUUID();
  const files: StepFiles = {
    path: join(layout.fileCommandDir, `add_path_${suffix}`),
    env: join(layout.fileCommandDir, `set_env_${suffix}`),
    summary: join(layout.fileCommandDir, `step_summary_${suffix}`),
    state: join(layout.fileCommandDir, `save_state_${suffix}`),
    output: join(layout.fileCommandDir, `set_output_${suffix}`),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  return files;
}

export const DEFAULT_GITHUB = {
  repository: 'octo-org/octo-repo',
  sha: 'ffac537e6cbbf934b08745a378932722df287a53',
  ref: 'refs/heads/main',
  actor: 'octocat',
  runId: '1658821493',
  runNumber: '7',
  runAttempt: '1',
  job: 'agent',
  workflow: 'CI',
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  graphqlUrl: 'https://api.github.com/graphql',
  action: '__self',
} as const;

/** Host variables that would leak a surrounding runner's (or test runner's) step into ours. */
const HOST_VARIABLES_DROPPED = /^(GITHUB_|INPUT_|STATE_|RUNNER_|ACTIONS_|VITEST|NODE_OPTIONS$|NODE_ICU_DATA$|CI$)/;

export function hostEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !HOST_VARIABLES_DROPPED.test(k)) env[k] = v;
  }
  return env;
}

function refParts(ref: string): { name: string; type: string } {
  for (const [prefix, type] of [['refs/heads/', 'branch'], ['refs/tags/', 'tag']] as const) {
    if (ref.startsWith(prefix)) return { name: ref.slice(prefix.length), type };
  }
  const pull = /^refs\/pull\/(\d+)\/merge$/.exec(ref);
  if (pull) return { name: `${pull[1]}/merge`, type: 'branch' };
  return { name: ref, type: '' };
}

/** github.* context values the runner exports as GITHUB_* variables. */
export function githubVariables(
  github: GithubContextOptions,
  layout: JobLayout,
  files: StepFiles,
  event: { name: string; payload: Record<string, unknown> },
): Record<string, string> {
  const g = { ...DEFAULT_GITHUB, ...github };
  const ref = refParts(g.ref);
  const pr = event.payload.pull_request as { base?: { ref?: string }; head?: { ref?: string } } | undefined;
  return {
    GITHUB_ACTION: g.action,
    GITHUB_ACTOR: g.actor,
    GITHUB_TRIGGERING_ACTOR: g.actor,
    GITHUB_API_URL: g.apiUrl,
    GITHUB_BASE_REF: pr?.base?.ref ?? '',
    GITHUB_HEAD_REF: pr?.head?.ref ?? '',
    GITHUB_ENV: files.env,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: layout.eventPath,
    GITHUB_GRAPHQL_URL: g.graphqlUrl,
    GITHUB_JOB: g.job,
    GITHUB_OUTPUT: files.output,
    GITHUB_PATH: files.path,
    GITHUB_REF: g.ref,
    GITHUB_REF_NAME: ref.name,
    GITHUB_REF_TYPE: ref.type,
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_REPOSITORY: g.repository,
    GITHUB_REPOSITORY_OWNER: g.repository.split('/')[0] ?? '',
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_RUN_ATTEMPT: String(g.runAttempt),
    GITHUB_RUN_ID: String(g.runId),
    GITHUB_RUN_NUMBER: String(g.runNumber),
    GITHUB_SERVER_URL: g.serverUrl,
    GITHUB_SHA: g.sha,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_WORKFLOW: g.workflow,
    GITHUB_WORKFLOW_REF: `${g.repository}/.github/workflows/ci.yml@${g.ref}`,
    GITHUB_WORKFLOW_SHA: g.sha,
    GITHUB_WORKSPACE: layout.workspace,
  };
}

export function runnerVariables(layout: JobLayout, debug: boolean): Record<string, string> {
  return {
    RUNNER_ARCH: process.arch === 'arm64' ? 'ARM64' : 'X64',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_NAME: 'GitHub Actions 1',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: layout.tempDir,
    RUNNER_TOOL_CACHE: layout.toolCache,
    RUNNER_WORKSPACE: join(layout.workspace, '..'),
    RUNNER_TRACKING_ID: layout.trackingId,
    ...(debug && { RUNNER_DEBUG: '1' }),
  };
}
