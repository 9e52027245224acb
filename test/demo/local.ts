// npm run local [-- --expanded] [-- --dotenv PATH]: a REAL run from a
// laptop. The bundled action (dist/, or E2E_DIST) runs through the runner
// harness against the real Fly Machines API, the real Anthropic API and (with
// GITHUB_TOKEN) GitHub, on a push-like event, with the settings of the repo's
// .env file (see local-config.ts). It prints the workflow log as the Actions
// UI shows it (live), the job summary, the post step's log and, last,
// `machines left: N`: the machines of the app still tagged with this run's
// nonce, listed with the action's own Fly client. Exit 0 when the run
// succeeded and none is left, 2 when the .env is missing or incomplete
// (nothing contacted), else 1.
import { randomInt } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { STATE } from '../../src/action-state.ts';
import { FlyClient } from '../../src/fly/client.ts';
import { METADATA_KEYS } from '../../src/fly/machine-config.ts';
import { renderStepLogAsUi } from '../harness/log-view.ts';
import { PROJECT_ACTION_YML, runAction } from '../harness/runner.ts';
import { guardInterrupts } from './interrupt.ts';
import { LiveLogView } from './live-log.ts';
import { checkLocalConfig, configHelp, firstRepository, parseDotEnv, type LocalConfig } from './local-config.ts';
import { heading, machinesLeftLine, section, sectionTitle } from './print.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const TIMEOUT_MINUTES = 15;

const USAGE = `Usage: npm run local [-- --expanded] [-- --dotenv PATH]

A real run: a Fly machine in FLY_APP, the Anthropic API, the bundled action (dist/ or E2E_DIST).
Settings come from .env in the repository root (KEY=VALUE lines, # comments).`;

interface Args {
  expanded: boolean;
  help: boolean;
  envFile: string;
  unknown: string[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { expanded: false, help: false, envFile: join(REPO_ROOT, '.env'), unknown: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--expanded' || arg === '-e') args.expanded = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--dotenv' && argv[i + 1] !== undefined) args.envFile = resolve(argv[++i]!);
    else if (arg.startsWith('--dotenv=')) args.envFile = resolve(arg.slice('--dotenv='.length));
    else args.unknown.push(arg);
  }
  return args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help || args.unknown.length > 0) {
    if (args.unknown.length > 0) process.stderr.write(`Unknown argument(s): ${args.unknown.join(' ')}\n`);
    process.stdout.write(`${USAGE}\n`);
    return args.help ? 0 : 2;
  }
  // Everything is checked before anything is contacted.
  if (!existsSync(args.envFile)) {
    const nothing = checkLocalConfig({});
    process.stderr.write(`${configHelp(args.envFile, nothing.ok ? [] : nothing.problems, true)}\n`);
    return 2;
  }
  const env = parseDotEnv(readFileSync(args.envFile, 'utf8'));
  for (const n of env.ignored) process.stderr.write(`${args.envFile}:${n}: not KEY=VALUE, ignored\n`);
  const check = checkLocalConfig(env.values);
  if (!check.ok) {
    process.stderr.write(`${configHelp(args.envFile, check.problems)}\n`);
    return 2;
  }
  const config = check.config;
  const dist = process.env.E2E_DIST || join(REPO_ROOT, 'dist');
  for (const entry of ['main', 'post']) {
    if (!existsSync(join(dist, entry, 'index.js'))) {
      process.stderr.write(`No bundled action at ${join(dist, entry, 'index.js')}: run \`npm run build\` or set E2E_DIST.\n`);
      return 2;
    }
  }
  return run(config, dist, args.expanded);
}

async function run(config: LocalConfig, dist: string, expanded: boolean): Promise<number> {
  const secrets = [config.flyApiToken, config.anthropic.value, ...(config.githubToken ? [config.githubToken] : [])];
  const workDir = mkdtempSync(join(tmpdir(), 'cfa-local-'));
  const cleanup = async () => rmSync(workDir, { recursive: true, force: true });
  const guard = guardInterrupts({ cleanup, note: (line) => process.stderr.write(`\n${line}\n`), graceMs: 60_000 });
  const write = (text: string) => process.stdout.write(text);
  try {
    write(
      heading('claude-fly-action: a real run', [
        `Fly app ${config.flyApp}${config.flyRegion ? ` in ${config.flyRegion}` : ''} · ${config.image ?? "the action's default image"} · ${config.anthropic.key}`,
        `repos: ${config.repos.replace(/\s*\n\s*/g, ', ')}`,
        `task: ${config.prompt.length > 200 ? `${config.prompt.slice(0, 200)}…` : config.prompt}`,
        `bundled action from ${dist} · Ctrl-C cancels (the machine gets destroyed)`,
      ]),
    );
    write(`${sectionTitle(`Workflow log: Run claude-fly-action${expanded ? '' : ' (groups collapsed; --expanded opens them)'}`)}\n`);
    const live = new LiveLogView({ secrets, expanded, write });
    const repository = firstRepository(config.repos) ?? 'local/claude-fly-action';
    const started = performance.now();
    const { main: mainStep, post } = await runAction({
      defaults: PROJECT_ACTION_YML,
      entry: join(dist, 'main', 'index.js'),
      postEntry: join(dist, 'post', 'index.js'),
      inputs: {
        prompt: config.prompt,
        repos: config.repos,
        [config.anthropic.input]: config.anthropic.value,
        'fly-api-token': config.flyApiToken,
        'fly-app': config.flyApp,
        'fly-api-url': config.flyApiUrl,
        ...(config.flyRegion ? { 'fly-region': config.flyRegion } : {}),
        ...(config.image ? { image: config.image } : {}),
        ...(config.anthropicBaseUrl ? { 'anthropic-base-url': config.anthropicBaseUrl } : {}),
        'timeout-minutes': String(TIMEOUT_MINUTES),
        comment: 'off',
      },
      expressions: { 'github.token': config.githubToken ?? '', 'strategy.job-index': '' },
      secrets,
      event: { name: 'push', payload: {} },
      github: {
        repository,
        sha: '',
        ref: 'refs/heads/main',
        runId: randomInt(1, 2 ** 31),
        runAttempt: 1,
        job: 'local',
        workflow: 'local',
        actor: safeUser(),
        serverUrl: 'https://github.com',
        apiUrl: 'https://api.github.com',
      },
      workDir,
      // The action stops itself at timeout-minutes; this is the job's own limit above it.
      timeoutMs: (TIMEOUT_MINUTES + 5) * 60_000,
      onStdout: (chunk) => live.push('stdout', chunk),
      onStderr: (chunk) => live.push('stderr', chunk),
      post: { onStdout: () => undefined, onStderr: () => undefined },
    });
    live.end();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    write('\n');
    write(section('Job summary (markdown as written)', mainStep.summaryRaw));
    write(section('Post step log: Post Run claude-fly-action', post ? renderStepLogAsUi(post.log, { expanded }) : '(the post step did not run)'));
    const left = await machinesLeft(config, mainStep.state[STATE.nonce]);
    write(`main step: ${mainStep.conclusion} (conclusion output: ${mainStep.outputs.conclusion ?? 'none'}) · post step: ${post?.conclusion ?? 'not run'} · ${seconds} s\n`);
    const transcript = keepTranscript(mainStep.outputs['transcript-file']);
    if (transcript) write(`transcript (stream-json) kept at ${transcript}\n`);
    if (left.error) write(`could not list the app's machines: ${left.error}\n`);
    write(`${machinesLeftLine(left.count ?? 'unknown')}\n`);
    const succeeded = !mainStep.failed && mainStep.outputs.conclusion === 'success' && post !== null && !post.failed;
    return succeeded && left.count === 0 && !guard.interrupted ? 0 : 1;
  } finally {
    guard.dispose();
    await cleanup();
  }
}

/** Machines of the app still tagged with this run's nonce (none were made when main saved no nonce). */
async function machinesLeft(config: LocalConfig, nonce: string | undefined): Promise<{ count?: number; error?: string }> {
  if (!nonce) return { count: 0 };
  const fly = new FlyClient({ token: config.flyApiToken, baseUrl: config.flyApiUrl });
  try {
    const tagged = await fly.listMachines(config.flyApp, { metadata: { [METADATA_KEYS.nonce]: nonce } }, { signal: AbortSignal.timeout(60_000) });
    return { count: tagged.filter((m) => m.state !== 'destroyed' && m.state !== 'destroying').length };
  } catch (err) {
    return { error: (err as Error).message };
  } finally {
    await fly.close().catch(() => undefined);
  }
}

/** The transcript lives in the job's temp dir, removed at the end: keep a copy. */
function keepTranscript(path: string | undefined): string | undefined {
  if (!path || !existsSync(path) || statSync(path).size === 0) return undefined;
  const copy = join(tmpdir(), `claude-fly-action-local-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
  copyFileSync(path, copy);
  return copy;
}

function safeUser(): string {
  try {
    return userInfo().username || 'local';
  } catch {
    return 'local';
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`local run failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
