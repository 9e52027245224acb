// The live PR comment: where it goes (event PR, workflow_run's PR found by its
// head commit, or pr-number), its sticky key, and its live progress. It is
// rendered at most once a second and only when the run changed; the
// sticky comment's own budget paces the edits GitHub sees.
import { STATE, type StateStore } from '../action-state.ts';
import type { GitHubApi } from '../github/api.ts';
import type { EventInfo } from '../github/event.ts';
import { findPullRequest } from '../github/find-pr.ts';
import { StickyComment } from '../github/sticky-comment.ts';
import { commentMarker, LIVE_RECENT_CALLS, renderComment, type LiveProgress } from '../report/comment-body.ts';
import type { RunReport } from '../report/report-input.ts';
import type { Settings } from '../settings.ts';
import type { RunSnapshot } from '../stream/types.ts';

export function commentKey(settings: Settings, event: EventInfo, jobIndex: string): string {
  return settings.commentKey ?? `${event.workflow}/${event.job}${jobIndex ? `/${jobIndex}` : ''}`;
}

/** The PR or issue to comment on, or undefined (no comment, no error). */
export async function commentTarget(settings: Settings, event: EventInfo, api: GitHubApi): Promise<number | undefined> {
  if (settings.comment === 'off') return undefined;
  if (settings.prNumber) return settings.prNumber;
  if (event.issueNumber) return event.issueNumber;
  if (event.eventName === 'workflow_run' && event.workflowRunHeadSha) {
    return findPullRequest({
      api,
      owner: event.owner,
      repo: event.repo,
      headSha: event.workflowRunHeadSha,
      headOwner: event.workflowRunHead?.owner,
      headBranch: event.workflowRunHead?.branch,
      headRepo: event.workflowRunHead?.repo,
    });
  }
  return undefined;
}

export class LiveComment {
  private readonly sticky: StickyComment;
  private readonly marker: string;
  private readonly state: StateStore;
  private lastBody = '';
  private savedId: number | undefined;

  constructor(options: {
    api: GitHubApi;
    event: EventInfo;
    issueNumber: number;
    key: string;
    state: StateStore;
    workflowToken: boolean;
    onWarning: (message: string) => void;
  }) {
    this.marker = commentMarker(options.key);
    this.state = options.state;
    this.sticky = new StickyComment({
      api: options.api,
      owner: options.event.owner,
      repo: options.event.repo,
      issueNumber: options.issueNumber,
      marker: this.marker,
      workflowToken: options.workflowToken,
      onWarning: options.onWarning,
    });
  }

  get url(): string | undefined {
    return this.sticky.url;
  }

  /** Renders and queues a live update when the body changed. */
  async live(report: RunReport, progress: LiveProgress): Promise<void> {
    await this.send(renderComment(report, { marker: this.marker, live: progress }), false);
  }

  async final(report: RunReport): Promise<void> {
    await this.send(renderComment(report, { marker: this.marker }), true);
    await this.sticky.settled();
    // Only a final body GitHub took counts: otherwise (rate limit past the wait, errors) the
    // post step must still end the comment, or it would say "working" forever.
    if (this.sticky.upToDate) this.state.save(STATE.commentFinal, 'true');
  }

  private async send(body: string, final: boolean): Promise<void> {
    if (!final && body === this.lastBody) return;
    this.lastBody = body;
    await this.sticky.update(body, { final });
    const id = this.sticky.commentId;
    if (id !== undefined && id !== this.savedId) {
      this.savedId = id;
      this.state.save(STATE.commentId, String(id));
    }
  }
}

/** Where the run's comment goes, when it has one: the PR or issue found, behind a sticky marker of this job's key. */
export async function openLiveComment(options: {
  settings: Settings;
  event: EventInfo;
  github: GitHubApi | undefined;
  state: StateStore;
  jobIndex: string;
  workflowToken: boolean;
  onWarning: (message: string) => void;
}): Promise<LiveComment | undefined> {
  const { settings, event, github } = options;
  if (!github || settings.comment === 'off') return undefined;
  const issueNumber = await commentTarget(settings, event, github).catch((err: Error) => {
    options.onWarning(`Could not find the pull request to comment on: ${err.message}`);
    return undefined;
  });
  if (!issueNumber) return undefined;
  return new LiveComment({
    api: github,
    event,
    issueNumber,
    key: commentKey(settings, event, options.jobIndex),
    state: options.state,
    workflowToken: options.workflowToken,
    onWarning: (message) => options.onWarning(`PR comment: ${message}`),
  });
}

/**
 * The live comment as the run feeds it: nothing until a comment is attached;
 * the stream's changes mark it dirty, and the timers' tick renders it only then.
 */
export class LiveCommentSink {
  #comment: LiveComment | undefined;
  #dirty = true;

  attach(comment: LiveComment | undefined): void {
    this.#comment = comment;
  }

  get url(): string | undefined {
    return this.#comment?.url;
  }

  /** The run changed: the next tick renders. */
  changed(): void {
    this.#dirty = true;
  }

  /** Renders and queues a live update now (not awaited: the sticky comment paces what GitHub sees). */
  live(render: () => { report: RunReport; progress: LiveProgress }): void {
    if (!this.#comment) return;
    this.#dirty = false;
    const { report, progress } = render();
    void this.#comment.live(report, progress);
  }

  /** On the timers' tick: renders only when the run changed since the last render. */
  tick(render: () => { report: RunReport; progress: LiveProgress }): void {
    if (this.#dirty) this.live(render);
  }

  async final(report: RunReport): Promise<void> {
    await this.#comment?.final(report);
  }
}

/** The live comment's progress line and recent calls, from the run so far. */
export function liveProgress(snap: RunSnapshot, elapsedMs: number): LiveProgress {
  return {
    elapsedMs,
    costUsd: snap.costUsd,
    current: snap.inFlight[snap.inFlight.length - 1],
    recent: snap.tools.slice(-LIVE_RECENT_CALLS),
    toolsDone: snap.tools.filter((t) => t.done).length,
    turns: snap.numTurns,
  };
}
