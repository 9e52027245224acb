// A stand-in for the GitHub Actions runner for a node action's entry points:
// runStep runs one entry (main or post) the way the runner does a node step;
// runAction runs main, then post with main's saved state, as one job.
// The pieces: runner-env.ts (directories, environment), step-process.ts (the
// process, its lines and the cancel signals), runner-log.ts (workflow commands,
// masks, the stored log), file-commands.ts (outputs, state, env, path, summary).

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { RunnerCommand } from '../oracle/runner-commands.ts';
import { loadActionManifest, inputEnvName, resolveInputs } from './action-manifest.ts';
import type { ActionManifest } from './action-manifest.ts';
import { readKeyValueFile, readPathFile, readStepSummary } from './file-commands.ts';
import { findTrackedProcesses, killTrackedProcesses } from './orphans.ts';
import { RunnerLog } from './runner-log.ts';
import type { Annotation } from './runner-log.ts';
import {
  createJobLayout,
  createStepFiles,
  githubVariables,
  hostEnvironment,
  runnerVariables,
} from './runner-env.ts';
import type { GithubContextOptions, JobLayout } from './runner-env.ts';
import { SecretMasker } from './secret-masker.ts';
import { runStepProcess } from './step-process.ts';
import type { CancelOptions, SignalSent } from './step-process.ts';

export { maskedLog } from './runner-log.ts';
export type { Annotation } from './runner-log.ts';
export type { GithubContextOptions } from './runner-env.ts';
export { SIGINT_TIMEOUT_MS, SIGTERM_TIMEOUT_MS } from './step-process.ts';
export type { CancelOptions } from './step-process.ts';

/** The project's action.yml: `runAction({ defaults: PROJECT_ACTION_YML, ... })` runs dist/main and dist/post with its defaults. */
export const PROJECT_ACTION_YML = join(import.meta.dirname, '..', '..', 'action.yml');

export interface StepOptions {
  /** Path of the JS file to run with node. */
  entry: string;
  /** The step's `with:` values, names as in action.yml. */
  inputs?: Record<string, string>;
  /** Path of action.yml (or the loaded manifest): defaults for inputs not given, like the runner. */
  defaults?: string | ActionManifest;
  /** Values of the `${{ expr }}` in defaults, keyed by the trimmed expression ('github.token'); others give ''. */
  expressions?: Record<string, string>;
  /** Extra environment (the workflow's `env:`). */
  env?: Record<string, string>;
  /** The triggering event: payload written to GITHUB_EVENT_PATH. Default: workflow_dispatch with {}. */
  event?: { name: string; payload: object };
  github?: GithubContextOptions;
  /** Saved state handed to the step as STATE_<name> (what post gets from main). */
  state?: Record<string, string>;
  /** Job directory (temp, file commands, workspace, event file). Default: a new one under the OS temp dir, removed afterwards. */
  workDir?: string;
  cancel?: CancelOptions;
  /** Step timeout (`timeout-minutes`): the cancel signal sequence, and the step fails. */
  timeoutMs?: number;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Node binary. Default: the one running the tests. */
  node?: string;
  /** Secrets the workflow uses: masked from the start, as the runner does. */
  secrets?: string[];
  /** Step debug logging (ACTIONS_STEP_DEBUG): RUNNER_DEBUG=1, `##[debug]` lines kept. */
  debug?: boolean;
  /** How long to wait for streams a child still holds after the exit (the runner: 5000). */
  streamDrainMs?: number;
  /** Host variables are inherited (minus GITHUB_*, RUNNER_*, INPUT_*, ...). Default true. */
  inheritEnv?: boolean;
}

export type Conclusion = 'success' | 'failure' | 'cancelled';

export interface StepResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** The stored step log: masked, commands executed (`##[group]`, `##[error]`, ...) as the runner writes it. */
  log: string;
  outputs: Record<string, string>;
  /** Saved state (GITHUB_STATE and `::save-state`), handed to post as STATE_<name>. */
  state: Record<string, string>;
  /** The summary as uploaded (masked line by line); '' when empty or dropped for size. */
  summary: string;
  /** The GITHUB_STEP_SUMMARY file as written. */
  summaryRaw: string;
  /** Workflow commands the runner executed, stdout and stderr lines in arrival order (the oracle's parse). */
  commands: RunnerCommand[];
  annotations: Annotation[];
  /** Environment variables and PATH entries the step set for later steps (GITHUB_ENV, GITHUB_PATH). */
  envForLaterSteps: Record<string, string>;
  pathForLaterSteps: string[];
  /** The runner marks the step failed: exit code != 0, or a command / file command failed. */
  failed: boolean;
  conclusion: Conclusion;
  cancelled: boolean;
  timedOut: boolean;
  signalsSent: SignalSent[];
  /** Processes still carrying this job's RUNNER_TRACKING_ID when the step ended. */
  leftRunning: number[];
  /** Killed at job end (runStep alone is a one-step job). */
  killedAtJobEnd: number[];
  /** The environment the process got. */
  env: Record<string, string>;
  durationMs: number;
}

/** Shared between the steps of one job. */
interface JobContext {
  layout: JobLayout;
  masker: SecretMasker;
  manifest: ActionManifest | undefined;
  env: Record<string, string>;
  path: string[];
}

function loadManifest(defaults: StepOptions['defaults']): ActionManifest | undefined {
  if (defaults === undefined) return undefined;
  return typeof defaults === 'string' ? loadActionManifest(defaults) : defaults;
}

function createJob(options: StepOptions): { job: JobContext; cleanup: () => void } {
  const owned = options.workDir === undefined;
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'harness-job-'));
  const layout = createJobLayout(resolve(workDir), options.github ?? {});
  const event = options.event ?? { name: 'workflow_dispatch', payload: {} };
  writeFileSync(layout.eventPath, JSON.stringify(event.payload, null, 2));
  const job: JobContext = {
    layout,
    masker: new SecretMasker(options.secrets ?? []),
    manifest: loadManifest(options.defaults),
    env: {},
    path: [],
  };
  return { job, cleanup: () => owned && rmSync(workDir, { recursive: true, force: true }) };
}

function applyPairs(target: Record<string, string>, pairs: [string, string][]): void {
  for (const [k, v] of pairs) target[k] = v;
}

async function runJobStep(job: JobContext, options: StepOptions): Promise<StepResult> {
  const entry = resolve(options.entry);
  if (!existsSync(entry)) throw new Error(`entry not found: ${entry}`);
  const files = createStepFiles(job.layout);
  const event = options.event ?? { name: 'workflow_dispatch', payload: {} };
  const log = new RunnerLog({
    masker: job.masker,
    debug: options.debug ?? false,
    allowUnsecureCommands: (options.env?.ACTIONS_ALLOW_UNSECURE_COMMANDS ?? '').toLowerCase() === 'true',
  });

  const { inputs, unexpected } = resolveInputs(job.manifest, options.inputs ?? {}, options.expressions);
  if (unexpected.length > 0 && job.manifest) {
    log.addIssue(
      'warning',
      `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${job.manifest.inputs.map((i) => i.name).join("', '")}']`,
    );
  }

  // Order as in ActionRunner + NodeScriptActionHandler: env context, STATE_, INPUT_, github/runner context.
  const env: Record<string, string> = options.inheritEnv === false ? {} : hostEnvironment();
  Object.assign(env, job.env, options.env ?? {});
  for (const [k, v] of Object.entries(options.state ?? {})) env[`STATE_${k}`] = v;
  for (const [k, v] of Object.entries(inputs)) env[inputEnvName(k)] = v;
  if (job.path.length > 0) env.PATH = [...job.path].reverse().join(delimiter) + delimiter + (env.PATH ?? '');
  Object.assign(env, githubVariables(options.github ?? {}, job.layout, files, event as { name: string; payload: Record<string, unknown> }));
  if (job.manifest) env.GITHUB_ACTION_PATH = job.manifest.dir;
  Object.assign(env, runnerVariables(job.layout, options.debug ?? false));
  delete env.NODE_ICU_DATA;
  env.GITHUB_ACTIONS = 'true';
  if (env.CI === undefined) env.CI = 'true';

  const proc = await runStepProcess({
    node: options.node ?? process.execPath,
    entry,
    cwd: job.layout.workspace,
    env,
    ...(options.cancel && { cancel: options.cancel }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.streamDrainMs !== undefined && { streamDrainMs: options.streamDrainMs }),
    onChunk: (stream, chunk) => (stream === 'stdout' ? options.onStdout : options.onStderr)?.(chunk),
    onLine: (_stream, line) => log.processLine(line),
  });

  // ProcessFiles, in the runner's extension order: path, env, summary, state, output.
  let fileCommandFailed = false;
  const fileError = (name: string, message: string): void => {
    fileCommandFailed = true;
    log.addIssue('error', `Unable to process file command '${name}' successfully.`);
    log.addIssue('error', message);
  };
  const pathForLaterSteps = [...log.path, ...readPathFile(files.path)];
  const envForLaterSteps: Record<string, string> = { ...log.env };
  const envFile = readKeyValueFile(files.env);
  for (const [k, v] of envFile.pairs) {
    if (k.toUpperCase() === 'NODE_OPTIONS') log.addIssue('error', "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.");
    else envForLaterSteps[k] = v;
  }
  if (envFile.error) fileError('env', envFile.error);
  const summary = readStepSummary(files.summary, job.masker);
  if (summary.error) log.addIssue('error', summary.error);
  const state: Record<string, string> = { ...log.state };
  const stateFile = readKeyValueFile(files.state);
  applyPairs(state, stateFile.pairs);
  if (stateFile.error) fileError('state', stateFile.error);
  const outputs: Record<string, string> = { ...log.outputs };
  const outputFile = readKeyValueFile(files.output);
  applyPairs(outputs, outputFile.pairs);
  if (outputFile.error) fileError('output', outputFile.error);

  if (proc.timedOut) log.addIssue('error', 'The action has timed out.');
  const failed = proc.exitCode !== 0 || log.commandFailed || fileCommandFailed;
  const conclusion: Conclusion = proc.cancelled ? 'cancelled' : failed || proc.timedOut ? 'failure' : 'success';

  job.env = { ...job.env, ...envForLaterSteps };
  job.path = [...job.path, ...pathForLaterSteps];

  return {
    exitCode: proc.exitCode,
    signal: proc.signal,
    stdout: proc.stdout,
    stderr: proc.stderr,
    log: log.text,
    outputs,
    state,
    summary: summary.text,
    summaryRaw: summary.raw,
    commands: log.commands,
    annotations: log.annotations,
    envForLaterSteps,
    pathForLaterSteps,
    failed,
    conclusion,
    cancelled: proc.cancelled,
    timedOut: proc.timedOut,
    signalsSent: proc.signalsSent,
    leftRunning: findTrackedProcesses(job.layout.trackingId),
    killedAtJobEnd: [],
    env,
    durationMs: proc.durationMs,
  };
}

/** Runs one entry point as a one-step job; processes it leaves behind are killed at the end, as at job end. */
export async function runStep(options: StepOptions): Promise<StepResult> {
  const { job, cleanup } = createJob(options);
  try {
    const result = await runJobStep(job, options);
    result.killedAtJobEnd = killTrackedProcesses(job.layout.trackingId);
    return result;
  } finally {
    cleanup();
  }
}

export interface ActionOptions extends Omit<StepOptions, 'entry' | 'state'> {
  /** Main entry; default: runs.main of the action.yml given as `defaults`. */
  entry?: string;
  /** Post entry; default: runs.post of that action.yml. */
  postEntry?: string;
  /** Run main only (no post step). */
  mainOnly?: boolean;
  /** Options that differ for the post step (e.g. its own cancel or timeout). */
  post?: Partial<Pick<StepOptions, 'cancel' | 'timeoutMs' | 'onStdout' | 'onStderr' | 'env'>>;
}

export interface ActionResult {
  main: StepResult;
  /** null with mainOnly, or when post-if says no. */
  post: StepResult | null;
}

/** post-if conditions of the simple status-function forms; the default is always(). */
function postShouldRun(condition: string | undefined, main: StepResult): boolean {
  const c = (condition ?? 'always()').replace(/^\$\{\{([\s\S]*)\}\}$/, '$1').trim();
  switch (c) {
    case 'always()':
      return true;
    case 'success()':
      return main.conclusion === 'success';
    case 'failure()':
      return main.conclusion === 'failure';
    case 'cancelled()':
      return main.conclusion === 'cancelled';
    case '!cancelled()':
      return main.conclusion !== 'cancelled';
    default:
      throw new Error(`post-if not modelled by the harness: ${condition}`);
  }
}

function entryFromManifest(manifest: ActionManifest | undefined, which: 'main' | 'post'): string | undefined {
  const rel = manifest?.runs[which];
  if (rel === undefined || manifest === undefined) return undefined;
  return isAbsolute(rel) ? rel : join(manifest.dir, rel);
}

/**
 * Runs main, then (unless mainOnly) post in the same job: post gets the same
 * inputs, main's saved state as STATE_<name>, main's GITHUB_ENV / GITHUB_PATH
 * additions and the masks main registered. Post runs after a failed or
 * cancelled main (post-if: always()). Leftover processes are killed after post.
 */
export async function runAction(options: ActionOptions): Promise<ActionResult> {
  const { job, cleanup } = createJob({ ...options, entry: options.entry ?? '' });
  try {
    const mainEntry = options.entry ?? entryFromManifest(job.manifest, 'main');
    if (!mainEntry) throw new Error('runAction: no entry and no action.yml (defaults) with runs.main');
    const main = await runJobStep(job, { ...options, entry: mainEntry });
    let post: StepResult | null = null;
    const postEntry = options.postEntry ?? entryFromManifest(job.manifest, 'post');
    if (!options.mainOnly && postEntry && postShouldRun(job.manifest?.runs.postIf, main)) {
      const { cancel: _c, timeoutMs: _t, ...shared } = options;
      post = await runJobStep(job, {
        ...shared,
        ...options.post,
        env: { ...options.env, ...options.post?.env },
        entry: postEntry,
        state: main.state,
      });
    }
    const killed = killTrackedProcesses(job.layout.trackingId);
    (post ?? main).killedAtJobEnd = killed;
    return { main, post };
  } finally {
    cleanup();
  }
}
