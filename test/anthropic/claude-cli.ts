// Running the real, pinned Claude Code CLI against the Messages API stand-in,
// isolated from the user's home, credentials and the internet.

import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function pinnedVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  const version = pkg.devDependencies?.['@anthropic-ai/claude-code'];
  if (version === undefined) throw new Error('package.json has no devDependency @anthropic-ai/claude-code');
  return version;
}

/** The Claude Code version the project pins (package.json devDependency: the single source of truth). */
export const CLAUDE_CODE_VERSION: string = pinnedVersion();

/** Path of the pinned CLI binary (node_modules/.bin/claude from the repo root, symlinks resolved). */
export function claudeBinary(): string {
  return realpathSync(join(REPO_ROOT, 'node_modules', '.bin', 'claude'));
}

/** A fake key: the stand-in accepts any; real keys must never reach tests. */
export const FAKE_API_KEY = 'sk-ant-standin-00000000000000000000';

/**
 * Environment for one CLI run: only the model endpoint (the stand-in), a fake
 * key, a throwaway HOME, and every switch that keeps the CLI off the network
 * and away from the user's own configuration.
 */
export function claudeEnv(options: { baseUrl: string; home: string; apiKey?: string }): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: options.home,
    USER: process.env.USER ?? 'root',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    // The CLI keeps per-project scratch directories under TMPDIR: keep them in the throwaway home.
    TMPDIR: join(options.home, 'tmp'),
    ANTHROPIC_BASE_URL: options.baseUrl,
    ANTHROPIC_API_KEY: options.apiKey ?? FAKE_API_KEY,
    // Config and state live under the throwaway HOME, not the user's ~/.claude.
    CLAUDE_CONFIG_DIR: join(options.home, '.claude'),
    XDG_CONFIG_HOME: join(options.home, '.config'),
    XDG_CACHE_HOME: join(options.home, '.cache'),
    XDG_DATA_HOME: join(options.home, '.local', 'share'),
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_BUG_COMMAND: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
    CLAUDE_CODE_DISABLE_TERMINAL_TITLE: '1',
    CLAUDE_CODE_IDE_SKIP_AUTO_INSTALL: '1',
    NO_COLOR: '1',
    // Nothing may go out through a proxy the host happens to have configured.
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
  // As root the CLI refuses bypassPermissions unless it believes it is sandboxed.
  if (process.getuid?.() === 0) env.IS_SANDBOX = '1';
  return env;
}

export interface ClaudeRun {
  stdout: Buffer;
  stderr: string;
  code: number | null;
  signal: string | null;
}

export interface RunClaudeOptions {
  prompt: string;
  cwd: string;
  args?: string[];
  /** Replaces claudeEnv()'s result when given (build on claudeEnv to keep the isolation). */
  env?: Record<string, string>;
  baseUrl: string;
  /** Kill the CLI (SIGTERM, then SIGKILL) after this long; default 60 s. */
  timeoutMs?: number;
  /** Give the prompt on stdin instead of as an argument. */
  promptOnStdin?: boolean;
  /** Permission mode; default bypassPermissions. null leaves the flag out. */
  permissionMode?: string | null;
}

/** Runs `claude -p --output-format stream-json --verbose --permission-mode bypassPermissions ...args`. */
export function runClaude(options: RunClaudeOptions): Promise<ClaudeRun> {
  const mode = options.permissionMode === undefined ? 'bypassPermissions' : options.permissionMode;
  const args = ['-p', '--output-format', 'stream-json', '--verbose'];
  if (mode !== null) args.push('--permission-mode', mode);
  args.push(...(options.args ?? []));
  if (!options.promptOnStdin) args.push('--', options.prompt);
  // Without an env of the caller's, a throwaway HOME that lives as long as the run.
  const ownHome = options.env === undefined ? mkdtempSync(join(tmpdir(), 'claude-home-')) : undefined;
  const env = options.env ?? claudeEnv({ baseUrl: options.baseUrl, home: ownHome ?? '' });
  if (env.TMPDIR) mkdirSync(env.TMPDIR, { recursive: true });
  const cleanup = (): void => {
    if (ownHome !== undefined) rmSync(ownHome, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const child = spawn(claudeBinary(), args, { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {});
    child.stdin.end(options.promptOnStdin ? options.prompt : undefined);
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      killer = setTimeout(() => child.kill('SIGKILL'), 3000);
    }, options.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      cleanup();
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killer) clearTimeout(killer);
      cleanup();
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code, signal });
    });
  });
}

/** Parses stream-json stdout into objects; lines that are not JSON come back as {type: "non-json", text}. */
export function parseLines(stdout: Buffer | string): Record<string, unknown>[] {
  return stdout
    .toString()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return { type: 'non-json', text: l };
      }
    });
}

/**
 * Writes an executable `claude` into `dir` that runs the pinned CLI isolated
 * and pointed at `baseUrl`, for places that start `claude` by name with an
 * environment of their own (the image's entrypoint). The API key and PATH are
 * left to the caller's environment; IS_SANDBOX only when `sandbox` is true.
 * `binary` replaces the pinned CLI's path (a copy another user can reach).
 */
export function writeClaudeWrapper(options: { dir: string; baseUrl: string; home: string; sandbox: boolean; binary?: string }): string {
  mkdirSync(options.dir, { recursive: true });
  mkdirSync(options.home, { recursive: true });
  const env = claudeEnv({ baseUrl: options.baseUrl, home: options.home });
  delete env.ANTHROPIC_API_KEY;
  delete env.PATH;
  delete env.USER;
  if (options.sandbox) env.IS_SANDBOX = '1';
  else delete env.IS_SANDBOX;
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const exports = Object.entries(env)
    .map(([k, v]) => `export ${k}=${quote(v)}`)
    .join('\n');
  const wrapper = join(options.dir, 'claude');
  writeFileSync(wrapper, `#!/usr/bin/env bash\n${exports}\nmkdir -p "$TMPDIR"\nexec ${quote(options.binary ?? claudeBinary())} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}
