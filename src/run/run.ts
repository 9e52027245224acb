// One run, start to end: checks -> launch -> handover -> live output ->
// destroy -> outcome -> report. Everything outside (Fly, GitHub, the log,
// action state, the clock, cancellation) comes in through RunDeps, so the
// whole flow runs under tests against the emulator and fakes.
import { STATE, type StateStore } from '../action-state.ts';
import { checkAnthropicCredential } from '../anthropic/credential-check.ts';
import type { FlyClient } from '../fly/client.ts';
import { machineRunningMs } from '../fly/exit.ts';
import type { Machine } from '../fly/types.ts';
import type { GitHubApi } from '../github/api.ts';
import type { EventInfo } from '../github/event.ts';
import type { RemoteRefsReader } from '../github/remote-refs.ts';
import { buildHandover } from '../machine/handover.ts';
import { Redactor } from '../redact.ts';
import { failureAnnotation, SKIPPED_ANNOTATION } from '../report/annotations.ts';
import type { MachineInfo, RunReport } from '../report/report-input.ts';
import type { Settings } from '../settings.ts';
import { decideOutcome, type Outcome } from '../stream/outcome.ts';
import { Pipeline } from '../stream/pipeline.ts';
import type { RunChange } from '../stream/types.ts';
import { LineSplitter } from '../stream/lines.ts';
import { MachineReader, type ReadEnd } from '../transport/machine-reader.ts';
import { runChecks, type CloneTarget } from './checks.ts';
import { endMachine } from './end-machine.ts';
import { handOver, launchMachine, type LaunchedMachine } from './launch-machine.ts';
import { commentKey, commentTarget, LiveComment, liveProgress } from './live-comment.ts';
import { startRunTimers, type TimerStop } from './run-timers.ts';
import { TranscriptFile } from './transcript-file.ts';
import { callBudget, withinBudget } from './wrap-up.ts';

export interface RunDeps {
  settings: Settings;
  event: EventInfo;
  fly: FlyClient;
  /** Absent when there is no GitHub token: no comment, no actor check possible. */
  github: GitHubApi | undefined;
  state: StateStore;
  /** Asks a repository's server which commit a ref is (git ls-remote). */
  remoteRefs: RemoteRefsReader;
  /** The workflow log (the runner's stdout). */
  write: (text: string) => void;
  now: () => number;
  /** Aborted on SIGINT/SIGTERM (cancel, job timeout). */
  cancel: AbortSignal;
  /** Epoch ms of the runner's SIGKILL once cancelled: the calls that end the run fit before it. */
  cancelEndBy?: () => number | undefined;
  transcriptPath: string;
  /** strategy.job-index of a matrix leg, for the comment key. */
  jobIndex: string;
  /** The workflow's own GITHUB_TOKEN is in use (for the comment identity guess). */
  workflowToken: boolean;
  /** Longest time in ms between live comment renders (the 1 s limit check renders too). */
  commentIntervalMs?: number;
}

export interface RunResult {
  report: RunReport | undefined;
  /** The run was refused (actor check): a notice, not a failure. */
  skipped: boolean;
  failed: boolean;
  /** One line for setFailed when failed. */
  failureMessage: string | undefined;
}

type StopReason = TimerStop | 'auth';

/** Longest wait for the final comment (GitHub's rate limit may hold it; post finishes it then). */
const COMMENT_FINAL_MS = 60_000;

const FAIL_FAST_ERRORS = new Set(['authentication_failed', 'billing_error']);
/** Image end reasons after Claude itself ran: its `cfa: error:` line tells how Claude ended, not a setup failure. */
const CLAUDE_RAN_REASONS = new Set(['exited', 'crashed', 'claude-failed', 'stopped']);

export async function runClaudeOnFly(deps: RunDeps): Promise<RunResult> {
  const { settings, event, fly, state, now } = deps;
  const cancelEndBy = deps.cancelEndBy ?? (() => undefined);
  const startedAt = now();
  const redactor = new Redactor(settings.secrets);
  const transcript = new TranscriptFile(deps.transcriptPath);
  let lastOutputAt = now();
  let dirty = true;
  let stopFor: StopReason | undefined;
  const stop = new AbortController();
  const onCancel = () => stop.abort();
  deps.cancel.addEventListener('abort', onCancel, { once: true });
  // Cancelled before we got here (while loading or reading settings): no listener will fire.
  if (deps.cancel.aborted) stop.abort();
  const stopIfCancelled = () => {
    if (deps.cancel.aborted) throw new Error('cancelled before the machine was created');
  };

  const pipeline = new Pipeline({
    write: deps.write,
    redactor,
    toolOutput: settings.toolOutput,
    now,
    onTranscriptLine: (line, ending) => transcript.write(line, ending),
    onChange: (change: RunChange) => {
      dirty = true;
      if (
        change.type === 'retry' &&
        settings.failFastOnAuth &&
        FAIL_FAST_ERRORS.has(change.retry.error) &&
        stopFor === undefined
      ) {
        stopFor = 'auth';
        stop.abort();
      }
    },
  });
  const log = pipeline.writer;
  const note = (line: string) => log.text(line);

  let comment: LiveComment | undefined;
  let launched: LaunchedMachine | undefined;
  let clones: CloneTarget[] = [];
  /** Known from the create answer on, even when the start is then cancelled or fails. */
  let createdId: string | undefined;
  let machineGone = false;
  let endReason: string | null = null;
  let exitCode: number | null = null;
  let oomKilled = false;
  let setupError: string | undefined;
  /** The image's last `cfa: error:` line; a setup error unless Claude had run. */
  let imageError: string | undefined;
  /** How the image says Claude ended (crash, no output), when Claude ran. */
  let claudeEndNote: string | undefined;
  let runError: string | undefined;
  let machineEvents: Machine['events'];

  const reportOf = (outcome: Outcome, endedAt?: number): RunReport => ({
    snapshot: pipeline.state.snapshot(),
    outcome,
    redactor,
    startedAt,
    ...(endedAt !== undefined ? { endedAt, durationMs: endedAt - startedAt } : {}),
    machine: launched ? machineInfo(settings, launched, machineEvents, now()) : undefined,
    runUrl: event.runUrl,
    summaryUrl: event.runUrl,
    transcriptFile: deps.transcriptPath,
    commentUrl: comment?.url,
    clones: clones.map((c) => ({ repo: c.repo, sha: c.sha, what: c.what, url: commitUrl(c, event.serverUrl) })),
  });

  const sendLiveComment = () => {
    if (!comment) return;
    dirty = false;
    const progress = liveProgress(pipeline.state.snapshot(), now() - startedAt);
    void comment.live(reportOf({ conclusion: 'no-result', reason: 'running', exitCode: null }), progress);
  };

  /** A refused run: a notice, not a failure, and nothing started. */
  const skip = async (notice: string): Promise<RunResult> => {
    state.save(STATE.skipped, 'true');
    // Who and why go to the log; the annotation's words are fixed (the event's fields are not ours).
    log.text(notice);
    log.notice(SKIPPED_ANNOTATION);
    await transcript.close();
    return { report: undefined, skipped: true, failed: false, failureMessage: undefined };
  };

  try {
    stopIfCancelled();
    // Who may start a paid run, and which commit each repository is.
    const checks = await runChecks({ settings, event, github: deps.github, remoteRefs: deps.remoteRefs });
    if (checks.kind === 'skip') return skip(checks.notice);
    for (const line of checks.notes) note(line);
    clones = checks.clones;
    for (const c of clones) note(`Cloning ${c.repo} at ${c.sha} (${c.what})`);

    // A refused key fails here, at no VM cost.
    const verdict = await checkAnthropicCredential(settings.anthropic, { baseUrl: settings.anthropicBaseUrl });
    if (verdict.status === 'refused') {
      throw new Error(`${settings.anthropic.input} was refused by the Anthropic API (${verdict.message}); no machine was started.`);
    }

    if (deps.github && settings.comment !== 'off') {
      const issueNumber = await commentTarget(settings, event, deps.github).catch((err: Error) => {
        log.warning(`Could not find the pull request to comment on: ${err.message}`);
        return undefined;
      });
      if (issueNumber) {
        comment = new LiveComment({
          api: deps.github,
          event,
          issueNumber,
          key: commentKey(settings, event, deps.jobIndex),
          state,
          workflowToken: deps.workflowToken,
          onWarning: (message) => log.warning(`PR comment: ${message}`),
        });
      }
    }

    // Launch.
    stopIfCancelled();
    note(`Starting a ${settings.fly.sizeName} (${settings.fly.guest.memoryMb} MB) machine in app ${settings.fly.app} with ${settings.fly.image}`);
    launched = await launchMachine({
      fly,
      settings,
      event,
      state,
      now,
      signal: stop.signal,
      onNote: note,
      onCreated: (machine) => (createdId = machine.id),
    });
    note(`Machine ${launched.machine.id} started in ${launched.region || 'Fly\'s choice of region'} after ${(launched.startMs / 1000).toFixed(1)} s`);
    await handOver({
      fly,
      app: settings.fly.app,
      machineId: launched.machine.id,
      handover: buildHandover(settings, event.serverUrl, clones),
      signal: stop.signal,
    });

    // Live output. The comment says "running" from the moment the machine has the task.
    const machineId = launched.machine.id;
    sendLiveComment();
    const setupLines = new LineSplitter((line) => {
      const match = /^cfa: error: (.*)$/.exec(line);
      if (match) imageError = match[1];
      log.text(`setup │ ${line}`);
    });
    const reader = new MachineReader({
      exec: (command, timeoutSeconds, signal) =>
        fly.exec(settings.fly.app, machineId, { command, timeoutSeconds, idempotent: true, signal }),
      onBytes: (channel, data) => {
        if (channel === 'out') {
          lastOutputAt = now();
          pipeline.stdout(data);
        } else if (channel === 'err') pipeline.stderr(data);
        else setupLines.push(data);
      },
      isMachineGone: async () => {
        const machine = await fly.getMachine(settings.fly.app, machineId);
        return ['stopped', 'destroyed', 'destroying', 'failed'].includes(machine.state ?? '');
      },
      onFailure: (error, consecutive) => {
        if (consecutive === 1 || consecutive % 5 === 0) note(`reading the machine failed (${(error as Error).message}); trying again`);
      },
      signal: stop.signal,
    });

    const timers = startRunTimers({
      settings,
      now,
      startedAt,
      lastOutputAt: () => lastOutputAt,
      toolsInFlight: () => pipeline.state.snapshot().inFlight.length,
      onStop: (why) => {
        if (stopFor === undefined) stopFor = why;
        stop.abort();
      },
      onTick: () => {
        if (dirty) sendLiveComment();
      },
      tickMs: deps.commentIntervalMs ?? 5000,
    });
    let end: ReadEnd;
    try {
      end = await reader.readUntilDrained();
    } finally {
      timers.stop();
      setupLines.end();
    }
    if (end.kind === 'drained') {
      exitCode = end.answer.exitCode;
      endReason = end.answer.reason;
    } else if (end.kind === 'gone') {
      machineGone = true;
      note('The machine is gone before all its output was read.');
    } else if (!deps.cancel.aborted && stopFor !== 'auth') {
      // Stopped for a timeout: take what is already there, quickly, before destroying.
      await reader.readOnce(0).catch(() => undefined);
      note(stopFor === 'idle' ? 'Stopping: no output for idle-timeout-minutes.' : 'Stopping: timeout-minutes reached.');
    }
    if (endReason && CLAUDE_RAN_REASONS.has(endReason)) {
      // Claude ran: a crash or an exit without output is judged by its result (none: no-result), the line says why.
      claudeEndNote = imageError;
    } else {
      setupError = imageError ?? (endReason && endReason !== 'deadline' ? `the machine ended with ${endReason}` : undefined);
    }
  } catch (err) {
    if (!deps.cancel.aborted) runError = (err as Error).message;
  } finally {
    deps.cancel.removeEventListener('abort', onCancel);
  }

  // Destroy, then read the machine's own account of its life (exit code, OOM, running time).
  // A machine that was created but never got going (cancelled or failed start) is destroyed here too, not left to post.
  if (createdId) {
    const end = await endMachine({
      fly,
      app: settings.fly.app,
      machineId: createdId,
      state,
      cancel: deps.cancel,
      cancelEndBy,
      onNote: note,
      onWarning: (line) => log.warning(line),
    });
    machineEvents = end.events;
    oomKilled = end.oomKilled;
    // The exit event's code stands in only when the machine's own answer was never read.
    if (exitCode === null && (machineGone || runError) && end.exitCode !== undefined) exitCode = end.exitCode;
  }

  const endedAt = now();
  const outcome = decideOutcome({
    snapshot: pipeline.state.snapshot(),
    exitCode,
    endReason,
    setupError: runError ?? setupError ?? null,
    oomKilled,
    cancelled: deps.cancel.aborted,
    stoppedFor: stopFor ?? null,
    credentialInput: settings.anthropic.input,
  });
  if (outcome.conclusion === 'no-result' && claudeEndNote) outcome.reason = `${outcome.reason}: ${claudeEndNote}`;
  pipeline.finish(outcome);
  await transcript.close();
  const report = reportOf(outcome, endedAt);
  if (comment) await withinBudget(callBudget({ cancel: deps.cancel, cancelEndBy, normalMs: COMMENT_FINAL_MS }), comment.final(report));
  report.commentUrl = comment?.url;

  const failed = outcome.conclusion !== 'success';
  return {
    report,
    skipped: false,
    failed,
    failureMessage: failed ? failureAnnotation(outcome) : undefined,
  };
}

function machineInfo(settings: Settings, launched: LaunchedMachine, events: Machine['events'], nowMs: number): MachineInfo {
  const runningMs = events ? machineRunningMs(events, nowMs) : undefined;
  return {
    id: launched.machine.id,
    region: launched.region,
    sizeName: settings.fly.sizeName,
    cpuKind: settings.fly.guest.cpuKind,
    cpus: settings.fly.guest.cpus,
    memoryMb: settings.fly.guest.memoryMb,
    ...(runningMs !== undefined ? { runningMs } : {}),
  };
}

/** A link to the cloned commit, for repositories on the run's own server. */
function commitUrl(clone: CloneTarget, serverUrl: string): string | undefined {
  return !clone.repo.includes('://') && /^https?:\/\//.test(serverUrl) ? `${serverUrl}/${clone.repo}/commit/${clone.sha}` : undefined;
}
