// The checks phase on its own: who may start a run and which commit each
// repository is, against the GitHub REST fake and a table of remote refs in
// place of git ls-remote.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApi } from '../../src/github/api.ts';
import { describeEvent } from '../../src/github/event.ts';
import type { RemoteRefs, RemoteRefsReader } from '../../src/github/remote-refs.ts';
import { runChecks } from '../../src/run/checks.ts';
import { readSettings, type Settings } from '../../src/settings.ts';
import { eventInput } from '../github/event-input.ts';
import { startGitHubFake, type GitHubFake } from '../github/fake.ts';

const TOKEN = 'ghs_checks0123456789';
const MAIN = '1'.repeat(40);
const HEAD = '2'.repeat(40);
const BASE = '3'.repeat(40);
const RELEASE = '4'.repeat(40);

/** octo/app's server: main is the default branch, release a branch, v1 an annotated tag. */
const remote: RemoteRefs = {
  head: { branch: 'main', sha: MAIN },
  refs: new Map([
    ['refs/heads/main', MAIN],
    ['refs/heads/release', RELEASE],
    ['refs/tags/v1', '5'.repeat(40)],
    ['refs/tags/v1^{}', '6'.repeat(40)],
  ]),
};

function settingsFor(event: ReturnType<typeof describeEvent>, inputs: Record<string, string> = {}): Settings {
  const all: Record<string, string> = { prompt: 'x', 'anthropic-api-key': 'k', 'fly-api-token': 't', 'fly-app': 'app', 'github-token': TOKEN, ...inputs };
  return readSettings((n) => all[n] ?? '', {
    defaultRepo: event.defaultRepo,
    defaultRepoWithForkCode: event.defaultRepoWithForkCode,
    fromFork: event.fromFork,
    defaultImage: 'img',
    promptFileDirs: ['/ws'],
    readFile: () => ({ kind: 'missing' }),
  });
}

describe('runChecks', () => {
  let gh: GitHubFake;
  let api: GitHubApi;
  const asked: string[] = [];
  const refs: RemoteRefsReader = async (url, names) => {
    asked.push(`${url} ${names.join(' ')}`.trim());
    if (url.includes('unreachable')) throw new Error('could not read from remote repository');
    return remote;
  };

  beforeAll(async () => {
    gh = await startGitHubFake();
    gh.setUser(TOKEN, { login: 'github-actions[bot]', id: 1, type: 'Bot', installation: true });
    gh.setPermission('octo/app', 'octocat', 'write');
    gh.setPermission('octo/app', 'mallory', 'read');
    gh.addPull('octo/app', { number: 7, state: 'open', headSha: HEAD, headRef: 'patch', headRepo: 'mallory/app', baseSha: BASE });
    gh.addPull('octo/app', { number: 8, state: 'open', headSha: HEAD, headRef: 'feature', headRepo: 'octo/app', baseSha: BASE });
    api = new GitHubApi({ token: TOKEN, apiUrl: gh.url });
  });
  afterAll(async () => {
    await gh?.close();
  });

  const check = async (name: string, payload: object, inputs: Record<string, string> = {}, actor = 'octocat') => {
    const event = describeEvent(eventInput(name, payload as Record<string, unknown>, { actor }));
    return runChecks({ settings: settingsFor(event, inputs), event, github: api, remoteRefs: refs, checkCredential: async () => ({ status: 'accepted' }) });
  };
  const comment = (number: number) => ({ issue: { number, pull_request: {} }, comment: { body: 'x' } });

  it("a comment on a fork's PR pins the base read from the API, and says so", async () => {
    const result = await check('issue_comment', comment(7));
    expect(result).toEqual({
      kind: 'go',
      clones: [{ repo: 'octo/app', sha: BASE, baseRef: 'main', trustedSha: BASE, what: 'base of PR #7 (main)' }],
      notes: ['Pull request #7 comes from a fork: its code is not cloned (allow-fork-code is false); its base is.'],
    });
  });

  it('with allow-fork-code, or on a same-repository PR, the head read from the API', async () => {
    const fork = await check('issue_comment', comment(7), { 'allow-fork-code': 'true' });
    expect(fork.kind === 'go' && fork.clones[0]).toMatchObject({ sha: HEAD, trustedSha: BASE, what: 'head of PR #7' });
    const same = await check('issue_comment', comment(8));
    expect(same.kind === 'go' && same.clones[0]).toMatchObject({ sha: HEAD, trustedSha: BASE, what: 'head of PR #8' });
  });

  it('a review comment pins the commit reviewed', async () => {
    const reviewed = '7'.repeat(40);
    const result = await check('pull_request_review_comment', { pull_request: { number: 8, head: { sha: HEAD, repo: { full_name: 'octo/app' } }, base: { sha: BASE } }, comment: { commit_id: reviewed } });
    expect(result.kind === 'go' && result.clones[0]).toMatchObject({ sha: reviewed, what: 'PR #8 at the reviewed commit' });
  });

  it('refuses a commenter without write access before reading anything else of theirs', async () => {
    const result = await check('issue_comment', comment(8), {}, 'mallory');
    expect(result.kind).toBe('skip');
    expect(result.kind === 'skip' && result.notice).toMatch(/^Not running Claude for mallory \(who triggered the event\): mallory has read access/);
  });

  it('workflow_run: both actors must pass; one refusal is enough', async () => {
    const run = (actor: string, triggering: string) => ({
      workflow_run: { head_sha: HEAD, head_repository: { full_name: 'octo/app' }, actor: { login: actor }, triggering_actor: { login: triggering } },
    });
    expect((await check('workflow_run', run('octocat', 'octocat'))).kind).toBe('go');
    expect((await check('workflow_run', run('mallory', 'octocat'))).kind).toBe('skip');
    expect((await check('workflow_run', run('octocat', 'mallory'))).kind).toBe('skip');
    const unnamed = await check('workflow_run', { workflow_run: { head_sha: HEAD, head_repository: { full_name: 'octo/app' } } });
    expect(unnamed.kind === 'skip' && unnamed.notice).toMatch(/names no actor/);
  });

  it('an account the payload calls a Bot is refused unless listed, whatever its login', async () => {
    const target = (type: string) => ({ pull_request: { number: 8, user: { login: 'octocat', type }, head: { sha: HEAD, repo: { full_name: 'octo/app' } }, base: { sha: BASE } }, sender: { login: 'octocat', type: 'User' } });
    expect((await check('pull_request_target', target('Bot'))).kind).toBe('skip');
    expect((await check('pull_request_target', target('User'))).kind).toBe('go');
  });

  it('named refs are pinned through the remote: a branch, a peeled tag, a sha; the default branch is trusted', async () => {
    asked.length = 0;
    const result = await check('push', {}, { repos: 'octo/app@release, octo/app@v1, octo/app' });
    expect(result.kind === 'go' && result.clones.map((c) => [c.sha, c.trustedSha, c.what])).toEqual([
      [RELEASE, MAIN, 'release'],
      ['6'.repeat(40), MAIN, 'v1'],
      [MAIN, MAIN, 'default branch (main)'],
    ]);
    expect(asked[0]).toBe('https://github.com/octo/app.git refs/heads/release refs/tags/release refs/tags/release^{}');
  });

  it('a ref the server does not have, or an unreachable server, stops the run before anything starts', async () => {
    await expect(check('push', {}, { repos: 'octo/app@nope' })).rejects.toThrow('octo/app has no branch, tag or ref "nope" (a commit must be given as its full SHA), so nothing was started.');
    await expect(check('push', {}, { repos: 'https://unreachable.example/o/r@main' })).rejects.toThrow(/Could not ask https:\/\/unreachable.example\/o\/r which commit "main" is/);
  });

  it('a refused Anthropic key stops the run before any machine, naming its input', async () => {
    const event = describeEvent(eventInput('push', {}));
    const run = runChecks({ settings: settingsFor(event), event, github: api, remoteRefs: refs, checkCredential: async () => ({ status: 'refused', message: 'authentication_error: invalid x-api-key' }) });
    await expect(run).rejects.toThrow('anthropic-api-key was refused by the Anthropic API (authentication_error: invalid x-api-key); no machine was started.');
  });

  it('a full sha on an unreachable server is still cloned, with no instructions trusted', async () => {
    const sha = '8'.repeat(40);
    const result = await check('push', {}, { repos: `https://unreachable.example/o/r@${sha}` });
    expect(result.kind === 'go' && result.clones[0]).toMatchObject({ sha, trustedSha: undefined });
    expect(result.kind === 'go' && result.notes[0]).toMatch(/no instructions from it are loaded/);
  });
});
