// Runs one node step process the way the runner's ProcessInvoker does
// (actions/runner@258d6c85 src/Runner.Sdk/ProcessInvoker.cs):
// - `node <entry>` in the workspace, stdin redirected and closed at once,
//   stdout and stderr read as UTF-8 lines;
// - cancellation: SIGINT to the node process alone; if it has not ended after
//   7.5 s, SIGTERM; if still not after 2.5 s more, SIGKILL. A process "has
//   ended" once it exited and both its streams closed;
// - after the exit, streams still held open (by a child) are waited for 5 s,
//   then abandoned.

import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from './line-splitter.ts';

export const SIGINT_TIMEOUT_MS = 7500;
export const SIGTERM_TIMEOUT_MS = 2500;
export const STREAM_DRAIN_MS = 5000;

export type StreamName = 'stdout' | 'stderr';

export interface SignalSent {
  signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL';
  /** Milliseconds after the process started. */
  atMs: number;
}

export interface CancelOptions {
  /** Cancel this many ms after the process started. */
  afterMs?: number;
  /** Cancel as soon as this returns true for the stdout seen so far. */
  when?: (stdoutSoFar: string) => boolean;
  /** Cancel as soon as this returns true (asked every 10 ms): triggers outside the step, e.g. a machine's state. */
  poll?: () => boolean;
  /**
   * The first signal: SIGINT (the runner's cancel, default), SIGTERM (the host
   * stopping; SIGKILL follows after the SIGTERM wait) or SIGKILL (the runner dying).
   */
  signal?: 'SIGINT' | 'SIGTERM' | 'SIGKILL';
  /** Wait after SIGINT before SIGTERM (the runner: 7500). For tests of the harness itself. */
  sigintTimeoutMs?: number;
  /** Wait after SIGTERM before SIGKILL (the runner: 2500). */
  sigtermTimeoutMs?: number;
}

export interface StepProcessOptions {
  node: string;
  entry: string;
  cwd: string;
  env: Record<string, string>;
  /** Job cancel: when, and with which signals. */
  cancel?: CancelOptions;
  /** Step timeout: the same signal sequence, reported as a timeout. */
  timeoutMs?: number;
  streamDrainMs?: number;
  onChunk?: (stream: StreamName, chunk: string) => void;
  /** Each complete line, in arrival order over both streams. */
  onLine?: (stream: StreamName, line: string) => void;
}

export interface StepProcessResult {
  pid: number;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  signalsSent: SignalSent[];
  cancelled: boolean;
  timedOut: boolean;
  /** The process exited but a stream stayed open past the drain wait. */
  streamsAbandoned: boolean;
  durationMs: number;
}

export function runStepProcess(options: StepProcessOptions): Promise<StepProcessResult> {
  const cancelOptions = options.cancel ?? {};
  const sigintMs = cancelOptions.sigintTimeoutMs ?? SIGINT_TIMEOUT_MS;
  const sigtermMs = cancelOptions.sigtermTimeoutMs ?? SIGTERM_TIMEOUT_MS;
  const drainMs = options.streamDrainMs ?? STREAM_DRAIN_MS;

  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const child = spawn(options.node, [options.entry], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.on('error', () => {});
    child.stdin.end();

    const text: Record<StreamName, string> = { stdout: '', stderr: '' };
    const open: Record<StreamName, boolean> = { stdout: true, stderr: true };
    const signalsSent: SignalSent[] = [];
    const timers: NodeJS.Timeout[] = [];
    let exit: { code: number | null; signal: string | null } | undefined;
    let cancelled = false;
    let timedOut = false;
    let streamsAbandoned = false;
    let settled = false;
    let cancelling = false;
    const endedWaiters: (() => void)[] = [];

    const ended = (): boolean => exit !== undefined && !open.stdout && !open.stderr;
    const finish = (): void => {
      if (settled || exit === undefined) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      for (const w of endedWaiters.splice(0)) w();
      resolvePromise({
        pid: child.pid ?? -1,
        exitCode: exit.code,
        signal: exit.signal,
        stdout: text.stdout,
        stderr: text.stderr,
        signalsSent,
        cancelled,
        timedOut,
        streamsAbandoned,
        durationMs: elapsed(),
      });
    };
    const check = (): void => {
      if (ended()) finish();
    };
    const waitEnded = (ms: number): Promise<boolean> =>
      new Promise((res) => {
        if (settled) return res(true);
        const t = setTimeout(() => res(false), ms);
        endedWaiters.push(() => {
          clearTimeout(t);
          res(true);
        });
      });
    const send = (signal: SignalSent['signal']): void => {
      if (settled || exit !== undefined) return;
      signalsSent.push({ signal, atMs: elapsed() });
      try {
        process.kill(child.pid!, signal);
      } catch {
        // already gone
      }
    };
    const cancel = async (reason: 'cancel' | 'timeout'): Promise<void> => {
      if (cancelling || settled) return;
      cancelling = true;
      if (reason === 'cancel') cancelled = true;
      else timedOut = true;
      const first = reason === 'cancel' ? (cancelOptions.signal ?? 'SIGINT') : 'SIGINT';
      if (first === 'SIGINT') {
        send('SIGINT');
        if (await waitEnded(sigintMs)) return;
      }
      if (first !== 'SIGKILL') {
        send('SIGTERM');
        if (await waitEnded(sigtermMs)) return;
      }
      send('SIGKILL');
    };

    for (const stream of ['stdout', 'stderr'] as const) {
      const decoder = new StringDecoder('utf8');
      const splitter = new LineSplitter();
      const handle = (chunk: string): void => {
        if (chunk === '') return;
        text[stream] += chunk;
        options.onChunk?.(stream, chunk);
        for (const line of splitter.push(chunk)) options.onLine?.(stream, line);
        if (stream === 'stdout' && cancelOptions.when && !cancelling && cancelOptions.when(text.stdout)) void cancel('cancel');
      };
      const readable = child[stream];
      readable.on('data', (buf: Buffer) => handle(decoder.write(buf)));
      readable.on('close', () => {
        if (!open[stream]) return;
        handle(decoder.end());
        for (const line of splitter.end()) options.onLine?.(stream, line);
        open[stream] = false;
        check();
      });
    }

    child.on('error', (error) => {
      if (!settled) {
        settled = true;
        for (const t of timers) clearTimeout(t);
        reject(error);
      }
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      if (ended()) return finish();
      timers.push(
        setTimeout(() => {
          streamsAbandoned = open.stdout || open.stderr;
          for (const stream of ['stdout', 'stderr'] as const) {
            if (open[stream]) {
              open[stream] = false;
              child[stream].destroy();
            }
          }
          finish();
        }, drainMs),
      );
    });

    if (cancelOptions.afterMs !== undefined) timers.push(setTimeout(() => void cancel('cancel'), cancelOptions.afterMs));
    if (cancelOptions.poll) {
      const poll = cancelOptions.poll;
      const timer = setInterval(() => {
        if (cancelling || settled) clearInterval(timer);
        else if (poll()) {
          clearInterval(timer);
          void cancel('cancel');
        }
      }, 10);
      timers.push(timer);
    }
    if (options.timeoutMs !== undefined) timers.push(setTimeout(() => void cancel('timeout'), options.timeoutMs));
  });
}
