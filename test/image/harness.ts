// Runs the REAL image scripts (image/bin/*) on this host: every path derives from
// CFA_ROOT, set to a fresh temporary directory per test.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const binDir = path.join(repoRoot, 'image', 'bin');
export const fakeClaude = path.join(repoRoot, 'test', 'image', 'fake-claude', 'claude');
const tmpBase = '/tmp/image';

export type ChannelName = 'setup' | 'out' | 'err';
export const channelNames: readonly ChannelName[] = ['setup', 'out', 'err'];

export interface ChannelAnswer {
  offset: number;
  next: number;
  size: number;
  data: string;
}

export interface ReadAnswer {
  v: number;
  state: string;
  reason: string | null;
  exit_code: number | null;
  channels: Record<ChannelName, ChannelAnswer>;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const made: string[] = [];

/** A fresh directory (mode 0755, so a test user can traverse it). */
export function tempDir(label: string): string {
  mkdirSync(tmpBase, { recursive: true, mode: 0o755 });
  chmodSync(tmpBase, 0o755);
  const dir = mkdtempSync(path.join(tmpBase, `${label}-`));
  chmodSync(dir, 0o755);
  made.push(dir);
  return dir;
}

/**
 * What a test user runs, staged where that user can reach it: `file` (symlinks
 * resolved) as a hard link, or a copy across file systems, in a fresh 0755
 * directory. The checkout's own directories may be closed to other users (a
 * clone under `mktemp -d`, which makes 0700 directories): there the user could
 * not run the original, and the entrypoint would record exit 126.
 */
export function stageExecutable(file: string): string {
  const source = realpathSync(file);
  const target = path.join(tempDir('bin'), path.basename(file));
  try {
    linkSync(source, target);
  } catch {
    copyFileSync(source, target);
    chmodSync(target, 0o755);
  }
  return target;
}

/** Fails, naming the directory in the way, unless the user uid:gid can run `file`. */
export function assertRunnableBy(ids: { uid: number; gid: number }, file: string): void {
  const can = (test: string, target: string) =>
    spawnSync('setpriv', [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--clear-groups', 'test', test, target]).status === 0;
  if (can('-x', file)) return;
  let dir = '/';
  for (const part of path.dirname(file).split('/').filter(Boolean)) {
    dir = path.join(dir, part);
    if (!can('-x', dir)) {
      const mode = (statSync(dir).mode & 0o777).toString(8).padStart(4, '0');
      throw new Error(`uid ${ids.uid} cannot enter ${dir} (mode ${mode}), so it cannot run ${file}`);
    }
  }
  throw new Error(`uid ${ids.uid} cannot run ${file}`);
}

/** Removes the directories tempDir made (call it from afterAll). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function runDir(root: string): string {
  return path.join(root, 'run', 'cfa');
}

/** Runs a command to its end, with optional stdin, collecting its output. */
export function run(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not end within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export interface Machine {
  root: string;
  pid: number;
  /** Resolves when the entrypoint has exited. */
  ended: Promise<RunResult>;
}

/** Starts cfa-entrypoint as the machine would, with short test durations. */
export function startEntrypoint(root: string, env: Record<string, string> = {}): Machine {
  const fullEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    CFA_ROOT: root,
    CFA_AGENT_USER: '',
    CFA_CLAUDE: fakeClaude,
    CFA_HANDOVER_TIMEOUT: '10',
    CFA_LINGER_SECONDS: '0.3',
    CFA_KILL_GRACE_SECONDS: '1',
    CFA_DEADLINE_GRACE_SECONDS: '0',
    CFA_DEADLINE: String(Math.floor(Date.now() / 1000) + 120),
    ...env,
  };
  const child = spawn(path.join(binDir, 'cfa-entrypoint'), [], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const ended = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
  if (child.pid === undefined) throw new Error('cfa-entrypoint did not start');
  return { root, pid: child.pid, ended };
}

export async function handover(root: string, doc: unknown): Promise<{ code: number | null; answer: unknown }> {
  const input = typeof doc === 'string' ? doc : JSON.stringify(doc);
  const result = await run(path.join(binDir, 'cfa-handover'), [], { env: { ...process.env, CFA_ROOT: root }, input });
  return { code: result.code, answer: JSON.parse(result.stdout) as unknown };
}

/** One cfa-read call; checks the answer is one line of ASCII JSON. */
export async function read(root: string, args: readonly string[] = []): Promise<ReadAnswer> {
  return readAnswer(await run(path.join(binDir, 'cfa-read'), args, { env: { ...process.env, CFA_ROOT: root } }));
}

/** What a cfa-read run printed, checked to be one line of ASCII JSON, wherever it ran. */
export function readAnswer(result: RunResult): ReadAnswer {
  if (result.code !== 0) throw new Error(`cfa-read failed (${String(result.code)}): ${result.stdout}${result.stderr}`);
  if (!/^[\x20-\x7e]*\n$/.test(result.stdout)) throw new Error(`cfa-read answer is not one ASCII line: ${result.stdout}`);
  return JSON.parse(result.stdout) as ReadAnswer;
}

/** Runs cfa-read with the given arguments in some machine (this host, a container). */
export type Reader = (args: readonly string[]) => Promise<ReadAnswer>;

export interface Drained {
  channels: Record<ChannelName, Buffer>;
  last: ReadAnswer;
  reads: number;
}

/**
 * Reads like the action does, resuming from the `next` offsets, until the run has
 * exited and every channel is drained. Checks every answer's offsets on the way.
 */
export async function drain(
  root: string | Reader,
  options: { maxBytes?: number; waitMs?: number; maxReads?: number } = {},
): Promise<Drained> {
  const reader: Reader = typeof root === 'string' ? (args) => read(root, args) : root;
  const got: Record<ChannelName, Buffer[]> = { setup: [], out: [], err: [] };
  const offsets: Record<ChannelName, number> = { setup: 0, out: 0, err: 0 };
  for (let reads = 1; reads <= (options.maxReads ?? 100_000); reads++) {
    const args = channelNames.flatMap((name) => [`--${name}`, String(offsets[name])]);
    args.push('--max-bytes', String(options.maxBytes ?? 1_048_576), '--wait-ms', String(options.waitMs ?? 200));
    const answer = await reader(args);
    for (const name of channelNames) {
      const channel = answer.channels[name];
      if (channel.offset !== offsets[name]) throw new Error(`${name}: offset ${channel.offset} != asked ${offsets[name]}`);
      const bytes = Buffer.from(channel.data, 'base64');
      if (channel.next !== channel.offset + bytes.length) throw new Error(`${name}: next does not match the data`);
      got[name].push(bytes);
      offsets[name] = channel.next;
    }
    const drained = channelNames.every((name) => answer.channels[name].next === answer.channels[name].size);
    if (answer.state === 'exited' && drained) {
      return {
        channels: { setup: Buffer.concat(got.setup), out: Buffer.concat(got.out), err: Buffer.concat(got.err) },
        last: answer,
        reads,
      };
    }
  }
  throw new Error('the run did not drain');
}

export async function waitForState(root: string | Reader, state: string, timeoutMs = 15_000): Promise<ReadAnswer> {
  const reader: Reader = typeof root === 'string' ? (args) => read(root, args) : root;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const answer = await reader(['--max-bytes', '0']);
    if (answer.state === state) return answer;
    if (Date.now() > end) throw new Error(`state stayed ${answer.state}, wanted ${state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function writePlan(dir: string, steps: readonly string[]): string {
  const file = path.join(dir, `plan-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, steps.join('\n') + '\n', { mode: 0o644 });
  return file;
}

/** Runs git quietly, as a test set-up step. */
export function git(cwd: string, args: readonly string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/**
 * A bare repository at BASE/owner/name.git with `commits` commits on main and a
 * branch `feature` two commits past it. Returns the commit ids.
 */
export function makeRepo(base: string, owner: string, name: string, commits = 3): { main: string; feature: string } {
  const work = tempDir(`work-${name}`);
  git(work, ['init', '-q']);
  for (let i = 1; i <= commits; i++) {
    writeFileSync(path.join(work, 'file.txt'), `main ${i}\n`);
    git(work, ['add', 'file.txt']);
    git(work, ['commit', '-q', '-m', `main ${i}`]);
  }
  const main = git(work, ['rev-parse', 'HEAD']);
  git(work, ['checkout', '-q', '-b', 'feature']);
  for (let i = 1; i <= 2; i++) {
    writeFileSync(path.join(work, 'feature.txt'), `feature ${i}\n`);
    git(work, ['add', 'feature.txt']);
    git(work, ['commit', '-q', '-m', `feature ${i}`]);
  }
  const feature = git(work, ['rev-parse', 'HEAD']);
  git(work, ['tag', 'v1', main]);
  git(work, ['checkout', '-q', 'main']); // the bare repo's default branch
  const bare = path.join(base, owner, `${name}.git`);
  mkdirSync(path.dirname(bare), { recursive: true, mode: 0o755 });
  git(base, ['clone', '-q', '--bare', work, bare]);
  return { main, feature };
}

export function readRunFile(root: string, name: string): string {
  return readFileSync(path.join(runDir(root), name), 'utf8');
}

export function channelFile(root: string, name: ChannelName): Buffer {
  return readFileSync(path.join(runDir(root), 'channels', name));
}

/** A handover document with the test defaults. */
export function handoverDoc(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    prompt: 'say hello',
    anthropic_api_key: 'sk-ant-test-KEY-0123456789',
    claude_args: [],
    repos: [],
    ...extra,
  };
}
