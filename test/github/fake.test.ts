// The fake against GitHub's documented behaviour, spoken to with plain fetch
// (not our client), so the client tests rest on a fake that is right.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMENT_MAX_CHARS, GITHUB_ACTIONS_BOT, SECONDARY_RATE_LIMIT_MESSAGE, startGitHubFake, type GitHubFake } from './fake.ts';

const REPO = 'octo/app';
const BOT_TOKEN = 'ghs_workflowtoken0000000000000000000000';
const PAT = 'ghp_personaltoken000000000000000000000000';

let gh: GitHubFake;
beforeEach(async () => {
  gh = await startGitHubFake();
  gh.setUser(BOT_TOKEN, { ...GITHUB_ACTIONS_BOT, installation: true });
  gh.setUser(PAT, { login: 'octocat', id: 583231, type: 'User' });
  gh.addIssue(REPO, 7, { pull: true });
});
afterEach(async () => {
  await gh.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes, checked by the assertions
async function call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; headers: Headers; json: any }> {
  const url = path.startsWith('http') ? path : `${gh.url}${path}`;
  const headers: Record<string, string> = { accept: 'application/vnd.github+json' };
  if (token) headers.authorization = `token ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const m = /<([^>]+)>;\s*rel="([^"]+)"/.exec(part.trim());
    if (m) out[m[2]!] = m[1]!;
  }
  return out;
}

describe('issue comments', () => {
  it('creates a comment with the documented shape: 201, Location, user, html_url, timestamps', async () => {
    const res = await call('POST', `/repos/${REPO}/issues/7/comments`, BOT_TOKEN, { body: 'hello' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${gh.url}/repos/${REPO}/issues/comments/${res.json.id}`);
    expect(res.json).toMatchObject({
      body: 'hello',
      user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      html_url: `https://github.com/${REPO}/pull/7#issuecomment-${res.json.id}`,
    });
    expect(res.json.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(res.json.updated_at).toBe(res.json.created_at);
    expect(res.headers.get('x-github-request-id')).toMatch(/^[0-9A-F]+:[0-9A-F]+:[0-9A-F]+$/);
    expect(gh.comments.list(REPO, 7).map((c) => c.body)).toEqual(['hello']);
  });

  it('PATCH edits in place; GET by id returns it; unknown ids 404', async () => {
    const created = await call('POST', `/repos/${REPO}/issues/7/comments`, PAT, { body: 'v1' });
    const patched = await call('PATCH', `/repos/${REPO}/issues/comments/${created.json.id}`, PAT, { body: 'v2' });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ id: created.json.id, body: 'v2' });
    const got = await call('GET', `/repos/${REPO}/issues/comments/${created.json.id}`, PAT);
    expect(got.json.body).toBe('v2');
    expect((await call('GET', `/repos/${REPO}/issues/comments/1`, PAT)).status).toBe(404);
    expect((await call('POST', `/repos/${REPO}/issues/999/comments`, PAT, { body: 'x' })).status).toBe(404);
  });

  it('paginates in ascending id: default 30, max 100, Link with next/last/prev/first in the /repositories/{id} form', async () => {
    for (let i = 0; i < 250; i++) gh.comments.add(REPO, 7, { login: 'someone', id: 5 }, `c${i}`);
    const first = await call('GET', `/repos/${REPO}/issues/7/comments`, PAT);
    expect(first.json).toHaveLength(30);
    const big = await call('GET', `/repos/${REPO}/issues/7/comments?per_page=500`, PAT);
    expect(big.json).toHaveLength(100);
    const rel = links(big.headers.get('link'));
    expect(Object.keys(rel).sort()).toEqual(['last', 'next']);
    expect(rel.next).toMatch(new RegExp(`^${gh.url}/repositories/\\d+/issues/7/comments\\?`));
    expect(new URL(rel.last!).searchParams.get('page')).toBe('3');

    const bodies: string[] = [];
    let next: string | undefined = `/repos/${REPO}/issues/7/comments?per_page=100`;
    let pages = 0;
    while (next) {
      const page = await call('GET', next, PAT);
      bodies.push(...page.json.map((c: { body: string }) => c.body));
      const r = links(page.headers.get('link'));
      if (pages === 2) expect(Object.keys(r).sort()).toEqual(['first', 'prev']);
      next = r.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(bodies).toEqual(Array.from({ length: 250 }, (_, i) => `c${i}`));
  });

  it('answers 422 with GitHub\'s message for a body over 65,536 characters (code points), accepts exactly 65,536', async () => {
    const ok = await call('POST', `/repos/${REPO}/issues/7/comments`, PAT, { body: 'é'.repeat(COMMENT_MAX_CHARS) });
    expect(ok.status).toBe(201);
    const emoji = await call('POST', `/repos/${REPO}/issues/7/comments`, PAT, { body: '😀'.repeat(COMMENT_MAX_CHARS) });
    expect(emoji.status).toBe(201); // 131,072 UTF-16 units but 65,536 characters
    const long = await call('POST', `/repos/${REPO}/issues/7/comments`, PAT, { body: 'x'.repeat(COMMENT_MAX_CHARS + 1) });
    expect(long.status).toBe(422);
    expect(long.json.message).toBe('Validation Failed');
    expect(long.json.errors[0].message).toBe('body is too long (maximum is 65536 characters)');
    const patch = await call('PATCH', `/repos/${REPO}/issues/comments/${ok.json.id}`, PAT, { body: 'y'.repeat(COMMENT_MAX_CHARS + 1) });
    expect(patch.status).toBe(422);
    expect(gh.comments.get(ok.json.id)?.body).toBe('é'.repeat(COMMENT_MAX_CHARS));
  });
});

describe('auth and identity', () => {
  it('401 for an unknown token and for anonymous writes; anonymous reads pass', async () => {
    const bad = await call('GET', `/repos/${REPO}/issues/7/comments`, 'ghp_nope');
    expect(bad.status).toBe(401);
    expect(bad.json.message).toBe('Bad credentials');
    expect((await call('POST', `/repos/${REPO}/issues/7/comments`, undefined, { body: 'x' })).status).toBe(401);
    expect((await call('GET', `/repos/${REPO}/issues/7/comments`)).status).toBe(200);
  });

  it('GET /user: 403 "Resource not accessible by integration" for an installation token, the user for a PAT', async () => {
    const bot = await call('GET', '/user', BOT_TOKEN);
    expect(bot.status).toBe(403);
    expect(bot.json.message).toBe('Resource not accessible by integration');
    const user = await call('GET', '/user', PAT);
    expect(user.json).toMatchObject({ login: 'octocat', id: 583231, type: 'User' });
  });

  it('GraphQL viewer answers for both kinds of token', async () => {
    const q = { query: 'query { viewer { login databaseId } }' };
    expect((await call('POST', '/graphql', BOT_TOKEN, q)).json).toEqual({ data: { viewer: { login: 'github-actions[bot]', databaseId: 41898282 } } });
    expect((await call('POST', '/graphql', PAT, q)).json).toEqual({ data: { viewer: { login: 'octocat', databaseId: 583231 } } });
  });

  it('a read-only token (fork PR) may read but every write is 403 "Resource not accessible by integration"', async () => {
    gh.setUser('ghs_readonly', { ...GITHUB_ACTIONS_BOT, installation: true, readOnly: true });
    expect((await call('GET', `/repos/${REPO}/issues/7/comments`, 'ghs_readonly')).status).toBe(200);
    const post = await call('POST', `/repos/${REPO}/issues/7/comments`, 'ghs_readonly', { body: 'x' });
    expect(post.status).toBe(403);
    expect(post.json.message).toBe('Resource not accessible by integration');
    expect(gh.comments.list(REPO, 7)).toHaveLength(0);
  });

  it('records every request with the acting login, never the token', async () => {
    await call('POST', `/repos/${REPO}/issues/7/comments?x=1`, PAT, { body: 'hi' });
    const r = gh.requests.at(-1)!;
    expect(r).toMatchObject({ method: 'POST', path: `/repos/${REPO}/issues/7/comments`, query: { x: '1' }, body: { body: 'hi' }, as: 'octocat', status: 201 });
    expect(JSON.stringify(gh.requests)).not.toContain(PAT);
  });

  it('sends x-ratelimit headers: 1,000/h for the workflow token, 5,000/h for a user', async () => {
    const a = await call('GET', `/repos/${REPO}/issues/7/comments`, BOT_TOKEN);
    expect(a.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(a.headers.get('x-ratelimit-remaining')).toBe('999');
    const b = await call('GET', `/repos/${REPO}/issues/7/comments`, PAT);
    expect(b.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(Number(b.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
  });
});

describe('permissions and pulls', () => {
  it('collaborator permission: legacy base role plus role_name; 404 for unknown users', async () => {
    gh.setPermission(REPO, 'maint', 'maintain');
    gh.setPermission(REPO, 'tri', 'triage');
    gh.setPermission(REPO, 'nobody', 'none');
    expect((await call('GET', `/repos/${REPO}/collaborators/maint/permission`, PAT)).json).toMatchObject({ permission: 'write', role_name: 'maintain', user: { login: 'maint' } });
    expect((await call('GET', `/repos/${REPO}/collaborators/tri/permission`, PAT)).json).toMatchObject({ permission: 'read', role_name: 'triage' });
    expect((await call('GET', `/repos/${REPO}/collaborators/nobody/permission`, PAT)).json.permission).toBe('none');
    expect((await call('GET', `/repos/${REPO}/collaborators/ghost/permission`, PAT)).status).toBe(404);
  });

  it('commits/{sha}/pulls finds same-repo PRs but not a fork PR\'s head; pulls?head=owner:branch does', async () => {
    const sha = 'a'.repeat(40);
    gh.addPull(REPO, { number: 10, state: 'open', headSha: sha, headRef: 'fix', headRepo: 'forker/app' });
    gh.addPull(REPO, { number: 11, state: 'open', headSha: 'c'.repeat(40), headRef: 'feat', headRepo: REPO });
    expect((await call('GET', `/repos/${REPO}/commits/${sha}/pulls`, PAT)).json).toEqual([]);
    const same = await call('GET', `/repos/${REPO}/commits/${'c'.repeat(40)}/pulls`, PAT);
    expect(same.json.map((p: { number: number }) => p.number)).toEqual([11]);
    const byHead = await call('GET', `/repos/${REPO}/pulls?head=forker:fix`, PAT);
    expect(byHead.json).toHaveLength(1);
    expect(byHead.json[0]).toMatchObject({ number: 10, head: { sha, ref: 'fix', repo: { full_name: 'forker/app' } } });
    expect((await call('GET', `/repos/${REPO}/pulls/10`, PAT)).json.number).toBe(10);
    expect((await call('GET', `/repos/${REPO}/pulls/99`, PAT)).status).toBe(404);
  });
});

describe('faults', () => {
  it('primary rate limit: 403 with x-ratelimit-remaining 0 and x-ratelimit-reset', async () => {
    gh.faults.add({ kind: 'primary-rate-limit', resetEpochSeconds: 1_900_000_000, times: 1 });
    const res = await call('GET', `/repos/${REPO}/issues/7/comments`, PAT);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('x-ratelimit-reset')).toBe('1900000000');
    expect(res.json.message).toMatch(/^API rate limit exceeded/);
    expect((await call('GET', `/repos/${REPO}/issues/7/comments`, PAT)).status).toBe(200);
  });

  it('secondary rate limit: 403, retry-after, the documented message', async () => {
    gh.faults.add({ kind: 'secondary-rate-limit', retryAfterSeconds: 60, method: 'POST' });
    expect((await call('GET', `/repos/${REPO}/issues/7/comments`, PAT)).status).toBe(200);
    const res = await call('POST', `/repos/${REPO}/issues/7/comments`, PAT, { body: 'x' });
    expect(res.status).toBe(403);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(res.json.message).toBe(SECONDARY_RATE_LIMIT_MESSAGE);
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
  });

  it('404, 422, 500 by path, and a connection reset', async () => {
    gh.faults.add({ kind: 'server-error', path: '/issues/7/comments', times: 1 });
    gh.faults.add({ kind: 'not-found', path: /\/pulls\/\d+$/, times: 1 });
    expect((await call('GET', `/repos/${REPO}/issues/7/comments`, PAT)).status).toBe(500);
    expect((await call('GET', `/repos/${REPO}/pulls/1`, PAT)).status).toBe(404);
    gh.faults.clear();
    gh.faults.add({ kind: 'unprocessable', times: 1 });
    expect((await call('POST', `/repos/${REPO}/issues/7/comments`, PAT, { body: 'x' })).status).toBe(422);
    gh.faults.add({ kind: 'network-reset', times: 1 });
    await expect(call('GET', `/repos/${REPO}/issues/7/comments`, PAT)).rejects.toThrow();
    expect((await call('GET', `/repos/${REPO}/issues/7/comments`, PAT)).status).toBe(200);
  });
});
