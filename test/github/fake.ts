// A loopback fake of the GitHub REST endpoints the action uses, modelled on
// GitHub's published REST reference (docs.github.com, the OpenAPI description
// behind @octokit/openapi-types) and on answers GitHub is observed to give,
// never on what our client sends.
//
//   const gh = await startGitHubFake();
//   gh.setUser('ghs_x', { login: 'github-actions[bot]', id: 41898282, type: 'Bot', installation: true });
//   gh.addIssue('octo/app', 7, { pull: true });
//   // client: GITHUB_API_URL = gh.url, header `Authorization: token ghs_x`
//   await gh.close();
//
// Behaviour worth knowing (and where it came from):
// - auth: `Authorization: token X` or `Bearer X`. Unknown token: 401 "Bad
//   credentials". No token: reads allowed (public repo), writes 401 "Requires
//   authentication".
// - an installation token (the workflow's GITHUB_TOKEN is one) gets 403
//   "Resource not accessible by integration" from GET /user, but GraphQL
//   `viewer` answers its bot login. A read-only token (a fork's PR) gets that
//   same 403 on every write.
// - lists: per_page default 30, max 100 (larger is clamped), page from 1;
//   Link header with rel="next"/"last"/"first"/"prev", whose URLs use the
//   /repositories/{id}/... form as GitHub's do; issue comments in ascending id.
// - comment bodies over 65,536 characters (counted as code points, as GitHub's
//   Ruby does): 422 Validation Failed, "body is too long (maximum is 65536
//   characters)". A token with write access may edit anyone's comment (as on
//   GitHub, where maintainers can): the client must check authorship itself.
// - collaborators/{user}/permission: `permission` is the legacy base role
//   (maintain -> write, triage -> read), `role_name` the real one; unknown
//   users 404.
// - commits/{sha}/pulls: PRs whose head commit lives in the base repository
//   (same-repo PRs) or merged ones; a fork PR's head commit lives in the fork,
//   and GitHub is observed to answer [] for it. GET pulls?head=owner:branch
//   finds it.
// - every answer: x-github-request-id, x-ratelimit-* headers (5,000/h for a
//   user, 1,000/h for the workflow token); faults inject 403/404/422/500,
//   primary and secondary rate limits, and connection resets.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

export const COMMENT_MAX_CHARS = 65_536;
export const GITHUB_ACTIONS_BOT = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' as const };
export const SECONDARY_RATE_LIMIT_MESSAGE = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';

export interface FakeIdentity {
  login: string;
  id: number;
  type: 'User' | 'Bot';
  /** An installation token (GitHub App, the workflow token): GET /user answers 403. */
  installation?: boolean;
  /** Writes answer 403 "Resource not accessible by integration" (a fork PR's token). */
  readOnly?: boolean;
}

export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface FakeComment {
  id: number;
  repo: string;
  issue: number;
  body: string;
  user: { login: string; id: number; type: string };
  createdAt: string;
  updatedAt: string;
}

export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  merged?: boolean;
  headSha: string;
  headRef: string;
  /** owner/name; the base repository itself for a same-repo PR; null once a fork is deleted. */
  headRepo: string | null;
  baseRef?: string;
  /** The base branch's commit (GitHub keeps it current); default 'b' x 40. */
  baseSha?: string;
  /** Who opened it (default octocat). */
  user?: { login: string; id?: number; type?: 'User' | 'Bot' };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The login the token maps to; the token itself is never recorded. */
  as: string | undefined;
  status: number;
  /** The fake's clock when the request arrived (ms). */
  at: number;
}

export type FaultKind = 'forbidden' | 'not-found' | 'unprocessable' | 'server-error' | 'primary-rate-limit' | 'secondary-rate-limit' | 'network-reset';

export interface FaultRule {
  kind: FaultKind;
  method?: string;
  /** Matches the request path (a substring, or a RegExp). */
  path?: string | RegExp;
  /** How many matching requests it hits (default: every one). */
  times?: number;
  /** secondary: the retry-after header in seconds (omit for none). */
  retryAfterSeconds?: number;
  /** primary: x-ratelimit-reset, epoch seconds (default: now + 60). */
  resetEpochSeconds?: number;
}

export interface GitHubFakeOptions {
  /** Base of html_url values (default https://github.com). */
  serverUrl?: string;
  /** Clock for timestamps and x-ratelimit-reset (default Date.now). */
  now?: () => number;
}

export interface CommentStore {
  list(repo: string, issue: number): FakeComment[];
  get(id: number): FakeComment | undefined;
  /** Plant a comment (e.g. someone else's) as if it had been posted. */
  add(repo: string, issue: number, user: { login: string; id: number; type?: string }, body: string): FakeComment;
  all(): FakeComment[];
}

export interface GitHubFake {
  url: string;
  requests: RecordedRequest[];
  comments: CommentStore;
  setUser(token: string, identity: FakeIdentity): void;
  addIssue(repo: string, number: number, options?: { pull?: boolean }): void;
  addPull(repo: string, pull: FakePull): void;
  setPermission(repo: string, login: string, role: Role, userId?: number): void;
  faults: { add(rule: FaultRule): void; clear(): void };
  /** Runs `then` once, right after the first answer to a request matching method and path: the world moving on between two calls. */
  afterAnswer(method: string, path: string | RegExp, then: () => void): void;
  close(): Promise<void>;
}

interface RepoState {
  id: number;
  fullName: string;
  issues: Map<number, { pull: boolean }>;
  pulls: Map<number, FakePull>;
  roles: Map<string, { role: Role; id: number }>;
}

const DOCS = 'https://docs.github.com/rest';
const PERMISSION_OF_ROLE: Record<Role, string> = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read', none: 'none' };

export async function startGitHubFake(options: GitHubFakeOptions = {}): Promise<GitHubFake> {
  const now = options.now ?? Date.now;
  const serverUrl = (options.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  const tokens = new Map<string, FakeIdentity>();
  const repos = new Map<string, RepoState>();
  const comments = new Map<number, FakeComment>();
  const requests: RecordedRequest[] = [];
  const rules: Array<FaultRule & { left: number }> = [];
  const hooks: Array<{ method: string; path: string | RegExp; then: () => void }> = [];
  const used = new Map<string, number>();
  const sockets = new Set<Socket>();
  let nextCommentId = 2_000_000_001;
  let nextRepoId = 700_000_001;
  let nextUserId = 9_000_001;
  let baseUrl = '';

  const iso = (): string => new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z');

  function repoState(fullName: string, create = true): RepoState | undefined {
    const key = fullName.toLowerCase();
    let state = repos.get(key);
    if (!state && create) {
      state = { id: nextRepoId++, fullName, issues: new Map(), pulls: new Map(), roles: new Map() };
      repos.set(key, state);
    }
    return state;
  }

  function userJson(u: { login: string; id: number; type: string }): Record<string, unknown> {
    return {
      login: u.login,
      id: u.id,
      node_id: Buffer.from(`04:User${u.id}`).toString('base64'),
      avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
      url: `${baseUrl}/users/${encodeURIComponent(u.login)}`,
      html_url: `${serverUrl}/${u.type === 'Bot' ? `apps/${u.login.replace(/\[bot\]$/, '')}` : u.login}`,
      type: u.type,
      site_admin: false,
    };
  }

  function commentJson(c: FakeComment): Record<string, unknown> {
    const state = repoState(c.repo, false);
    const kind = state?.issues.get(c.issue)?.pull ? 'pull' : 'issues';
    return {
      id: c.id,
      node_id: Buffer.from(`012:IssueComment${c.id}`).toString('base64'),
      url: `${baseUrl}/repos/${c.repo}/issues/comments/${c.id}`,
      html_url: `${serverUrl}/${c.repo}/${kind}/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${baseUrl}/repos/${c.repo}/issues/${c.issue}`,
      body: c.body,
      user: userJson(c.user),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR',
      performed_via_github_app: null,
      reactions: { url: `${baseUrl}/repos/${c.repo}/issues/comments/${c.id}/reactions`, total_count: 0 },
    };
  }

  function pullJson(state: RepoState, p: FakePull): Record<string, unknown> {
    const headOwner = p.headRepo?.split('/')[0] ?? '';
    const user = p.user ?? { login: 'octocat', id: 583231, type: 'User' as const };
    return {
      url: `${baseUrl}/repos/${state.fullName}/pulls/${p.number}`,
      id: 1_000_000 + p.number,
      number: p.number,
      state: p.state,
      html_url: `${serverUrl}/${state.fullName}/pull/${p.number}`,
      merged_at: p.merged ? iso() : null,
      user: userJson({ login: user.login, id: user.id ?? nextUserId, type: user.type ?? 'User' }),
      head: {
        label: `${headOwner}:${p.headRef}`,
        ref: p.headRef,
        sha: p.headSha,
        repo: p.headRepo === null ? null : { full_name: p.headRepo, fork: p.headRepo.toLowerCase() !== state.fullName.toLowerCase() },
      },
      base: { label: `${state.fullName.split('/')[0]}:${p.baseRef ?? 'main'}`, ref: p.baseRef ?? 'main', sha: p.baseSha ?? 'b'.repeat(40), repo: { id: state.id, full_name: state.fullName } },
    };
  }

  function addComment(repo: string, issue: number, user: { login: string; id: number; type?: string }, body: string): FakeComment {
    const c: FakeComment = { id: nextCommentId++, repo: repoState(repo)!.fullName, issue, body, user: { login: user.login, id: user.id, type: user.type ?? 'User' }, createdAt: iso(), updatedAt: iso() };
    comments.set(c.id, c);
    return c;
  }

  // --- HTTP ------------------------------------------------------------------

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { message: `fake: ${String(error)}` });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `${randomBytes(2).toString('hex').toUpperCase()}:${randomBytes(3).toString('hex').toUpperCase()}:${randomBytes(4).toString('hex').toUpperCase()}`,
      ...headers,
    });
    res.end(text);
  }

  function error(status: number, message: string, docs = DOCS, extra: Record<string, unknown> = {}): { status: number; body: Record<string, unknown> } {
    return { status, body: { message, documentation_url: docs, status: String(status), ...extra } };
  }

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return { __invalidJson: text };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const method = (req.method ?? 'GET').toUpperCase();
    const body = method === 'GET' ? undefined : await readBody(req);
    const query = Object.fromEntries(url.searchParams);
    const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const token = auth?.[1];
    const identity = token === undefined ? undefined : tokens.get(token);
    const record: RecordedRequest = { method, path: url.pathname, query, body, as: identity?.login, status: 0, at: now() };
    requests.push(record);

    const limit = identity?.installation ? 1000 : 5000;
    const key = identity?.login ?? 'anonymous';
    const count = (used.get(key) ?? 0) + 1;
    used.set(key, count);
    const resetAt = Math.floor(now() / 1000) + 3600;
    const rateHeaders: Record<string, string> = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - count)),
      'x-ratelimit-used': String(count),
      'x-ratelimit-reset': String(resetAt),
      'x-ratelimit-resource': url.pathname === '/graphql' ? 'graphql' : 'core',
    };

    const rule = rules.find((r) => r.left > 0 && (!r.method || r.method.toUpperCase() === method) && matchesPath(r.path, url.pathname));
    if (rule) {
      rule.left--;
      if (rule.kind === 'network-reset') {
        record.status = -1;
        req.socket.destroy();
        return;
      }
      const fault = faultAnswer(rule, rateHeaders);
      record.status = fault.status;
      send(res, fault.status, fault.body, fault.headers);
      return;
    }

    if (token !== undefined && !identity) {
      record.status = 401;
      const e = error(401, 'Bad credentials');
      send(res, e.status, e.body, rateHeaders);
      return;
    }

    const answer = route(method, url, query, body, identity);
    record.status = answer.status;
    send(res, answer.status, answer.body, { ...rateHeaders, ...(answer.headers ?? {}) });
    const hook = hooks.find((h) => h.method === method && matchesPath(h.path, url.pathname));
    if (hook) {
      hooks.splice(hooks.indexOf(hook), 1);
      hook.then();
    }
  }

  function faultAnswer(rule: FaultRule, rateHeaders: Record<string, string>): { status: number; body: unknown; headers: Record<string, string> } {
    switch (rule.kind) {
      case 'forbidden':
        return { ...error(403, 'Resource not accessible by integration'), headers: rateHeaders };
      case 'not-found':
        return { ...error(404, 'Not Found'), headers: rateHeaders };
      case 'unprocessable':
        return { ...error(422, 'Validation Failed', DOCS, { errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is invalid' }] }), headers: rateHeaders };
      case 'server-error':
        return { status: 500, body: { message: 'Server Error' }, headers: rateHeaders };
      case 'primary-rate-limit': {
        const reset = rule.resetEpochSeconds ?? Math.floor(now() / 1000) + 60;
        return {
          ...error(403, 'API rate limit exceeded for installation ID 1.', `${DOCS}/overview/rate-limits-for-the-rest-api`),
          headers: { ...rateHeaders, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
        };
      }
      case 'secondary-rate-limit': {
        const headers = { ...rateHeaders };
        if (rule.retryAfterSeconds !== undefined) headers['retry-after'] = String(rule.retryAfterSeconds);
        return { status: 403, body: { message: SECONDARY_RATE_LIMIT_MESSAGE, documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits` }, headers };
      }
      default:
        throw new Error(`fake: no answer for fault ${rule.kind}`);
    }
  }

  type Answer = { status: number; body: unknown; headers?: Record<string, string> };

  function route(method: string, url: URL, query: Record<string, string>, body: unknown, who: FakeIdentity | undefined): Answer {
    const path = url.pathname.replace(/\/+$/, '');

    if (path === '/graphql' && method === 'POST') return graphql(body, who);
    if (path === '/user' && method === 'GET') {
      if (!who) return error(401, 'Requires authentication', `${DOCS}/users/users#get-the-authenticated-user`);
      if (who.installation) return error(403, 'Resource not accessible by integration', `${DOCS}/users/users#get-the-authenticated-user`);
      return { status: 200, body: { ...userJson(who), name: null } };
    }

    // /repos/{owner}/{repo}/... or /repositories/{id}/... (the form in Link headers)
    let state: RepoState | undefined;
    let rest: string[];
    const parts = path.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] === 'repos' && parts.length >= 3) {
      state = repoState(`${parts[1]}/${parts[2]}`, false);
      rest = parts.slice(3);
    } else if (parts[0] === 'repositories' && parts.length >= 2) {
      state = [...repos.values()].find((r) => String(r.id) === parts[1]);
      rest = parts.slice(2);
    } else {
      return error(404, 'Not Found');
    }
    if (!state) return error(404, 'Not Found');
    const seg = rest.join('/');
    const write = method !== 'GET';
    if (write && !who) return error(401, 'Requires authentication');
    if (write && who?.readOnly) return error(403, 'Resource not accessible by integration', `${DOCS}/issues/comments`);

    let m: RegExpExecArray | null;
    if ((m = /^issues\/(\d+)\/comments$/.exec(seg))) {
      const issue = Number(m[1]);
      if (!state.issues.has(issue)) return error(404, 'Not Found', `${DOCS}/issues/comments#list-issue-comments`);
      if (method === 'GET') {
        const list = [...comments.values()].filter((c) => c.repo === state.fullName && c.issue === issue).sort((a, b) => a.id - b.id);
        return paginate(list.map(commentJson), query, `/repositories/${state.id}/issues/${issue}/comments`);
      }
      if (method === 'POST') {
        const invalid = validateBody(body, `${DOCS}/issues/comments#create-an-issue-comment`);
        if (invalid) return invalid;
        const c = addComment(state.fullName, issue, who!, (body as { body: string }).body);
        return { status: 201, body: commentJson(c), headers: { location: `${baseUrl}/repos/${state.fullName}/issues/comments/${c.id}` } };
      }
    }
    if ((m = /^issues\/comments\/(\d+)$/.exec(seg))) {
      const c = comments.get(Number(m[1]));
      if (!c || c.repo !== state.fullName) return error(404, 'Not Found', `${DOCS}/issues/comments#get-an-issue-comment`);
      if (method === 'GET') return { status: 200, body: commentJson(c) };
      if (method === 'PATCH') {
        const invalid = validateBody(body, `${DOCS}/issues/comments#update-an-issue-comment`);
        if (invalid) return invalid;
        c.body = (body as { body: string }).body;
        c.updatedAt = iso();
        return { status: 200, body: commentJson(c) };
      }
    }
    if ((m = /^collaborators\/([^/]+)\/permission$/.exec(seg)) && method === 'GET') {
      const login = m[1]!;
      const entry = state.roles.get(login.toLowerCase());
      if (!entry) return error(404, 'Not Found', `${DOCS}/collaborators/collaborators#get-repository-permissions-for-a-user`);
      const permission = PERMISSION_OF_ROLE[entry.role];
      const user = { ...userJson({ login, id: entry.id, type: login.endsWith('[bot]') ? 'Bot' : 'User' }), role_name: entry.role };
      return { status: 200, body: { permission, role_name: entry.role, user } };
    }
    if ((m = /^commits\/([^/]+)\/pulls$/.exec(seg)) && method === 'GET') {
      const sha = m[1]!;
      const list = [...state.pulls.values()].filter((p) => p.headSha === sha && (p.merged || p.headRepo?.toLowerCase() === state.fullName.toLowerCase()));
      return paginate(list.map((p) => pullJson(state, p)), query, `/repositories/${state.id}/commits/${sha}/pulls`);
    }
    if (seg === 'pulls' && method === 'GET') {
      const wanted = query.state ?? 'open';
      let list = [...state.pulls.values()].filter((p) => wanted === 'all' || p.state === wanted);
      if (query.head) {
        const [owner, ref] = splitOnce(query.head, ':');
        list = list.filter((p) => p.headRepo?.split('/')[0]?.toLowerCase() === owner.toLowerCase() && p.headRef === ref);
      }
      list.sort((a, b) => (query.direction === 'asc' ? a.number - b.number : b.number - a.number));
      return paginate(list.map((p) => pullJson(state, p)), query, `/repositories/${state.id}/pulls`);
    }
    if ((m = /^pulls\/(\d+)$/.exec(seg)) && method === 'GET') {
      const p = state.pulls.get(Number(m[1]));
      return p ? { status: 200, body: pullJson(state, p) } : error(404, 'Not Found', `${DOCS}/pulls/pulls#get-a-pull-request`);
    }
    return error(404, 'Not Found');
  }

  function validateBody(body: unknown, docs: string): Answer | undefined {
    const text = (body as { body?: unknown } | undefined)?.body;
    if (typeof text !== 'string') return error(422, 'Invalid request.\n\n"body" wasn\'t supplied.', docs);
    if ([...text].length > COMMENT_MAX_CHARS) {
      return error(422, 'Validation Failed', docs, {
        errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: `body is too long (maximum is ${COMMENT_MAX_CHARS} characters)` }],
      });
    }
    return undefined;
  }

  function paginate(items: unknown[], query: Record<string, string>, linkPath: string): Answer {
    const perPage = Math.min(100, Math.max(1, Number(query.per_page) || 30));
    const page = Math.max(1, Math.floor(Number(query.page) || 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number): string => {
      const params = new URLSearchParams({ ...query, page: String(p) });
      return `${baseUrl}${linkPath}?${params.toString()}`;
    };
    const rels: string[] = [];
    if (page > 1) rels.push(`<${link(page - 1)}>; rel="prev"`);
    if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    if (page > 1) rels.push(`<${link(1)}>; rel="first"`);
    return { status: 200, body: slice, headers: rels.length > 0 ? { link: rels.join(', ') } : {} };
  }

  function graphql(body: unknown, who: FakeIdentity | undefined): Answer {
    if (!who) return { status: 401, body: { message: 'This endpoint requires you to be authenticated.', documentation_url: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql' } };
    const q = String((body as { query?: unknown } | undefined)?.query ?? '');
    if (/\bviewer\s*\{/.test(q)) {
      const viewer: Record<string, unknown> = {};
      if (/\blogin\b/.test(q)) viewer.login = who.login;
      if (/\bdatabaseId\b/.test(q)) viewer.databaseId = who.id;
      return { status: 200, body: { data: { viewer } } };
    }
    return { status: 200, body: { errors: [{ message: 'fake: only `viewer` queries are modelled' }] } };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    requests,
    comments: {
      list: (repo, issue) => [...comments.values()].filter((c) => c.repo.toLowerCase() === repo.toLowerCase() && c.issue === issue).sort((a, b) => a.id - b.id),
      get: (id) => comments.get(id),
      add: (repo, issue, user, body) => {
        repoState(repo)!.issues.set(issue, repoState(repo)!.issues.get(issue) ?? { pull: false });
        return addComment(repo, issue, user, body);
      },
      all: () => [...comments.values()],
    },
    setUser: (token, identity) => void tokens.set(token, identity),
    addIssue: (repo, number, opts) => void repoState(repo)!.issues.set(number, { pull: opts?.pull ?? false }),
    addPull: (repo, pull) => {
      const state = repoState(repo)!;
      state.pulls.set(pull.number, pull);
      state.issues.set(pull.number, { pull: true });
    },
    setPermission: (repo, login, role, userId) => void repoState(repo)!.roles.set(login.toLowerCase(), { role, id: userId ?? nextUserId++ }),
    faults: {
      add: (rule) => void rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY }),
      clear: () => void rules.splice(0),
    },
    afterAnswer: (method, path, then) => {
      hooks.push({ method: method.toUpperCase(), path, then });
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function matchesPath(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === 'string' ? path.includes(pattern) : pattern.test(path);
}

function splitOnce(text: string, sep: string): [string, string] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 1)];
}
