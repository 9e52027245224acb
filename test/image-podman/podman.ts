// The podman command line of the image tests: Debian's podman with runc, its
// storage under a cache directory of its own (nothing system-wide changes), the
// ulimits this kernel allows, and the host's network, so that a container reaches
// the stand-ins on 127.0.0.1. Facts behind each flag: shared/reference/image-build.md.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Where the base rootfs, the npm tarball and podman's storage are kept between runs. */
export const CACHE_DIR = process.env.CFA_IMAGE_CACHE || '/var/tmp/cfa-image-cache';

/** The Debian packages the podman build and tests need. */
export const HOST_PACKAGES = ['podman', 'runc', 'catatonit', 'mmdebstrap', 'golang-github-containers-common'];

/**
 * Global flags for every podman call. crun (podman's default where installed)
 * refuses this kernel's hybrid cgroup layout, so runc; storage, run state and
 * libpod's temporary files all live under the cache directory.
 */
export function podmanGlobalArgs(cacheDir = CACHE_DIR): string[] {
  return [
    '--root', join(cacheDir, 'storage'),
    '--runroot', join(cacheDir, 'run'),
    '--tmpdir', join(cacheDir, 'libpod-tmp'),
    '--storage-driver', 'overlay',
    '--runtime', 'runc',
    '--cgroup-manager', 'cgroupfs',
    '--events-backend', 'file',
  ];
}

let limits: string[] | undefined;

/**
 * --ulimit flags for build and run: podman's defaults ask for more than this
 * kernel lets a process set ("setrlimit RLIMIT_NOFILE: Operation not permitted"),
 * so they are the hard limits this process has (nproc at most 32768).
 */
export function ulimitArgs(): string[] {
  if (limits) return limits;
  const shown = spawnSync('bash', ['-c', 'ulimit -Hn; ulimit -Hu'], { encoding: 'utf8' });
  const [nofile, nproc] = shown.stdout.trim().split('\n');
  const n = nofile === 'unlimited' ? 1_048_576 : Number(nofile);
  const u = nproc === 'unlimited' ? 32_768 : Math.min(Number(nproc), 32_768);
  if (!(n > 0 && u > 0)) throw new Error(`cannot read the hard ulimits: ${shown.stdout}${shown.stderr}`);
  limits = ['--ulimit', `nofile=${n}:${n}`, '--ulimit', `nproc=${u}:${u}`];
  return limits;
}

export interface PodmanResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface PodmanOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  /** Called with each chunk of stderr (e.g. to show a build's progress). */
  onStderr?: (chunk: string) => void;
  onStdout?: (chunk: string) => void;
}

/** Runs `podman <global flags> ARGS` to its end. */
export function podman(args: readonly string[], options: PodmanOptions = {}): Promise<PodmanResult> {
  return runCommand('podman', [...podmanGlobalArgs(), ...args], options);
}

/** Like podman(), but a non-zero exit is an error that carries the command's stderr. */
export async function podmanOk(args: readonly string[], options: PodmanOptions = {}): Promise<string> {
  const result = await podman(args, options);
  if (result.code !== 0) {
    throw new Error(`podman ${args.slice(0, 3).join(' ')} … failed (${result.code ?? result.signal}): ${result.stderr.trim().slice(-4000)}`);
  }
  return result.stdout;
}

/** Runs a command to its end, collecting its output; killed (SIGKILL) after timeoutMs. */
export function runCommand(file: string, args: readonly string[], options: PodmanOptions & { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<PodmanResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      options.onStdout?.(b.toString('utf8'));
    });
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      options.onStderr?.(b.toString('utf8'));
    });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Which of the commands the podman build and tests need are missing, as a message; undefined when none is. */
export function missingHostTools(): string | undefined {
  const missing = ['podman', 'runc', 'catatonit', 'mmdebstrap'].filter(
    (tool) => spawnSync('bash', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length === 0) return undefined;
  return `missing ${missing.join(', ')}: install the Debian packages ${HOST_PACKAGES.join(' ')} (.ci/run does)`;
}
