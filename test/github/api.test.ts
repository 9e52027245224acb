// The API wrapper against the fake: error mapping, Link pagination, identity.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubApi, GitHubApiError, nextLink, sameIdentity } from '../../src/github/api.ts';
import { GITHUB_ACTIONS_BOT, startGitHubFake, type GitHubFake } from './fake.ts';

const REPO = 'octo/app';
let gh: GitHubFake;
const T0 = 1_800_000_000_000;

beforeEach(async () => {
  gh = await startGitHubFake({ now: () => T0 });
  gh.setUser('ghs_bot', { ...GITHUB_ACTIONS_BOT, installation: true });
  gh.setUser('ghp_user', { login: 'octocat', id: 583231, type: 'User' });
  gh.addIssue(REPO, 3, { pull: true });
});
afterEach(async () => {
  await gh.close();
});

const api = (token: string, now = () => T0): GitHubApi => new GitHubApi({ token, apiUrl: `${gh.url}/`, now, timeoutMs: 5000 });

async function failure(p: Promise<unknown>): Promise<GitHubApiError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(GitHubApiError);
    return error as GitHubApiError;
  }
  throw new Error('expected a failure');
}

describe('GitHubApi', () => {
  it('lists every comment across pages by following Link rel="next"', async () => {
    for (let i = 0; i < 205; i++) gh.comments.add(REPO, 3, { login: 'x', id: 1 }, `c${i}`);
    const bodies: string[] = [];
    for await (const c of api('ghp_user').issueComments('octo', 'app', 3)) bodies.push(c.body);
    expect(bodies).toEqual(Array.from({ length: 205 }, (_, i) => `c${i}`));
    const gets = gh.requests.filter((r) => r.method === 'GET');
    expect(gets.map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(gets[0]!.query.per_page).toBe('100');
    expect(gets[1]!.path).toMatch(/^\/repositories\/\d+\/issues\/3\/comments$/);
    expect(gets.every((r) => r.as === 'octocat')).toBe(true);
  });

  it('maps a 403 to status, GitHub\'s message and x-github-request-id, not rate limited', async () => {
    gh.setUser('ghs_ro', { ...GITHUB_ACTIONS_BOT, installation: true, readOnly: true });
    const e = await failure(api('ghs_ro').createIssueComment('octo', 'app', 3, 'x'));
    expect(e.status).toBe(403);
    expect(e.apiMessage).toBe('Resource not accessible by integration');
    expect(e.requestId).toMatch(/:/);
    expect(e.rateLimited).toBeUndefined();
    expect(e.path).toBe('/repos/octo/app/issues/3/comments');
    expect(e.message).not.toContain('ghs_ro');
  });

  it('maps 422 with the validation detail', async () => {
    const e = await failure(api('ghp_user').createIssueComment('octo', 'app', 3, 'x'.repeat(70_000)));
    expect(e.status).toBe(422);
    expect(e.apiMessage).toContain('body is too long (maximum is 65536 characters)');
  });

  it('primary rate limit: wait until x-ratelimit-reset', async () => {
    gh.faults.add({ kind: 'primary-rate-limit', resetEpochSeconds: T0 / 1000 + 90 });
    const e = await failure(api('ghp_user').getIssueComment('octo', 'app', 1));
    expect(e.rateLimited).toBe('primary');
    expect(e.retryAfterMs).toBe(90_000);
  });

  it('secondary rate limit: retry-after when given, else a minute', async () => {
    gh.faults.add({ kind: 'secondary-rate-limit', retryAfterSeconds: 42, times: 1 });
    const a = await failure(api('ghp_user').createIssueComment('octo', 'app', 3, 'x'));
    expect([a.status, a.rateLimited, a.retryAfterMs]).toEqual([403, 'secondary', 42_000]);
    gh.faults.add({ kind: 'secondary-rate-limit', times: 1 });
    const b = await failure(api('ghp_user').createIssueComment('octo', 'app', 3, 'x'));
    expect([b.rateLimited, b.retryAfterMs]).toEqual(['secondary', 60_000]);
  });

  it('a connection reset is status 0; a 500 is 500', async () => {
    gh.faults.add({ kind: 'network-reset', times: 1 });
    const e = await failure(api('ghp_user').getPull('octo', 'app', 1));
    expect(e.status).toBe(0);
    gh.faults.add({ kind: 'server-error', times: 1 });
    expect((await failure(api('ghp_user').getPull('octo', 'app', 1))).status).toBe(500);
  });

  it('whoAmI: GraphQL viewer for the workflow token (GET /user would be 403), and for a PAT', async () => {
    expect(await api('ghs_bot').whoAmI()).toEqual({ login: 'github-actions[bot]', id: 41898282 });
    expect(await api('ghp_user').whoAmI()).toEqual({ login: 'octocat', id: 583231 });
    expect(gh.requests.some((r) => r.path === '/user')).toBe(false);
  });

  it('whoAmI falls back to GET /user when GraphQL fails, and gives up when neither answers', async () => {
    gh.faults.add({ kind: 'server-error', path: '/graphql' });
    expect(await api('ghp_user').whoAmI()).toEqual({ login: 'octocat', id: 583231 });
    expect(await api('ghs_bot').whoAmI()).toBeUndefined();
  });

  it('nextLink and sameIdentity', () => {
    expect(nextLink('<https://x/r?page=2>; rel="next", <https://x/r?page=5>; rel="last"')).toBe('https://x/r?page=2');
    expect(nextLink('<https://x/r?page=1>; rel="prev"')).toBeUndefined();
    expect(sameIdentity({ login: 'A[bot]' }, { login: 'a[bot]', id: 3 })).toBe(true);
    expect(sameIdentity({ login: 'a', id: 1 }, { login: 'a', id: 2 })).toBe(false);
    expect(sameIdentity(undefined, { login: 'a' })).toBe(false);
  });
});
