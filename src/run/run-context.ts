// What every phase of a run shares: the outside world (RunDeps), the log and
// run state (the pipeline), the transcript, the one stop signal, the live
// comment, and the record each phase writes its result into once, so the
// report can tell what happened however far the run got.
import type { StateStore } from '../action-state.ts';
import type { FlyClient } from '../fly/client.ts';
import type { Machine } from '../fly/types.ts';
import type { GitHubApi } from '../github/api.ts';
import type { EventInfo } from '../github/event.ts';
import type { RemoteRefsReader } from '../github/remote-refs.ts';
import { Redactor } from '../redact.ts';
import type { LogWriter } from '../report/log-writer.ts';
import { Pipeline } from '../report/pipeline.ts';
import type { Settings } from '../settings.ts';
import type { RunChange } from '../stream/types.ts';
import type { CloneTarget } from './checks.ts';
import type { LaunchedMachine } from './launch-machine.ts';
import { LiveCommentSink } from './live-comment.ts';
import { RunStop } from './run-stop.ts';
import { TranscriptFile } from './transcript-file.ts';

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

/** Each phase's result, written once by that phase: what the report needs even when a later phase failed. */
export interface RunRecord {
  clones: CloneTarget[];
  /** Known from the create answer on, even when the start is then cancelled or fails: what destroy must destroy. */
  createdId?: string;
  launched?: LaunchedMachine;
  machineEvents?: Machine['events'];
}

export interface RunContext {
  readonly deps: RunDeps;
  readonly settings: Settings;
  readonly event: EventInfo;
  readonly startedAt: number;
  readonly redactor: Redactor;
  readonly pipeline: Pipeline;
  readonly log: LogWriter;
  readonly transcript: TranscriptFile;
  readonly stop: RunStop;
  readonly comment: LiveCommentSink;
  readonly record: RunRecord;
  note(line: string): void;
  cancelEndBy(): number | undefined;
}

const FAIL_FAST_ERRORS = new Set(['authentication_failed', 'billing_error']);

export function openRun(deps: RunDeps): RunContext {
  const { settings } = deps;
  const redactor = new Redactor(settings.secrets);
  const transcript = new TranscriptFile(deps.transcriptPath);
  const stop = new RunStop(deps.cancel);
  const comment = new LiveCommentSink();
  const pipeline = new Pipeline({
    write: deps.write,
    redactor,
    toolOutput: settings.toolOutput,
    now: deps.now,
    onTranscriptLine: (line, ending) => transcript.write(line, ending),
    onChange: (change: RunChange) => {
      comment.changed();
      // An authentication or billing refusal would only be retried for minutes: stop at the first.
      if (change.type === 'retry' && settings.failFastOnAuth && FAIL_FAST_ERRORS.has(change.retry.error)) stop.request('auth');
    },
  });
  const log = pipeline.writer;
  return {
    deps,
    settings,
    event: deps.event,
    startedAt: deps.now(),
    redactor,
    pipeline,
    log,
    transcript,
    stop,
    comment,
    record: { clones: [] },
    note: (line) => log.text(line),
    cancelEndBy: deps.cancelEndBy ?? (() => undefined),
  };
}
