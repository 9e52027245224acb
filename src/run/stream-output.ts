// The stream phase: reads the machine's channels through the image's reader
// until they are drained, the machine is gone, or the run stops. Claude's
// stdout and stderr go through the pipeline (log, run state, transcript), the
// supervisor's own lines to the log; the run's clocks tick meanwhile. Its
// result is how the machine's run ended, as far as the run saw it.
import { LineSplitter } from '../stream/lines.ts';
import { MachineReader, type ReadEnd } from '../transport/machine-reader.ts';
import { liveProgress } from './live-comment.ts';
import { runReport } from './report-run.ts';
import type { RunContext } from './run-context.ts';
import { startRunTimers } from './run-timers.ts';

export interface StreamEnd {
  /** Claude's exit code as the machine recorded it; null when it was never read. */
  exitCode: number | null;
  /** The image's end reason (exited, deadline, setup-failed, ...); null when never read. */
  endReason: string | null;
  /** The machine was gone before all its output was read. */
  machineGone: boolean;
  /** Why setup failed, when Claude never ran: the image's last `cfa: error:` line, or its end reason. */
  setupError: string | undefined;
  /** How the image says Claude ended (a crash, no output), when Claude ran. */
  claudeEndNote: string | undefined;
}

/** Image end reasons after Claude itself ran: its `cfa: error:` line tells how Claude ended, not a setup failure. */
const CLAUDE_RAN_REASONS = new Set(['exited', 'crashed', 'claude-failed', 'stopped']);

/** What the live comment shows while the run goes on. */
export function liveView(ctx: RunContext) {
  const now = ctx.deps.now();
  return {
    report: runReport(ctx, { conclusion: 'no-result', reason: 'running', exitCode: null }),
    progress: liveProgress(ctx.pipeline.state.snapshot(), now - ctx.startedAt),
  };
}

export async function streamOutput(ctx: RunContext, machineId: string): Promise<StreamEnd> {
  // The comment says "running" from the moment the machine has the task.
  ctx.comment.live(() => liveView(ctx));
  let imageError: string | undefined;
  const setupLines = new LineSplitter((line) => {
    const match = /^cfa: error: (.*)$/.exec(line);
    if (match) imageError = match[1];
    ctx.log.text(`setup │ ${line}`);
  });
  let lastOutputAt = ctx.deps.now();
  const reader = machineReader(ctx, machineId, {
    out: (data) => {
      lastOutputAt = ctx.deps.now();
      ctx.pipeline.stdout(data);
    },
    setup: (data) => setupLines.push(data),
  });
  const timers = startRunTimers({
    settings: ctx.settings,
    now: ctx.deps.now,
    startedAt: ctx.startedAt,
    lastOutputAt: () => lastOutputAt,
    toolsInFlight: () => ctx.pipeline.state.snapshot().inFlight.length,
    onStop: (why) => ctx.stop.request(why),
    onTick: () => ctx.comment.tick(() => liveView(ctx)),
    tickMs: ctx.deps.commentIntervalMs ?? 5000,
  });
  let end: ReadEnd;
  try {
    end = await reader.readUntilDrained();
  } finally {
    timers.stop();
    setupLines.end();
  }
  if (end.kind === 'gone') ctx.note('The machine is gone before all its output was read.');
  if (end.kind === 'aborted' && !ctx.stop.cancelled && ctx.stop.reason !== 'auth') {
    // Stopped for a timeout: take what is already there, quickly, before destroying.
    await reader.readOnce(0).catch(() => undefined);
    ctx.note(ctx.stop.reason === 'idle' ? 'Stopping: no output for idle-timeout-minutes.' : 'Stopping: timeout-minutes reached.');
  }
  return streamEnd(end, imageError);
}

function machineReader(ctx: RunContext, machineId: string, feed: { out: (data: Buffer) => void; setup: (data: Buffer) => void }): MachineReader {
  const { fly, settings } = ctx.deps;
  return new MachineReader({
    exec: (command, timeoutSeconds, signal) => fly.exec(settings.fly.app, machineId, { command, timeoutSeconds, idempotent: true, signal }),
    onBytes: (channel, data) => {
      if (channel === 'out') feed.out(data);
      else if (channel === 'err') ctx.pipeline.stderr(data);
      else feed.setup(data);
    },
    isMachineGone: async () => {
      const machine = await fly.getMachine(settings.fly.app, machineId);
      return ['stopped', 'destroyed', 'destroying', 'failed'].includes(machine.state ?? '');
    },
    onFailure: (error, consecutive) => {
      if (consecutive === 1 || consecutive % 5 === 0) ctx.note(`reading the machine failed (${(error as Error).message}); trying again`);
    },
    signal: ctx.stop.signal,
  });
}

/** How the machine's run ended, from the reader's end and the image's last error line. */
export function streamEnd(end: ReadEnd, imageError: string | undefined): StreamEnd {
  const drained = end.kind === 'drained';
  const exitCode = drained ? end.answer.exitCode : null;
  const endReason = drained ? end.answer.reason : null;
  const claudeRan = endReason !== null && CLAUDE_RAN_REASONS.has(endReason);
  return {
    exitCode,
    endReason,
    machineGone: end.kind === 'gone',
    // A crash or an exit without output is judged by its result (none: no-result); the line says why.
    claudeEndNote: claudeRan ? imageError : undefined,
    setupError: claudeRan ? undefined : (imageError ?? (endReason && endReason !== 'deadline' ? `the machine ended with ${endReason}` : undefined)),
  };
}
