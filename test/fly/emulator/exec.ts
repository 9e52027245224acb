// The exec endpoint's work: run one argv in a machine's environment, feed it
// stdin, kill it at the timeout, and shape the answer like flaps'
// MachineExecResponse (Go omitempty: zero exit_code and empty strings absent).
import type { ProcessRegistry } from './procs.ts';
import { killGroup } from './procs.ts';
import { constants as osConstants } from 'node:os';

export interface ExecResult {
  exitCode: number;
  signal: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Split the deprecated one-string `cmd` like a shell would split words (quotes, backslashes; no expansion). */
export function splitShellWords(cmd: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < cmd.length && '"\\$`'.includes(cmd[i + 1]!)) current += cmd[++i];
      else current += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < cmd.length) {
      current += cmd[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

export function signalNumber(signal: NodeJS.Signals | null | undefined): number | undefined {
  if (!signal) return undefined;
  return osConstants.signals[signal];
}

export function runExec(
  procs: ProcessRegistry,
  tag: string,
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  stdin: string | undefined,
  timeoutMs: number,
): Promise<ExecResult> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    const child = procs.spawn(argv[0]!, argv.slice(1), env, cwd, tag);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    const finish = (result: ExecResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    child.stdout?.on('data', (b: Buffer) => stdout.push(b));
    child.stderr?.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', (err: NodeJS.ErrnoException) => {
      // The command could not be started (e.g. not found): a shell would say 127.
      finish({ exitCode: err.code === 'ENOENT' ? 127 : 126, signal: undefined, stdout: '', stderr: `exec: ${argv[0]}: ${err.message}\n`, timedOut: false });
    });
    child.stdin?.on('error', () => {
      // The command may exit without reading its stdin (EPIPE): not an error of exec.
    });
    child.stdin?.end(stdin ?? '');
    child.on('exit', (code, signal) => {
      // Wait briefly for the pipes to drain; a grandchild holding them open must not hang the answer.
      const drained = new Promise<void>((r) => child.once('close', () => r()));
      const grace = new Promise<void>((r) => setTimeout(r, 200));
      void Promise.race([drained, grace]).then(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        const signum = signalNumber(signal);
        finish({
          exitCode: code ?? (signum !== undefined ? 128 + signum : 1),
          signal: signum,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          timedOut,
        });
      });
    });
  });
}

/** The 200 body, with Go's omitempty. */
export function execAnswer(result: ExecResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (result.exitCode !== 0) out.exit_code = result.exitCode;
  if (result.signal !== undefined && result.signal !== 0) out.exit_signal = result.signal;
  if (result.stdout !== '') out.stdout = result.stdout;
  if (result.stderr !== '') out.stderr = result.stderr;
  return out;
}
