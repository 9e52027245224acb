// The GitHub REST/GraphQL calls the action makes, over @actions/github's
// Octokit (it honours the runner's proxy settings), with every failure mapped
// to one typed GitHubApiError. No retries here: the callers decide (a live
// comment edit is simply skipped; the final one waits and retries).
import { getOctokit } from '@actions/github';

/** Who the token acts as. `id` is the account's numeric id when known. */
export interface Identity {
  login: string;
  id?: number;
}

export interface IssueComment {
  id: number;
  body: string;
  htmlUrl: string;
  user: (Identity & { type?: string }) | undefined;
}

export interface PullRequestSummary {
  number: number;
  state: string;
  headSha: string;
  headRef: string;
  /** owner/name of the head repository; undefined when the fork was deleted. */
  headRepo: string | undefined;
  baseSha: string;
  baseRef: string;
  /** Who opened it. */
  user: (Identity & { type?: string }) | undefined;
}

export type RateLimitKind = 'primary' | 'secondary';

export interface GitHubApiErrorFields {
  /** HTTP status; 0 when no answer came (connection reset, DNS, timeout). */
  status: number;
  message: string;
  method: string;
  path: string;
  requestId?: string;
  rateLimited?: RateLimitKind;
  /** How long to stay away, for rate limits (from retry-after or x-ratelimit-reset). */
  retryAfterMs?: number;
}

export class GitHubApiError extends Error {
  override name = 'GitHubApiError';
  readonly status: number;
  /** GitHub's own words (or the network error's). */
  readonly apiMessage: string;
  readonly method: string;
  readonly path: string;
  readonly requestId: string | undefined;
  readonly rateLimited: RateLimitKind | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(f: GitHubApiErrorFields) {
    const where = `GitHub API ${f.method} ${f.path}`;
    const what = f.status === 0 ? `failed without an answer: ${f.message}` : `failed with HTTP ${f.status}: ${f.message}`;
    super(`${where} ${what}${f.requestId ? ` [x-github-request-id: ${f.requestId}]` : ''}`);
    this.status = f.status;
    this.apiMessage = f.message;
    this.method = f.method;
    this.path = f.path;
    this.requestId = f.requestId;
    this.rateLimited = f.rateLimited;
    this.retryAfterMs = f.retryAfterMs;
  }
}

export interface GitHubApiOptions {
  token: string;
  /** GITHUB_API_URL, e.g. https://api.github.com or https://ghe.example/api/v3. */
  apiUrl: string;
  /** Per-request timeout; a hung connection must not hold up the final report. */
  timeoutMs?: number;
  /** Clock for turning x-ratelimit-reset into a wait (tests inject one). */
  now?: () => number;
}

type Octokit = ReturnType<typeof getOctokit>;
type Params = Record<string, unknown>;

interface RawResponse {
  data: unknown;
  headers: Record<string, string | number | undefined>;
}

const MAX_MESSAGE_CHARS = 400;
/** GitHub: "Otherwise, wait for at least one minute before retrying." */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;
/** Pages of 100 we read at most when listing (bounds the cost on huge threads). */
export const MAX_LIST_PAGES = 30;

export class GitHubApi {
  readonly apiUrl: string;
  readonly #octokit: Octokit;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(options: GitHubApiOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.#octokit = getOctokit(options.token, { baseUrl: this.apiUrl, log: silentLog });
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.#now = options.now ?? Date.now;
  }

  /** One REST call; `route` is "METHOD /path/{param}" or "METHOD <absolute url>". */
  async request(route: string, params: Params = {}): Promise<RawResponse> {
    const [method = 'GET', path = ''] = route.split(' ', 2);
    try {
      const res = await this.#octokit.request(route, { ...params, request: { signal: AbortSignal.timeout(this.#timeoutMs) } });
      return { data: res.data, headers: res.headers as RawResponse['headers'] };
    } catch (error) {
      throw this.#toApiError(error, method, expandPath(path, params));
    }
  }

  /** All pages of a list endpoint, following the Link header's rel="next" as GitHub gives it. */
  async *pages(route: string, params: Params = {}, maxPages = MAX_LIST_PAGES): AsyncGenerator<unknown[]> {
    let res = await this.request(route, { ...params, per_page: 100 });
    for (let page = 1; ; page++) {
      yield Array.isArray(res.data) ? res.data : [];
      const next = nextLink(res.headers.link);
      if (!next || page >= maxPages) return;
      res = await this.request(`GET ${next}`);
    }
  }

  async graphql(query: string, variables: Params = {}): Promise<unknown> {
    try {
      return await this.#octokit.graphql(query, { ...variables, request: { signal: AbortSignal.timeout(this.#timeoutMs) } });
    } catch (error) {
      throw this.#toApiError(error, 'POST', '/graphql');
    }
  }

  // --- endpoints ---------------------------------------------------------

  async *issueComments(owner: string, repo: string, issueNumber: number): AsyncGenerator<IssueComment> {
    const route = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments';
    for await (const page of this.pages(route, { owner, repo, issue_number: issueNumber })) {
      for (const raw of page) yield toComment(raw);
    }
  }

  async getIssueComment(owner: string, repo: string, commentId: number): Promise<IssueComment> {
    const res = await this.request('GET /repos/{owner}/{repo}/issues/comments/{comment_id}', { owner, repo, comment_id: commentId });
    return toComment(res.data);
  }

  async createIssueComment(owner: string, repo: string, issueNumber: number, body: string): Promise<IssueComment> {
    const res = await this.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner, repo, issue_number: issueNumber, body });
    return toComment(res.data);
  }

  async updateIssueComment(owner: string, repo: string, commentId: number, body: string): Promise<IssueComment> {
    const res = await this.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { owner, repo, comment_id: commentId, body });
    return toComment(res.data);
  }

  /** `permission` is the legacy base role (admin|write|read|none; maintain->write, triage->read). */
  async collaboratorPermission(owner: string, repo: string, username: string): Promise<{ permission: string; roleName: string | undefined }> {
    const res = await this.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', { owner, repo, username });
    const data = obj(res.data);
    return { permission: String(data.permission ?? 'none'), roleName: typeof data.role_name === 'string' ? data.role_name : undefined };
  }

  async *pullsForCommit(owner: string, repo: string, sha: string, maxPages = 3): AsyncGenerator<PullRequestSummary> {
    const route = 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls';
    for await (const page of this.pages(route, { owner, repo, commit_sha: sha }, maxPages)) {
      for (const raw of page) yield toPull(raw);
    }
  }

  async *pulls(owner: string, repo: string, query: { state?: string; head?: string; sort?: string; direction?: string }, maxPages = 3): AsyncGenerator<PullRequestSummary> {
    for await (const page of this.pages('GET /repos/{owner}/{repo}/pulls', { owner, repo, ...query }, maxPages)) {
      for (const raw of page) yield toPull(raw);
    }
  }

  async getPull(owner: string, repo: string, pullNumber: number): Promise<PullRequestSummary> {
    const res = await this.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number: pullNumber });
    return toPull(res.data);
  }

  /**
   * Who the token acts as, or undefined when the API will not say.
   *
   * GraphQL `viewer` first: it answers for personal tokens and for GitHub App
   * installation tokens alike (the workflow's GITHUB_TOKEN is one; it answers
   * `github-actions[bot]`), while REST GET /user answers 403 "Resource not
   * accessible by integration" for installation tokens. GET /user is the
   * fallback for a server where GraphQL is unavailable.
   */
  async whoAmI(): Promise<Identity | undefined> {
    try {
      const data = obj(obj(await this.graphql('query { viewer { login databaseId } }')).viewer);
      if (typeof data.login === 'string' && data.login) {
        return typeof data.databaseId === 'number' ? { login: data.login, id: data.databaseId } : { login: data.login };
      }
    } catch {
      // fall through to REST
    }
    try {
      const data = obj((await this.request('GET /user')).data);
      if (typeof data.login === 'string' && data.login) {
        return typeof data.id === 'number' ? { login: data.login, id: data.id } : { login: data.login };
      }
    } catch {
      // neither answered
    }
    return undefined;
  }

  #toApiError(error: unknown, method: string, path: string): GitHubApiError {
    if (error instanceof GitHubApiError) return error;
    const e = obj(error);
    const response = obj(e.response);
    const hasAnswer = typeof response.status === 'number';
    const message = clip(hasAnswer ? githubMessage(response.data, e.message) : networkMessage(error));
    if (!hasAnswer) return new GitHubApiError({ status: 0, message, method, path });
    const status = response.status as number;
    const headers = obj(response.headers);
    const header = (name: string): string | undefined => (headers[name] === undefined ? undefined : String(headers[name]));
    const requestId = header('x-github-request-id');
    const limit = this.#rateLimit(status, message, header);
    return new GitHubApiError({ status, message, method, path, requestId, ...limit });
  }

  /** GitHub's rules: 403/429 with a "secondary rate limit" message, or with x-ratelimit-remaining 0. */
  #rateLimit(status: number, message: string, header: (n: string) => string | undefined): Pick<GitHubApiErrorFields, 'rateLimited' | 'retryAfterMs'> {
    if (status !== 403 && status !== 429) return {};
    const secondaryText = /secondary rate limit|abuse detection/i.test(message);
    const exhausted = header('x-ratelimit-remaining') === '0';
    if (!secondaryText && !exhausted && status !== 429) return {};
    const retryAfter = Number(header('retry-after'));
    const reset = Number(header('x-ratelimit-reset'));
    let retryAfterMs = DEFAULT_RATE_LIMIT_WAIT_MS;
    if (header('retry-after') !== undefined && Number.isFinite(retryAfter)) retryAfterMs = Math.max(0, retryAfter * 1000);
    else if (exhausted && Number.isFinite(reset) && reset > 0) retryAfterMs = Math.max(0, reset * 1000 - this.#now());
    return { rateLimited: secondaryText || !exhausted ? 'secondary' : 'primary', retryAfterMs };
  }
}

export function createGitHubApi(options: GitHubApiOptions): GitHubApi {
  return new GitHubApi(options);
}

/** True when both name the same account (by id when both have one, else by login). */
export function sameIdentity(a: Identity | undefined, b: Identity | undefined): boolean {
  if (!a || !b) return false;
  if (a.id !== undefined && b.id !== undefined) return a.id === b.id;
  return a.login.toLowerCase() === b.login.toLowerCase();
}

// --- helpers ---------------------------------------------------------------

const silentLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

function githubMessage(data: unknown, fallback: unknown): string {
  const d = obj(data);
  if (typeof d.message === 'string') {
    const details = Array.isArray(d.errors)
      ? d.errors.map((x) => (typeof x === 'string' ? x : String(obj(x).message ?? obj(x).code ?? ''))).filter(Boolean)
      : [];
    return details.length > 0 ? `${d.message}: ${details.join('; ')}` : d.message;
  }
  if (typeof data === 'string' && data) return data;
  return typeof fallback === 'string' ? fallback : 'unknown error';
}

function networkMessage(error: unknown): string {
  const e = obj(error);
  const cause = obj(e.cause);
  const inner = obj(cause.cause);
  const code = inner.code ?? cause.code ?? e.code;
  const name = e.name === 'AbortError' || e.name === 'TimeoutError' || cause.name === 'TimeoutError' ? 'timed out' : undefined;
  const text = name ?? (typeof e.message === 'string' ? e.message : 'network error');
  return typeof code === 'string' ? `${text} (${code})` : text;
}

function expandPath(path: string, params: Params): string {
  const expanded = path.replace(/\{(\w+)\}/g, (_m, key: string) => encodeURIComponent(String(params[key] ?? `{${key}}`)));
  try {
    return expanded.startsWith('http') ? new URL(expanded).pathname : expanded;
  } catch {
    return expanded;
  }
}

/** The rel="next" URL of a Link header, as GitHub formats it. */
export function nextLink(link: unknown): string | undefined {
  if (typeof link !== 'string') return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (m && m[2]?.split(/\s+/).includes('next')) return m[1];
  }
  return undefined;
}

function toIdentity(raw: unknown): (Identity & { type?: string }) | undefined {
  const u = obj(raw);
  if (typeof u.login !== 'string') return undefined;
  return { login: u.login, ...(typeof u.id === 'number' ? { id: u.id } : {}), ...(typeof u.type === 'string' ? { type: u.type } : {}) };
}

function toComment(raw: unknown): IssueComment {
  const c = obj(raw);
  return {
    id: Number(c.id),
    body: typeof c.body === 'string' ? c.body : '',
    htmlUrl: typeof c.html_url === 'string' ? c.html_url : '',
    user: toIdentity(c.user),
  };
}

function toPull(raw: unknown): PullRequestSummary {
  const p = obj(raw);
  const head = obj(p.head);
  const headRepo = obj(head.repo);
  const base = obj(p.base);
  return {
    number: Number(p.number),
    state: String(p.state ?? ''),
    headSha: String(head.sha ?? ''),
    headRef: String(head.ref ?? ''),
    headRepo: typeof headRepo.full_name === 'string' ? headRepo.full_name : undefined,
    baseSha: String(base.sha ?? ''),
    baseRef: String(base.ref ?? ''),
    user: toIdentity(p.user),
  };
}
