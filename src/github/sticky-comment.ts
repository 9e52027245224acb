// One PR/issue comment per run (per marker) that is edited in place as the run
// goes, found again on a rerun, and never spread into a second one.
//
// Ours = the body contains our marker AND the author is the token's own
// account. A marker alone is not enough: anyone can paste it into a comment,
// and a token with write access may edit other people's comments, so matching
// on the marker alone would let a planted comment be overwritten.
//
// Who the token is (see resolveIdentity): the author of a comment this action
// created (the POST answer names it; callers keep it in action state for the
// post step and reruns) beats everything; else GraphQL `viewer` (answers for
// personal and installation tokens, `github-actions[bot]` for the workflow
// token), else REST GET /user (personal tokens only: an installation token gets
// 403), else — only when the caller says the token is the workflow's own — the
// conventional `github-actions[bot]`. A custom GitHub App token must not get
// that guess: its comments are authored by `<app-slug>[bot]`. With no identity
// at all we do not search (we could not tell ours from a planted one) and
// create a new comment, learning the identity from its author.
//
// Pacing: GitHub counts comment edits as content creation (secondary limits:
// about 80 a minute and 500 an hour, shared by every job using the token, and
// matrix legs do), so live edits are paced: at most one per 15 s for the first
// five minutes, then one per 60 s, and never more than 60 in any hour (in the
// first hour the rest of the budget is spread evenly, about one per 80 s, so
// the comment never freezes for long). Only a
// changed body is sent; the latest body wins. The final body always goes out.
//
// Failures never throw: each kind is reported once through onWarning. A 403
// (a fork's read-only token), 401, 404 on the issue or 410 stops all further
// attempts; rate limits are honoured (retry-after / x-ratelimit-reset).
import { GitHubApiError, sameIdentity, type GitHubApi, type Identity, type IssueComment } from './api.ts';

export const COMMENT_MAX_CHARS = 65_536;
export const PACE_EARLY_MS = 15_000;
export const PACE_LATE_MS = 60_000;
export const PACE_EARLY_PERIOD_MS = 5 * 60_000;
export const MAX_EDITS_PER_HOUR = 60;
/** The final body waits at most this long for the live pacing. */
export const FINAL_PACE_WAIT_MS = 3_000;
/** The final body waits at most this long in all for rate limits and retries. */
export const FINAL_MAX_WAIT_MS = 30_000;
export const WORKFLOW_TOKEN_LOGIN = 'github-actions[bot]';

const HOUR_MS = 3_600_000;
const TRUNCATION_NOTE = '\n\n… (cut: this comment reached GitHub\'s limit of 65,536 characters; the job summary has the full report)';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface StickyCommentOptions {
  api: GitHubApi;
  owner: string;
  repo: string;
  issueNumber: number;
  /** Unique per run and matrix leg, e.g. `<!-- claude-fly-action:<job>:<leg> -->`; no marker may contain another. */
  marker: string;
  /** The token's account when already known (action state, a previous run). */
  identity?: Identity;
  /** The token is the workflow's GITHUB_TOKEN: allows the `github-actions[bot]` guess. */
  workflowToken?: boolean;
  /** Our comment's id from action state (the post step): tried before a search. */
  commentId?: number;
  now?: () => number;
  sleep?: Sleep;
  onWarning?: (message: string) => void;
}

type WarningKind = 'forbidden' | 'auth' | 'not-found' | 'invalid' | 'rate-limit' | 'server' | 'network' | 'identity' | 'search' | 'gave-up' | 'truncated';

export class StickyComment {
  readonly #api: GitHubApi;
  readonly #owner: string;
  readonly #repo: string;
  readonly #issue: number;
  readonly #marker: string;
  readonly #workflowToken: boolean;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  readonly #onWarning: (message: string) => void;

  #identity: Identity | undefined;
  #identityResolved = false;
  #commentId: number | undefined;
  #url: string | undefined;
  #located = false;
  #warned = new Set<WarningKind>();

  /** Stop every further attempt (403, 401, 404 on the issue, 410). */
  #disabled = false;
  #finished = false;
  #startedAt: number | undefined;
  #editTimes: number[] = [];
  #blockedUntil = 0;

  #latest: string | undefined;
  #sent: string | undefined;
  #inFlight: Promise<unknown> | undefined;
  #timer: { at: number; abort: AbortController } | undefined;

  constructor(options: StickyCommentOptions) {
    this.#api = options.api;
    this.#owner = options.owner;
    this.#repo = options.repo;
    this.#issue = options.issueNumber;
    this.#marker = options.marker;
    this.#identity = options.identity;
    this.#identityResolved = options.identity !== undefined;
    this.#workflowToken = options.workflowToken ?? false;
    this.#commentId = options.commentId;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#onWarning = options.onWarning ?? (() => {});
  }

  /** Link to the comment once it exists. */
  get url(): string | undefined {
    return this.#url;
  }

  /** Our comment's id once known (keep it in action state for the post step). */
  get commentId(): number | undefined {
    return this.#commentId;
  }

  /** The token's account as learned (keep it in action state). */
  get identity(): Identity | undefined {
    return this.#identity;
  }

  /** The latest body has reached GitHub (after a final update: the final body is there, else someone must still end it). */
  get upToDate(): boolean {
    return this.#latest !== undefined && this.#latest === this.#sent;
  }

  /** Edits made so far (creations included). */
  get editCount(): number {
    return this.#editTimes.length;
  }

  /** Resolves once no write is on its way (tests; a caller that wants to know). */
  async settled(): Promise<void> {
    while (this.#inFlight) await this.#inFlight.catch(() => {});
  }

  async update(body: string, options: { final?: boolean } = {}): Promise<void> {
    if (this.#disabled) return;
    this.#startedAt ??= this.#now();
    if (options.final) {
      this.#latest = this.#prepare(body);
      await this.#finalize();
      return;
    }
    if (this.#finished) return;
    this.#latest = this.#prepare(body);
    await this.#pump();
  }

  // --- live ------------------------------------------------------------------

  async #pump(): Promise<void> {
    if (this.#disabled || this.#finished || this.#inFlight || this.#latest === this.#sent) return;
    const wait = this.#liveWaitMs();
    if (wait > 0) {
      this.#schedule(wait);
      return;
    }
    const sending = this.#sendOnce(false);
    this.#inFlight = sending;
    try {
      await sending;
    } finally {
      this.#inFlight = undefined;
    }
    // A newer body came while this one was on its way: send it when allowed.
    if (!this.#disabled && !this.#finished && this.#latest !== this.#sent) this.#schedule(Math.max(1, this.#liveWaitMs()));
  }

  #schedule(waitMs: number): void {
    const at = this.#now() + waitMs;
    if (this.#timer && this.#timer.at <= at) return;
    this.#timer?.abort.abort();
    const abort = new AbortController();
    this.#timer = { at, abort };
    void this.#sleep(waitMs, abort.signal).then(() => {
      if (abort.signal.aborted) return;
      this.#timer = undefined;
      return this.#pump();
    });
  }

  /** How long until a live edit may go: pacing, the hourly cap, and any rate-limit block. */
  #liveWaitMs(): number {
    return Math.max(this.#paceWaitMs(), this.#blockedUntil - this.#now(), 0);
  }

  #paceWaitMs(): number {
    const now = this.#now();
    const sinceStart = now - (this.#startedAt ?? now);
    const inHour = this.#editTimes.filter((t) => t > now - HOUR_MS);
    const last = this.#editTimes.at(-1);
    let wait = 0;
    if (last !== undefined) {
      let interval = sinceStart < PACE_EARLY_PERIOD_MS ? PACE_EARLY_MS : PACE_LATE_MS;
      // In the first hour, spread what is left of the hourly budget over what is left of the hour,
      // so the comment keeps moving instead of freezing once the budget is spent.
      const left = MAX_EDITS_PER_HOUR - inHour.length;
      if (sinceStart >= PACE_EARLY_PERIOD_MS && sinceStart < HOUR_MS && left > 0) interval = Math.max(interval, (HOUR_MS - sinceStart) / left);
      wait = last + interval - now;
    }
    if (inHour.length >= MAX_EDITS_PER_HOUR) wait = Math.max(wait, inHour[0]! + HOUR_MS - now);
    return wait;
  }

  // --- final -----------------------------------------------------------------

  async #finalize(): Promise<void> {
    this.#finished = true;
    this.#timer?.abort.abort();
    this.#timer = undefined;
    if (this.#inFlight) await this.#inFlight.catch(() => {});
    if (this.#disabled || this.#latest === this.#sent) return;

    const deadline = this.#now() + FINAL_MAX_WAIT_MS;
    const pace = Math.min(this.#paceWaitMs(), FINAL_PACE_WAIT_MS);
    if (pace > 0) await this.#sleep(pace);
    for (let attempt = 1; ; attempt++) {
      const block = this.#blockedUntil - this.#now();
      if (block > 0) {
        if (this.#now() + block > deadline) {
          this.#warn('gave-up', `The final PR comment was not written: GitHub's rate limit lasts another ${Math.ceil(block / 1000)} s, longer than the ${FINAL_MAX_WAIT_MS / 1000} s the action waits. The job summary has the report.`);
          return;
        }
        await this.#sleep(block);
      }
      const failure = await this.#sendOnce(true);
      if (!failure || this.#disabled) return;
      const retryable = failure.rateLimited !== undefined || failure.status === 0 || failure.status >= 500;
      const backoff = failure.rateLimited ? 0 : Math.min(1000 * 2 ** (attempt - 1), 8000);
      if (!retryable || this.#now() + backoff >= deadline) {
        if (retryable) this.#warn('gave-up', `The final PR comment was not written after ${attempt} attempt(s): ${failure.message}`);
        return;
      }
      if (backoff > 0) await this.#sleep(backoff);
    }
  }

  // --- one write ---------------------------------------------------------------

  /** Writes the latest body once; undefined on success, else the error (already reported). */
  async #sendOnce(final: boolean): Promise<GitHubApiError | undefined> {
    const body = this.#latest;
    if (body === undefined) return undefined;
    try {
      if (!this.#located) await this.#locate(final);
      let written: IssueComment | undefined;
      if (this.#commentId !== undefined) {
        try {
          written = await this.#api.updateIssueComment(this.#owner, this.#repo, this.#commentId, body);
        } catch (error) {
          // Our comment was deleted (or is not ours to reach): start a new one.
          if (!(error instanceof GitHubApiError && error.status === 404)) throw error;
          this.#commentId = undefined;
        }
      }
      if (!written) {
        written = await this.#createOnce(body);
      }
      this.#url = written.htmlUrl || this.#url;
      this.#sent = body;
      this.#editTimes.push(this.#now());
      return undefined;
    } catch (error) {
      const apiError = error instanceof GitHubApiError ? error : new GitHubApiError({ status: 0, message: String(error), method: '?', path: '?' });
      this.#onFailure(apiError, body);
      return apiError;
    }
  }

  async #createOnce(body: string): Promise<IssueComment> {
    try {
      const created = await this.#api.createIssueComment(this.#owner, this.#repo, this.#issue, body);
      this.#commentId = created.id;
      // The author of what we just created is, by definition, us.
      if (created.user) this.#identity = { login: created.user.login, ...(created.user.id !== undefined ? { id: created.user.id } : {}) };
      this.#identityResolved = true;
      return created;
    } catch (error) {
      // No answer or a 5xx: the comment may exist anyway. Search before creating again.
      if (error instanceof GitHubApiError && (error.status === 0 || error.status >= 500)) this.#located = false;
      throw error;
    }
  }

  /** Finds our comment: the id from state when it still is ours, else a search of every page. */
  async #locate(final: boolean): Promise<void> {
    if (!this.#identityResolved) {
      this.#identity = await resolveIdentity({ api: this.#api, workflowToken: this.#workflowToken });
      this.#identityResolved = true;
      if (!this.#identity) {
        this.#warn('identity', 'Could not learn which account the GitHub token acts as; a new PR comment is created instead of updating an earlier one.');
      }
    }
    if (this.#commentId !== undefined) {
      try {
        const known = await this.#api.getIssueComment(this.#owner, this.#repo, this.#commentId);
        if (this.#isOurs(known)) {
          this.#url = known.htmlUrl;
          this.#located = true;
          return;
        }
      } catch (error) {
        if (!(error instanceof GitHubApiError && error.status === 404)) throw error;
      }
      this.#commentId = undefined;
    }
    if (this.#identity) {
      try {
        for await (const comment of this.#api.issueComments(this.#owner, this.#repo, this.#issue)) {
          if (this.#isOurs(comment)) {
            this.#commentId = comment.id;
            this.#url = comment.htmlUrl;
            break;
          }
        }
      } catch (error) {
        // Live: try again next time rather than risk a duplicate. Final: a report matters more.
        if (!final || !(error instanceof GitHubApiError) || error.status === 403 || error.status === 404 || error.status === 401) throw error;
        this.#warn('search', `Could not search the PR's comments for an earlier one (${error.message}); writing a new comment.`);
      }
    }
    this.#located = true;
  }

  #isOurs(comment: IssueComment): boolean {
    return comment.body.includes(this.#marker) && sameIdentity(comment.user, this.#identity);
  }

  #onFailure(error: GitHubApiError, body: string): void {
    const where = `PR comment on ${this.#owner}/${this.#repo}#${this.#issue}`;
    if (error.rateLimited) {
      this.#blockedUntil = Math.max(this.#blockedUntil, this.#now() + (error.retryAfterMs ?? 60_000));
      this.#warn('rate-limit', `${where}: GitHub's ${error.rateLimited} rate limit was hit; live updates pause for ${Math.ceil((error.retryAfterMs ?? 60_000) / 1000)} s. ${error.message}`);
      return;
    }
    if (error.status === 403) {
      this.#disabled = true;
      this.#warn(
        'forbidden',
        `${where}: the token may not write comments (${error.message}). On pull requests from forks the workflow token is read-only; give the job \`permissions: pull-requests: write\` or a token that may comment. No further comment updates are tried.`,
      );
      return;
    }
    if (error.status === 401 || error.status === 410 || (error.status === 404 && this.#commentId === undefined)) {
      this.#disabled = true;
      const kind: WarningKind = error.status === 401 ? 'auth' : 'not-found';
      this.#warn(kind, `${where} cannot be written: ${error.message}. No further comment updates are tried.`);
      return;
    }
    if (error.status === 422) {
      // Do not send this same body again; a later, different body may pass.
      this.#sent = body;
      this.#editTimes.push(this.#now());
      this.#warn('invalid', `${where}: GitHub rejected the body: ${error.message}`);
      return;
    }
    this.#warn(error.status === 0 ? 'network' : 'server', `${where} could not be written (it is tried again later): ${error.message}`);
  }

  #warn(kind: WarningKind, message: string): void {
    if (this.#warned.has(kind)) return;
    this.#warned.add(kind);
    this.#onWarning(message);
  }

  /** Puts the marker in and keeps the body within GitHub's limit. */
  #prepare(body: string): string {
    const text = body.includes(this.#marker) ? body : `${this.#marker}\n${body}`;
    let capped = capCommentBody(text);
    // A marker placed late in a long body must survive the cut, or the comment is never found again.
    if (!capped.includes(this.#marker)) capped = capCommentBody(`${this.#marker}\n${text}`);
    if (capped !== text) this.#warn('truncated', `The PR comment body was ${text.length} characters; it was cut to GitHub's limit of ${COMMENT_MAX_CHARS}.`);
    return capped;
  }
}

/** Cuts a body to GitHub's 65,536-character limit with a note (UTF-16 units, never fewer than GitHub's count). */
export function capCommentBody(body: string, max = COMMENT_MAX_CHARS): string {
  if (body.length <= max) return body;
  let end = max - TRUNCATION_NOTE.length;
  const code = body.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // never split a surrogate pair
  return body.slice(0, end) + TRUNCATION_NOTE;
}

/**
 * The token's account, by the rules at the top of this file (without the
 * created-comment source, which StickyComment adds as soon as it has one).
 */
export async function resolveIdentity(options: { api: GitHubApi; known?: Identity; workflowToken?: boolean }): Promise<Identity | undefined> {
  if (options.known) return options.known;
  const asked = await options.api.whoAmI();
  if (asked) return asked;
  return options.workflowToken ? { login: WORKFLOW_TOKEN_LOGIN } : undefined;
}

const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
