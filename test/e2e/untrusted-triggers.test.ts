// Events that strangers can cause, replayed as an attacker would through the
// bundled action: what gets cloned for a comment on a fork's PR, a review, a
// push that lands after the check; who may start a paid run from a failed CI
// run or a pull_request_target; and where the runner's key check sends the key.
// The machine's scripted claude prints the commit it was started in, so each
// test judges what was really checked out, not what the action says.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKIPPED_ANNOTATION } from '../../src/report/annotations.ts';
import { git } from '../image/harness.ts';
import { createRequests, lastSeq } from './requests.ts';
import { fakePlan, init, result, say } from './scripted-claude.ts';
import { prPayload, runBundledAction, startWorld, TOKENS, type World } from './world.ts';

const REPO = 'octo/app';

/** Pushes a commit that adds `file` to `ref` of octo/app on the world's git server; returns its sha. */
function pushCommit(world: World, ref: string, file: string, from = 'main'): string {
  const work = mkdtempSync(join(world.root, 'push-'));
  const bare = join(world.serverUrl.replace(/^file:\/\//, ''), 'octo', 'app.git');
  git(work, ['clone', '-q', bare, 'w']);
  const dir = join(work, 'w');
  git(dir, ['checkout', '-q', '--detach', from]);
  writeFileSync(join(dir, file), `${file}\n`);
  git(dir, ['add', file]);
  git(dir, ['commit', '-q', '-m', `add ${file}`]);
  git(dir, ['push', '-q', '-f', 'origin', `HEAD:${ref}`]);
  return git(dir, ['rev-parse', 'HEAD']);
}

/** A run whose claude prints the commit checked out where it starts, then succeeds. */
function printsHead(world: World): Record<string, string> {
  return fakePlan(world, ['head', [init(), say('Looked.'), result({})]]);
}

function checkedOut(stdout: string): string | undefined {
  return /checked-out=([0-9a-f]{40})/.exec(stdout)?.[1];
}

function prComment(number: number, login = 'octocat') {
  return {
    action: 'created',
    issue: { number, pull_request: { url: `https://api.github.com/repos/${REPO}/pulls/${number}` } },
    comment: { id: 1, body: '@claude why does this fail?', user: { login } },
  };
}

describe('end to end: untrusted triggers never reach the credentials', () => {
  let world: World;
  let main: string;
  beforeAll(async () => {
    world = await startWorld({ claude: 'fake' });
    world.github.setUser(TOKENS.github, { login: 'github-actions[bot]', id: 41898282, type: 'Bot', installation: true });
    world.github.setPermission(REPO, 'octocat', 'write');
    world.github.setPermission(REPO, 'mallory', 'read');
    main = world.repo.main;
  });
  afterAll(async () => {
    await world?.close();
  });

  describe('a comment or review on a PR clones what the runner read, never a ref resolved later', () => {
    it("a maintainer's comment on a fork's PR clones the base side, not the fork's code", async () => {
      const forkHead = pushCommit(world, 'refs/pull/21/head', 'fork-payload.sh');
      world.github.addPull(REPO, { number: 21, state: 'open', headSha: forkHead, headRef: 'patch-1', headRepo: 'mallory/app', baseSha: main });
      const { main: step } = await runBundledAction(world, { event: { name: 'issue_comment', payload: prComment(21) }, inputs: printsHead(world) });
      expect(step.outputs.conclusion).toBe('success');
      expect(checkedOut(step.stdout)).toBe(main);
      expect(step.stdout).toContain(`Cloning ${REPO} at ${main} (base of PR #21 (main))`);
      expect(step.stdout).toContain('Pull request #21 comes from a fork');
      expect(step.summary).toContain(main.slice(0, 12));
    });

    it('with allow-fork-code the fork head is cloned, at the sha read before the run', async () => {
      const forkHead = pushCommit(world, 'refs/pull/22/head', 'fork-change.txt');
      world.github.addPull(REPO, { number: 22, state: 'open', headSha: forkHead, headRef: 'patch-2', headRepo: 'mallory/app', baseSha: main });
      const { main: step } = await runBundledAction(world, {
        event: { name: 'issue_comment', payload: prComment(22) },
        inputs: { ...printsHead(world), 'allow-fork-code': 'true' },
      });
      expect(checkedOut(step.stdout)).toBe(forkHead);
    });

    it("a comment on a same-repository PR clones the head sha read at the check, named in the log, summary and comment", async () => {
      const head = pushCommit(world, 'refs/heads/feature-23', 'feature.txt');
      git(join(world.serverUrl.replace(/^file:\/\//, ''), 'octo', 'app.git'), ['update-ref', 'refs/pull/23/head', head]);
      world.github.addPull(REPO, { number: 23, state: 'open', headSha: head, headRef: 'feature-23', headRepo: REPO, baseSha: main });
      const { main: step } = await runBundledAction(world, { event: { name: 'issue_comment', payload: prComment(23) }, inputs: printsHead(world) });
      expect(checkedOut(step.stdout)).toBe(head);
      expect(step.stdout).toContain(`Cloning ${REPO} at ${head} (head of PR #23)`);
      expect(step.summary).toContain(head.slice(0, 12));
      const comment = world.github.comments.list(REPO, 23).at(-1);
      expect(comment?.body).toContain(head.slice(0, 12));
    });

    it('a push that lands after the check changes nothing that is cloned', async () => {
      const head = pushCommit(world, 'refs/heads/feature-24', 'before.txt');
      const bare = join(world.serverUrl.replace(/^file:\/\//, ''), 'octo', 'app.git');
      git(bare, ['update-ref', 'refs/pull/24/head', head]);
      world.github.addPull(REPO, { number: 24, state: 'open', headSha: head, headRef: 'feature-24', headRepo: REPO, baseSha: main });
      let late = '';
      // The moment GitHub has answered what the PR is, the author pushes again.
      world.github.afterAnswer('GET', `/repos/${REPO}/pulls/24`, () => {
        late = pushCommit(world, 'refs/heads/feature-24', 'after.txt', head);
        git(bare, ['update-ref', 'refs/pull/24/head', late]);
      });
      const { main: step } = await runBundledAction(world, { event: { name: 'issue_comment', payload: prComment(24) }, inputs: printsHead(world) });
      expect(late).toMatch(/^[0-9a-f]{40}$/);
      expect(checkedOut(step.stdout)).toBe(head);
    });

    it('a review comment clones the commit the reviewer commented on', async () => {
      const reviewed = pushCommit(world, 'refs/heads/feature-25', 'reviewed.txt');
      const newer = pushCommit(world, 'refs/heads/feature-25', 'newer.txt', reviewed);
      const bare = join(world.serverUrl.replace(/^file:\/\//, ''), 'octo', 'app.git');
      git(bare, ['update-ref', 'refs/pull/25/head', newer]);
      world.github.addPull(REPO, { number: 25, state: 'open', headSha: newer, headRef: 'feature-25', headRepo: REPO, baseSha: main });
      const payload = { ...prPayload(25, newer), action: 'created', comment: { id: 9, body: 'fix this', commit_id: reviewed, user: { login: 'octocat' } } };
      const { main: step } = await runBundledAction(world, { event: { name: 'pull_request_review_comment', payload }, inputs: printsHead(world) });
      expect(checkedOut(step.stdout)).toBe(reviewed);
      expect(step.stdout).toContain('PR #25 at the reviewed commit');
    });

    it('a ref named in repos is resolved on the runner and shown', async () => {
      const tip = pushCommit(world, 'refs/heads/release', 'release.txt');
      const { main: step } = await runBundledAction(world, { inputs: { ...printsHead(world), repos: `${REPO}@release` } });
      expect(checkedOut(step.stdout)).toBe(tip);
      expect(step.stdout).toContain(`Cloning ${REPO} at ${tip} (release)`);
    });
  });

  describe('a failed CI run or a pull_request_target starts a paid run only for people the workflow trusts', () => {
    const workflowRun = (actor: string, triggering: string, type = 'User') => ({
      action: 'completed',
      workflow_run: {
        head_sha: main,
        head_branch: 'patch-1',
        head_repository: { full_name: 'mallory/app', owner: { login: 'mallory' } },
        pull_requests: [],
        actor: { login: actor, type },
        triggering_actor: { login: triggering, type },
      },
      repository: { default_branch: 'main' },
    });

    it.each([
      ['a stranger', 'mallory', 'mallory'],
      ["a maintainer's re-run of a stranger's CI", 'mallory', 'octocat'],
      ['a stranger re-running a maintainer\'s CI', 'octocat', 'mallory'],
    ])('workflow_run by %s: skipped with a notice, no request to Fly', async (_, actor, triggering) => {
      const from = lastSeq(world);
      const { main: step } = await runBundledAction(world, { event: { name: 'workflow_run', payload: workflowRun(actor, triggering) }, inputs: printsHead(world) });
      expect(step.failed).toBe(false);
      expect(step.outputs.conclusion).toBe('skipped');
      const notices = step.annotations.filter((a) => a.level === 'notice').map((a) => a.message);
      expect(notices).toEqual([SKIPPED_ANNOTATION]);
      expect(step.stdout).toMatch(/Not running Claude for mallory \((the failed run's actor|who triggered that run)\)/);
      expect(world.fly.requests.filter((r) => r.seq > from)).toEqual([]);
    });

    it('workflow_run by a maintainer runs', async () => {
      const { main: step } = await runBundledAction(world, { event: { name: 'workflow_run', payload: workflowRun('octocat', 'octocat') }, inputs: printsHead(world) });
      expect(step.outputs.conclusion).toBe('success');
      // The fork's code is not cloned: the default branch is.
      expect(checkedOut(step.stdout)).toBe(git(join(world.serverUrl.replace(/^file:\/\//, ''), 'octo', 'app.git'), ['rev-parse', 'main']));
    });

    it('dependabot[bot] is refused unless listed, and runs when listed', async () => {
      const from = lastSeq(world);
      const refused = await runBundledAction(world, { event: { name: 'workflow_run', payload: workflowRun('dependabot[bot]', 'dependabot[bot]', 'Bot') }, inputs: printsHead(world) });
      expect(refused.main.outputs.conclusion).toBe('skipped');
      expect(createRequests(world, from)).toHaveLength(0);
      const listed = await runBundledAction(world, {
        event: { name: 'workflow_run', payload: workflowRun('dependabot[bot]', 'dependabot[bot]', 'Bot') },
        inputs: { ...printsHead(world), 'allowed-actors': 'dependabot[bot]' },
      });
      expect(listed.main.outputs.conclusion).toBe('success');
    });

    const target = (author: string, sender: string) => ({
      ...prPayload(31, main, 'mallory/app'),
      action: 'opened',
      pull_request: { ...prPayload(31, main, 'mallory/app').pull_request, user: { login: author, type: 'User' } },
      sender: { login: sender, type: 'User' },
    });

    it.each([
      ["a stranger's PR", 'mallory', 'mallory'],
      ["a stranger's PR that a maintainer labelled", 'mallory', 'octocat'],
    ])('pull_request_target for %s: skipped, no request to Fly', async (_, author, sender) => {
      const from = lastSeq(world);
      const { main: step } = await runBundledAction(world, { event: { name: 'pull_request_target', payload: target(author, sender) }, inputs: printsHead(world) });
      expect(step.outputs.conclusion).toBe('skipped');
      expect(world.fly.requests.filter((r) => r.seq > from)).toEqual([]);
    });

    it("pull_request_target for a maintainer's PR runs", async () => {
      const { main: step } = await runBundledAction(world, { event: { name: 'pull_request_target', payload: target('octocat', 'octocat') }, inputs: printsHead(world) });
      expect(step.outputs.conclusion).toBe('success');
    });
  });

  describe("the runner's key check goes where Claude goes", () => {
    it('with anthropic-base-url the key goes to that gateway, never to the runner\'s own ANTHROPIC_BASE_URL', async () => {
      const trapped: IncomingMessage[] = [];
      const trap = createServer((req, res) => {
        trapped.push(req);
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"authentication_error","message":"trap"}}');
      });
      await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
      const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
      try {
        const before = world.standin.requests.length;
        const { main: step } = await runBundledAction(world, {
          inputs: { ...printsHead(world), 'anthropic-base-url': world.standin.url },
          env: { ANTHROPIC_BASE_URL: trapUrl },
        });
        expect(step.outputs.conclusion).toBe('success');
        expect(trapped).toHaveLength(0);
        const checks = world.standin.requests.slice(before).filter((r) => r.path.startsWith('/v1/models'));
        expect(checks).toHaveLength(1);
        expect(checks[0]!.headers['x-api-key']).toBe('[redacted]');
      } finally {
        await new Promise<void>((r) => trap.close(() => r()));
      }
    });
  });
});
