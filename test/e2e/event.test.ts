// describeEvent for every event kind the action meets: which PR/issue it is
// about, what to clone (and what with fork code allowed), fork or not, whether
// the actor must be checked, and the run's log link.
import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/github/event.ts';
import { EVENT_SHA, eventInput } from '../github/event-input.ts';

const SHA = EVENT_SHA;
const HEAD = 'b'.repeat(40);
const BASE = 'c'.repeat(40);

const input = eventInput;

function pullRequest(number: number, headRepo: string, headSha = HEAD) {
  return {
    number,
    head: { sha: headSha, ref: 'feature', repo: { full_name: headRepo } },
    base: { sha: BASE, ref: 'main', repo: { full_name: 'octo/app' } },
  };
}

/**
 * A workflow_run payload whose head is `branch` at HEAD in `headRepo` (null: a
 * deleted repository); `pull_requests` and the repository's default branch
 * only when given, as payloads may lack them.
 */
function workflowRun(headRepo: string | null, branch: string, more: { pullRequests?: object[]; defaultBranch?: string } = {}) {
  const [owner] = headRepo?.split('/') ?? [];
  return {
    workflow_run: {
      head_sha: HEAD,
      head_branch: branch,
      head_repository: headRepo === null ? null : { full_name: headRepo, owner: { login: owner } },
      ...(more.pullRequests ? { pull_requests: more.pullRequests } : {}),
    },
    ...(more.defaultBranch ? { repository: { default_branch: more.defaultBranch } } : {}),
  };
}

describe('describeEvent', () => {
  it('copies the run context and builds the log link', () => {
    const info = describeEvent(input('push', {}, { serverUrl: 'https://ghe.example/', apiUrl: 'https://ghe.example/api/v3/' }));
    expect(info).toMatchObject({
      eventName: 'push',
      owner: 'octo',
      repo: 'app',
      actor: 'octocat',
      runId: 4242,
      runAttempt: 1,
      job: 'claude',
      workflow: 'Claude',
      serverUrl: 'https://ghe.example',
      apiUrl: 'https://ghe.example/api/v3',
      runUrl: 'https://ghe.example/octo/app/actions/runs/4242',
    });
  });

  it('links a rerun to its attempt', () => {
    expect(describeEvent(input('push', {}, { runAttempt: 3 })).runUrl).toBe('https://github.com/octo/app/actions/runs/4242/attempts/3');
  });

  it('push: no PR, this repository at the pushed commit, no actor check', () => {
    const info = describeEvent(input('push', { ref: 'refs/heads/main', after: SHA }));
    expect(info.issueNumber).toBeUndefined();
    expect(info.fromFork).toBe(false);
    expect(info.needsActorCheck).toBe(false);
    expect(info.defaultRepo).toEqual({ spec: `octo/app@${SHA}`, repo: 'octo/app', ref: SHA, baseRef: undefined });
    expect(info.defaultRepoWithForkCode).toEqual(info.defaultRepo);
    expect(info.workflowRunHeadSha).toBeUndefined();
    expect(info.workflowRunHead).toBeUndefined();
  });

  it.each(['schedule', 'workflow_dispatch', 'repository_dispatch'])('%s: no PR, no actor check', (name) => {
    const info = describeEvent(input(name, name === 'workflow_dispatch' ? { inputs: { x: '1' } } : {}));
    expect(info.issueNumber).toBeUndefined();
    expect(info.needsActorCheck).toBe(false);
    expect(info.fromFork).toBe(false);
    expect(info.defaultRepo.spec).toBe(`octo/app@${SHA}`);
  });

  it('an empty sha clones the default branch', () => {
    const info = describeEvent(input('schedule', {}, { sha: '' }));
    expect(info.defaultRepo).toEqual({ spec: 'octo/app', repo: 'octo/app', ref: undefined, baseRef: undefined });
  });

  it('pull_request from the same repository: the PR, its head commit, no actor check', () => {
    const info = describeEvent(input('pull_request', { action: 'opened', number: 7, pull_request: pullRequest(7, 'octo/app') }));
    expect(info.issueNumber).toBe(7);
    expect(info.fromFork).toBe(false);
    expect(info.needsActorCheck).toBe(false);
    expect(info.defaultRepo).toEqual({ spec: `octo/app@${HEAD}`, repo: 'octo/app', ref: HEAD, baseRef: 'main' });
    expect(info.defaultRepoWithForkCode).toEqual(info.defaultRepo);
  });

  it('pull_request from a fork: the base side by default, the head through the base repository when fork code is allowed', () => {
    const info = describeEvent(input('pull_request', { number: 8, pull_request: pullRequest(8, 'mallory/app') }));
    expect(info.issueNumber).toBe(8);
    expect(info.fromFork).toBe(true);
    expect(info.defaultRepo).toEqual({ spec: `octo/app@${BASE}`, repo: 'octo/app', ref: BASE, baseRef: 'main' });
    // Never the fork's URL: the head is fetched from the base repository.
    expect(info.defaultRepoWithForkCode).toEqual({ spec: `octo/app@${HEAD}`, repo: 'octo/app', ref: HEAD, baseRef: 'main' });
  });

  it('a fork is recognised whatever the case of the names', () => {
    expect(describeEvent(input('pull_request', { pull_request: pullRequest(9, 'Octo/App') })).fromFork).toBe(false);
  });

  it('pull_request_target from a fork: base side unless allowed, and its author and sender are checked', () => {
    const pr = { ...pullRequest(10, 'mallory/app'), user: { login: 'mallory', type: 'User' } };
    const info = describeEvent(input('pull_request_target', { number: 10, pull_request: pr, sender: { login: 'octocat', type: 'User' } }));
    expect(info.issueNumber).toBe(10);
    expect(info.fromFork).toBe(true);
    expect(info.defaultRepo.ref).toBe(BASE);
    expect(info.baseSha).toBe(BASE);
    expect(info.needsActorCheck).toBe(true);
    expect(info.gatedActors).toEqual([
      { login: 'mallory', type: 'User', role: "the pull request's author" },
      { login: 'octocat', type: 'User', role: 'who sent the event' },
    ]);
  });

  it('a PR whose head repository was deleted (head.repo null: only a fork can be) counts as a fork', () => {
    const pr = { number: 11, head: { sha: HEAD, ref: 'gone', repo: null }, base: { sha: BASE, ref: 'main' } };
    const info = describeEvent(input('pull_request_target', { number: 11, pull_request: pr }));
    expect(info.fromFork).toBe(true);
    expect(info.defaultRepo.ref).toBe(BASE);
    expect(info.defaultRepoWithForkCode.ref).toBe(HEAD);
  });

  it('a workflow_run whose head repository was deleted counts as a fork', () => {
    const info = describeEvent(input('workflow_run', workflowRun(null, 'x', { pullRequests: [], defaultBranch: 'main' })));
    expect(info.fromFork).toBe(true);
    expect(info.defaultRepo.ref).toBe('main');
    expect(info.workflowRunHead).toEqual({ owner: undefined, branch: 'x', repo: undefined });
  });

  it('a PR payload without a head sha falls back to the PR ref', () => {
    const info = describeEvent(input('pull_request', { number: 12, pull_request: { number: 12, base: { ref: 'main' } } }));
    expect(info.defaultRepo).toEqual({ spec: 'octo/app@refs/pull/12/head', repo: 'octo/app', ref: 'refs/pull/12/head', baseRef: 'main' });
  });

  it('issue_comment on a PR: the PR to read before anything (the checks pin its head or base), and an actor check', () => {
    const info = describeEvent(
      input('issue_comment', { action: 'created', issue: { number: 5, pull_request: { url: 'https://api.github.com/repos/octo/app/pulls/5' } }, comment: { body: '/claude' } }),
    );
    expect(info.issueNumber).toBe(5);
    expect(info.needsActorCheck).toBe(true);
    expect(info.fromFork).toBe(false);
    expect(info.defaultRepo).toEqual({ spec: 'octo/app@refs/pull/5/head', repo: 'octo/app', ref: 'refs/pull/5/head', baseRef: undefined });
    expect(info.defaultRepoWithForkCode).toEqual(info.defaultRepo);
    expect(info.pullRequestToRead).toEqual({ number: 5, commitId: undefined });
  });

  it('review events name the commit reviewed; an issue comment on a plain issue reads no PR', () => {
    const review = describeEvent(input('pull_request_review', { pull_request: pullRequest(16, 'octo/app'), review: { commit_id: SHA } }));
    expect(review.pullRequestToRead).toEqual({ number: 16, commitId: SHA });
    const comment = describeEvent(input('pull_request_review_comment', { pull_request: pullRequest(17, 'octo/app'), comment: { commit_id: HEAD } }));
    expect(comment.pullRequestToRead).toEqual({ number: 17, commitId: HEAD });
    expect(describeEvent(input('issue_comment', { issue: { number: 6 }, comment: { body: 'hi' } })).pullRequestToRead).toBeUndefined();
    expect(describeEvent(input('push', {})).gatedActors).toEqual([]);
  });

  it('issue_comment on a plain issue: the issue, this repository at the event commit', () => {
    const info = describeEvent(input('issue_comment', { issue: { number: 6 }, comment: { body: 'hi' } }));
    expect(info.issueNumber).toBe(6);
    expect(info.needsActorCheck).toBe(true);
    expect(info.defaultRepo.spec).toBe(`octo/app@${SHA}`);
  });

  it('issues: the issue, with an actor check', () => {
    const info = describeEvent(input('issues', { action: 'opened', issue: { number: 13 } }));
    expect(info.issueNumber).toBe(13);
    expect(info.needsActorCheck).toBe(true);
    expect(info.defaultRepo.spec).toBe(`octo/app@${SHA}`);
  });

  it.each(['pull_request_review', 'pull_request_review_comment'])('%s: the PR and an actor check', (name) => {
    const info = describeEvent(input(name, { action: 'submitted', pull_request: pullRequest(14, 'octo/app'), review: { body: 'x' } }));
    expect(info.issueNumber).toBe(14);
    expect(info.needsActorCheck).toBe(true);
    expect(info.defaultRepo.ref).toBe(HEAD);
  });

  it('pull_request_review of a fork PR: base side, fork flagged, actor checked', () => {
    const info = describeEvent(input('pull_request_review', { pull_request: pullRequest(15, 'mallory/app') }));
    expect(info.fromFork).toBe(true);
    expect(info.needsActorCheck).toBe(true);
    expect(info.defaultRepo.ref).toBe(BASE);
  });

  it.each(['discussion', 'discussion_comment'])('%s: no PR, but an actor check', (name) => {
    const info = describeEvent(input(name, { discussion: { number: 3 } }));
    expect(info.issueNumber).toBeUndefined();
    expect(info.needsActorCheck).toBe(true);
  });

  it('workflow_run of a same-repository PR: the listed PR and the run head', () => {
    const info = describeEvent(
      input('workflow_run', workflowRun('octo/app', 'feature', { pullRequests: [{ number: 21, base: { ref: 'main' } }], defaultBranch: 'main' })),
    );
    expect(info.issueNumber).toBe(21);
    expect(info.fromFork).toBe(false);
    // Its actor and triggering actor (absent here: empty logins, which the check refuses).
    expect(info.needsActorCheck).toBe(true);
    expect(info.gatedActors.map((a) => a.role)).toEqual(["the failed run's actor", 'who triggered that run']);
    expect(info.workflowRunHeadSha).toBe(HEAD);
    expect(info.workflowRunHead).toEqual({ owner: 'octo', branch: 'feature', repo: 'octo/app' });
    expect(info.defaultRepo).toEqual({ spec: `octo/app@${HEAD}`, repo: 'octo/app', ref: HEAD, baseRef: 'main' });
  });

  it('workflow_run of a fork PR (pull_requests empty): no number, the head to find it by, the default branch to clone', () => {
    const info = describeEvent(input('workflow_run', workflowRun('mallory/app', 'patch-1', { pullRequests: [], defaultBranch: 'trunk' })));
    expect(info.issueNumber).toBeUndefined();
    expect(info.fromFork).toBe(true);
    expect(info.workflowRunHeadSha).toBe(HEAD);
    expect(info.workflowRunHead).toEqual({ owner: 'mallory', branch: 'patch-1', repo: 'mallory/app' });
    expect(info.defaultRepo).toEqual({ spec: 'octo/app@trunk', repo: 'octo/app', ref: 'trunk', baseRef: undefined });
    expect(info.defaultRepoWithForkCode).toEqual({ spec: `octo/app@${HEAD}`, repo: 'octo/app', ref: HEAD, baseRef: undefined });
  });

  it('workflow_run of a push (no PRs, same repository): no number, the run head', () => {
    const info = describeEvent(input('workflow_run', workflowRun('octo/app', 'main')));
    expect(info.issueNumber).toBeUndefined();
    expect(info.fromFork).toBe(false);
    expect(info.defaultRepo.ref).toBe(HEAD);
  });

  it('ignores malformed payload fields instead of throwing', () => {
    const info = describeEvent(input('pull_request', { number: 'seven', pull_request: { number: null, head: 'x', base: 3 } }));
    expect(info.issueNumber).toBeUndefined();
    expect(info.fromFork).toBe(false);
    const run = describeEvent(input('workflow_run', { workflow_run: { pull_requests: 'none', head_sha: 5 } }));
    expect(run.issueNumber).toBeUndefined();
    expect(run.workflowRunHeadSha).toBeUndefined();
  });

  it('a top-level number alone (e.g. pull_request without a pull_request object) still names the PR', () => {
    expect(describeEvent(input('pull_request', { number: 30 })).issueNumber).toBe(30);
  });
});
