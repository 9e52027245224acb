// The report phase: the outcome from everything the run saw (the stream's end,
// the machine's own account of its end, a failure, a cancel, a stop), the
// log's last line, the transcript closed, the final comment within what the
// runner leaves a cancelled step, and the step's result.
import { STATE } from '../action-state.ts';
import { machineRunningMs } from '../fly/exit.ts';
import { failureAnnotation, SKIPPED_ANNOTATION } from '../report/annotations.ts';
import type { MachineInfo, RunReport } from '../report/report-input.ts';
import { decideOutcome, type Outcome } from '../stream/outcome.ts';
import type { MachineEnd } from './end-machine.ts';
import type { RunContext } from './run-context.ts';
import type { StreamEnd } from './stream-output.ts';
import { callBudget, withinBudget } from './wrap-up.ts';

export interface RunResult {
  report: RunReport | undefined;
  /** The run was refused (actor check): a notice, not a failure. */
  skipped: boolean;
  failed: boolean;
  /** One line for setFailed when failed: fixed words (see annotations.ts). */
  failureMessage: string | undefined;
}

/** What the run went through before the report. */
export interface RunEnded {
  /** How the stream ended; undefined when the run never got to read the machine. */
  stream?: StreamEnd;
  /** What stopped the run before or while reading (an error's message); never set for a cancel. */
  failure?: string;
  /** The destroy phase's account; undefined when no machine was created. */
  machine?: MachineEnd;
}

/** Longest wait for the final comment (GitHub's rate limit may hold it; post finishes it then). */
const COMMENT_FINAL_MS = 60_000;

/** A refused run: who and why go to the log, a notice with fixed words, and nothing started. */
export async function skipRun(ctx: RunContext, notice: string): Promise<RunResult> {
  ctx.deps.state.save(STATE.skipped, 'true');
  ctx.log.text(notice);
  ctx.log.notice(SKIPPED_ANNOTATION);
  await ctx.transcript.close();
  return { report: undefined, skipped: true, failed: false, failureMessage: undefined };
}

export async function reportRun(ctx: RunContext, ended: RunEnded): Promise<RunResult> {
  const { stream, machine } = ended;
  const endedAt = ctx.deps.now();
  let exitCode = stream?.exitCode ?? null;
  // The exit event's code stands in only when the machine's own answer was never read.
  if (exitCode === null && (stream?.machineGone || ended.failure) && machine?.exitCode !== undefined) exitCode = machine.exitCode;
  const outcome = decideOutcome({
    snapshot: ctx.pipeline.state.snapshot(),
    exitCode,
    endReason: stream?.endReason ?? null,
    setupError: ended.failure ?? stream?.setupError ?? null,
    oomKilled: machine?.oomKilled ?? false,
    cancelled: ctx.stop.cancelled,
    stoppedFor: ctx.stop.reason ?? null,
    credentialInput: ctx.settings.anthropic.input,
  });
  if (outcome.conclusion === 'no-result' && stream?.claudeEndNote) outcome.reason = `${outcome.reason}: ${stream.claudeEndNote}`;
  ctx.pipeline.finish(outcome);
  await ctx.transcript.close();
  const report = runReport(ctx, outcome, endedAt);
  const budget = callBudget({ cancel: ctx.stop.cancel, cancelEndBy: () => ctx.cancelEndBy(), normalMs: COMMENT_FINAL_MS });
  await withinBudget(budget, ctx.comment.final(report));
  report.commentUrl = ctx.comment.url;
  const failed = outcome.conclusion !== 'success';
  return { report, skipped: false, failed, failureMessage: failed ? failureAnnotation(outcome) : undefined };
}

/** The end-of-run report's input, from the run so far (`endedAt` once it is over). */
export function runReport(ctx: RunContext, outcome: Outcome, endedAt?: number): RunReport {
  const { record, event } = ctx;
  return {
    snapshot: ctx.pipeline.state.snapshot(),
    outcome,
    redactor: ctx.redactor,
    startedAt: ctx.startedAt,
    ...(endedAt !== undefined ? { endedAt, durationMs: endedAt - ctx.startedAt } : {}),
    machine: machineInfo(ctx, ctx.deps.now()),
    runUrl: event.runUrl,
    summaryUrl: event.runUrl,
    transcriptFile: ctx.deps.transcriptPath,
    commentUrl: ctx.comment.url,
    clones: record.clones.map((c) => ({
      repo: c.repo,
      sha: c.sha,
      what: c.what,
      // A link to the commit, for repositories on the run's own server.
      url: !c.repo.includes('://') && /^https?:\/\//.test(event.serverUrl) ? `${event.serverUrl}/${c.repo}/commit/${c.sha}` : undefined,
    })),
  };
}

function machineInfo(ctx: RunContext, nowMs: number): MachineInfo | undefined {
  const launched = ctx.record.launched;
  if (!launched) return undefined;
  const events = ctx.record.machineEvents;
  const runningMs = events ? machineRunningMs(events, nowMs) : undefined;
  const { fly } = ctx.settings;
  return {
    id: launched.machine.id,
    region: launched.region,
    sizeName: fly.sizeName,
    cpuKind: fly.guest.cpuKind,
    cpus: fly.guest.cpus,
    memoryMb: fly.guest.memoryMb,
    ...(runningMs !== undefined ? { runningMs } : {}),
  };
}
