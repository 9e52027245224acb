import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubApi } from '../../src/github/api.ts';
import { findPullRequest } from '../../src/github/find-pr.ts';
import { startFakeWithBotApi } from './bot-api.ts';
import type { GitHubFake } from './fake.ts';

const REPO = 'octo/app';
const SHA = 'a'.repeat(40);
let gh: GitHubFake;
let api: GitHubApi;

beforeEach(async () => {
  ({ gh, api } = await startFakeWithBotApi());
});
afterEach(async () => {
  await gh.close();
});

const find = (extra: { headOwner?: string; headBranch?: string; headRepo?: string; headSha?: string } = {}) =>
  findPullRequest({ api, owner: 'octo', repo: 'app', headSha: SHA, ...extra });

describe('findPullRequest', () => {
  it('same-repo PR: found by commits/{sha}/pulls alone, preferring the open PR', async () => {
    gh.addPull(REPO, { number: 4, state: 'closed', merged: true, headSha: SHA, headRef: 'old', headRepo: REPO });
    gh.addPull(REPO, { number: 9, state: 'open', headSha: SHA, headRef: 'fix', headRepo: REPO });
    expect(await find()).toBe(9);
    expect(gh.requests.map((r) => r.path)).toEqual(['/repos/octo/app/commits/' + SHA + '/pulls']);
  });

  it('fork PR: commits/{sha}/pulls is empty; found by head=owner:branch', async () => {
    gh.addPull(REPO, { number: 21, state: 'open', headSha: SHA, headRef: 'patch-1', headRepo: 'forker/app' });
    expect(await find({ headOwner: 'forker', headBranch: 'patch-1', headRepo: 'forker/app' })).toBe(21);
    const byHead = gh.requests.find((r) => r.path === '/repos/octo/app/pulls' && r.query.head);
    expect(byHead?.query.head).toBe('forker:patch-1');
  });

  it('fork PR without head owner/branch: found by scanning open PRs for the head sha', async () => {
    for (let n = 1; n <= 150; n++) gh.addPull(REPO, { number: n, state: 'open', headSha: n === 37 ? SHA : `${n}`.padStart(40, '0'), headRef: `b${n}`, headRepo: `user${n}/app` });
    expect(await find()).toBe(37);
  });

  it('the head sha must match: a PR on the same branch with a newer head is not taken', async () => {
    gh.addPull(REPO, { number: 30, state: 'open', headSha: 'f'.repeat(40), headRef: 'patch-1', headRepo: 'forker/app' });
    expect(await find({ headOwner: 'forker', headBranch: 'patch-1' })).toBeUndefined();
  });

  it('prefers the PR from the named head repository when two share the sha', async () => {
    gh.addPull(REPO, { number: 40, state: 'open', headSha: SHA, headRef: 'x', headRepo: 'copycat/app' });
    gh.addPull(REPO, { number: 41, state: 'open', headSha: SHA, headRef: 'x', headRepo: 'forker/app' });
    expect(await find({ headRepo: 'forker/app' })).toBe(41);
  });

  it('nothing found: undefined; an empty sha asks nothing', async () => {
    gh.addIssue(REPO, 1);
    expect(await find()).toBeUndefined();
    const before = gh.requests.length;
    expect(await find({ headSha: '' })).toBeUndefined();
    expect(gh.requests.length).toBe(before);
  });

  it('a 422 "No commit found" from commits/{sha}/pulls falls through to the other ways', async () => {
    gh.addPull(REPO, { number: 21, state: 'open', headSha: SHA, headRef: 'patch-1', headRepo: 'forker/app' });
    gh.faults.add({ kind: 'unprocessable', path: '/commits/', times: 1 });
    expect(await find({ headOwner: 'forker', headBranch: 'patch-1' })).toBe(21);
  });

  it('API errors propagate as GitHubApiError for the caller to report', async () => {
    gh.faults.add({ kind: 'server-error' });
    await expect(find()).rejects.toMatchObject({ name: 'GitHubApiError', status: 500 });
  });
});
