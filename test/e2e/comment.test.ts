// The sticky PR comment, end to end: the bundled action on an emulated Fly
// machine with the real Claude Code CLI, talking to the GitHub REST fake
// (GITHUB_API_URL = world.github.url). What is checked is what GitHub would
// hold and what it was asked, plus the step's outputs and annotations.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration, formatUsd } from '../../src/report/format.ts';
import { CONCLUSION_TITLE } from '../../src/stream/outcome.ts';
import { GITHUB_ACTIONS_BOT, type FakeComment, type RecordedRequest } from '../github/fake.ts';
import type { ActionResult, StepResult } from '../harness/runner.ts';
import { git } from '../image/harness.ts';
import { addScenarios, prPayload, runBundledAction, startWorld, TOKENS, type RunOptions, type World } from './world.ts';

const REPO = 'octo/app';
const FAKE_SERVER = 'https://github.com'; // the fake's html_url base
const MARKER_0 = '<!-- claude-fly-action:Claude/claude/0 -->';
const MARKER_1 = '<!-- claude-fly-action:Claude/claude/1 -->';
const READ_ONLY_TOKEN = 'ghs_forkReadOnlyToken0123456789';
const FILLER = 'The greeting module prints one line. '.repeat(2_500); // ~92,000 characters

/** Scenarios of this file only (the shared ones stay loaded). */
const SCENARIOS = [
  {
    name: 'comment-slow',
    comment: 'Slow enough for the live comment: it is created while Claude still works.',
    match: 'Comment e2e: review the greeting slowly',
    steps: [
      { text: 'Looking at greet.js.', tools: [{ name: 'Read', input: { file_path: 'greet.js' } }] },
      { delayMs: 3000, text: 'Reviewed: greet.js prints "Helo, world"; the typo should be fixed.' },
    ],
  },
  {
    name: 'comment-long',
    comment: 'Steady output, then a long wait: cancelled by the tests while the comment says running.',
    match: 'Comment e2e: wait for the cancel',
    steps: [
      { text: 'Starting.', tools: [{ name: 'Read', input: { file_path: 'greet.js' } }] },
      { delayMs: 800, tools: [{ name: 'Bash', input: { command: 'echo one', description: 'One' } }] },
      { delayMs: 800, tools: [{ name: 'Bash', input: { command: 'echo two', description: 'Two' } }] },
      { delayMs: 800, tools: [{ name: 'Bash', input: { command: 'echo three', description: 'Three' } }] },
      { delayMs: 800, tools: [{ name: 'Bash', input: { command: 'echo four', description: 'Four' } }] },
      { delayMs: 60000, text: 'Never seen: the run is cancelled before.' },
    ],
  },
  {
    name: 'comment-leak',
    comment: 'An answer carrying secrets, HTML, mentions and far more than a comment can hold.',
    match: 'Comment e2e: leak and flood',
    steps: [
      {
        text: `Report for @octocat and @octo/reviewers.\n<script>alert(1)</script><img src=x onerror=alert(2)>\n<details open><summary>x</summary>\nThe key is ${TOKENS.anthropic} and the token ${TOKENS.github}.\n<!-- claude-fly-action:Claude/claude/0 -->\n</details>\n\n${FILLER}\nEND-OF-ANSWER`,
      },
    ],
  },
];


function commentsOn(world: World, issue: number): FakeComment[] {
  return world.github.comments.list(REPO, issue);
}

/** Comment writes (create or edit) the fake received for one issue's comments, in order. */
function writesFor(world: World, issue: number, ids: number[]): RecordedRequest[] {
  return world.github.requests.filter(
    (r) =>
      (r.method === 'POST' && r.path === `/repos/${REPO}/issues/${issue}/comments`) ||
      (r.method === 'PATCH' && ids.some((id) => r.path === `/repos/${REPO}/issues/comments/${id}`)),
  );
}

function bodyOf(request: RecordedRequest): string {
  return (request.body as { body: string }).body;
}

/** This run's machine is gone (other tests' machines may be running at the same time). */
function expectDestroyedIn(world: World, main: StepResult): void {
  const id = main.state['machine-id'];
  expect(id).toMatch(/\w+/);
  expect(world.fly.machines().find((m) => m.id === id)?.state).toBe('destroyed');
}

function warnings(step: StepResult): string[] {
  return step.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
}

function expectOurs(comment: FakeComment | undefined, marker = MARKER_0): asserts comment is FakeComment {
  expect(comment).toBeDefined();
  expect(comment!.user.login).toBe(GITHUB_ACTIONS_BOT.login);
  expect(comment!.body.split('\n')[0]).toBe(marker);
}

/** The final state: the conclusion, Claude's answer, and the figures of the run (as its outputs give them). */
function expectFinal(body: string, main: StepResult, answer: string): void {
  expect(body).toContain(`Claude Code: ${CONCLUSION_TITLE.success}`);
  expect(body).not.toContain('Claude is working');
  expect(body).toContain(answer);
  const turns = Number(main.outputs['num-turns']);
  expect(turns).toBeGreaterThan(0);
  expect(body).toContain(`${turns} turn${turns === 1 ? '' : 's'}`);
  expect(body).toContain(formatDuration(Number(main.outputs['duration-ms'])));
  const claude = Number(main.outputs['cost-usd']);
  const machine = Number(main.outputs['machine-cost-usd']);
  expect(claude).toBeGreaterThan(0);
  expect(machine).toBeGreaterThan(0);
  expect(body).toContain(`Claude ${formatUsd(claude)}`);
  expect(body).toContain(`machine ${formatUsd(machine)}`);
  expect(body).toContain(formatUsd(claude + machine));
  // The world's server is a file:// URL (for cloning), which is not a safe link target: the labels stay, without links.
  expect(body).toContain('Workflow log');
  expect(body).toContain('Job summary');
}

describe('end to end: the sticky PR comment (real Claude Code)', () => {
  let world: World;
  let sha: string;
  let bare: string;

  const run = (options: RunOptions): Promise<ActionResult> => runBundledAction(world, options);
  const expectDestroyed = (main: StepResult): void => expectDestroyedIn(world, main);

  beforeAll(async () => {
    world = await startWorld({ claude: 'real' });
    await addScenarios(world, SCENARIOS);
    world.github.setUser(TOKENS.github, { ...GITHUB_ACTIONS_BOT, installation: true });
    world.github.setUser(READ_ONLY_TOKEN, { ...GITHUB_ACTIONS_BOT, installation: true, readOnly: true });
    world.github.setPermission(REPO, 'octocat', 'write');
    sha = world.repo.main;
    bare = join(world.serverUrl.replace(/^file:\/\//, ''), 'octo', 'app.git');
  });
  afterAll(async () => {
    await world?.close();
  });

  /** A PR of this repository whose head is main (refs/pull/N/head exists, as on GitHub). */
  function addPull(number: number): void {
    world.github.addPull(REPO, { number, state: 'open', headSha: sha, headRef: `feature-${number}`, headRepo: REPO, baseSha: sha });
    git(bare, ['update-ref', `refs/pull/${number}/head`, sha]);
  }

  describe('one PR, live then final, then a rerun', () => {
    it('pull_request: created while running, updated to the final state, comment-url set; a rerun edits the same comment', async () => {
      addPull(7);
      const { main, post } = await run({ prompt: 'Comment e2e: review the greeting slowly', event: { name: 'pull_request', payload: prPayload(7, sha) } });
      expect(main.failed).toBe(false);
      const [comment, ...others] = commentsOn(world, 7);
      expect(others).toHaveLength(0);
      expectOurs(comment);

      // Created once, while Claude worked, then edited in place.
      const writes = writesFor(world, 7, [comment.id]);
      expect(writes.map((w) => w.method)).toEqual(['POST', ...writes.slice(1).map(() => 'PATCH')]);
      expect(writes.length).toBeGreaterThanOrEqual(2);
      const first = bodyOf(writes[0]!);
      expect(first.split('\n')[0]).toBe(MARKER_0);
      expect(first).toContain('Claude is working');
      expect(first).toContain('Workflow log');
      expect(first).not.toContain('Reviewed: greet.js');
      const last = bodyOf(writes.at(-1)!);
      expect(last).toBe(comment.body);
      expectFinal(comment.body, main, 'Reviewed: greet.js prints');

      expect(main.outputs['comment-url']).toBe(`${FAKE_SERVER}/${REPO}/pull/7#issuecomment-${comment.id}`);
      expect(main.summary).toContain(`#issuecomment-${comment.id}`);
      // The post step found the comment final: nothing more to write.
      expect(main.state['comment-id']).toBe(String(comment.id));
      expect(main.state['comment-final']).toBe('true');
      expect(post?.failed).toBe(false);

      // A rerun (new attempt, new process): found by marker and author, edited, never a second comment.
      const before = world.github.requests.length;
      const rerun = await run({ event: { name: 'pull_request', payload: prPayload(7, sha) }, github: { runAttempt: 2 } });
      expect(rerun.main.failed).toBe(false);
      expect(commentsOn(world, 7)).toHaveLength(1);
      const again = commentsOn(world, 7)[0]!;
      expect(again.id).toBe(comment.id);
      const rerunWrites = writesFor(world, 7, [comment.id]).filter((w) => world.github.requests.indexOf(w) >= before);
      expect(rerunWrites.length).toBeGreaterThan(0);
      expect(rerunWrites.every((w) => w.method === 'PATCH')).toBe(true);
      expectFinal(again.body, rerun.main, 'Fixed the typo in greet.js');
      expect(rerun.main.outputs['comment-url']).toBe(main.outputs['comment-url']);
    });
  });

  describe.concurrent('which PR: events, the fork case, pr-number', () => {
    it('issue_comment on a PR: the comment goes on that PR', async () => {
      addPull(8);
      const payload = { action: 'created', issue: { number: 8, pull_request: { url: `${world.github.url}/repos/${REPO}/pulls/8` } }, comment: { id: 1, body: '@claude look', user: { login: 'octocat' } } };
      const { main } = await run({ event: { name: 'issue_comment', payload } });
      expect(main.failed).toBe(false);
      const [comment, ...others] = commentsOn(world, 8);
      expect(others).toHaveLength(0);
      expectOurs(comment);
      expectFinal(comment.body, main, 'Fixed the typo in greet.js');
      expect(main.outputs['comment-url']).toBe(`${FAKE_SERVER}/${REPO}/pull/8#issuecomment-${comment.id}`);
    });

    it('pull_request_review: the comment goes on the reviewed PR', async () => {
      addPull(9);
      const payload = { ...prPayload(9, sha), action: 'submitted', review: { id: 5, body: 'please fix', user: { login: 'octocat' } } };
      const { main } = await run({ event: { name: 'pull_request_review', payload } });
      expect(main.failed).toBe(false);
      const [comment, ...others] = commentsOn(world, 9);
      expect(others).toHaveLength(0);
      expectOurs(comment);
      expect(main.outputs['comment-url']).toContain(`#issuecomment-${comment.id}`);
    });

    it('workflow_run listing its PR: the comment goes on that PR', async () => {
      addPull(10);
      const payload = {
        action: 'completed',
        workflow_run: {
          head_sha: sha,
          head_branch: 'feature-10',
          head_repository: { full_name: REPO, owner: { login: 'octo' } },
          pull_requests: [{ number: 10, head: { sha }, base: { ref: 'main' } }],
          actor: { login: 'octocat', type: 'User' },
          triggering_actor: { login: 'octocat', type: 'User' },
        },
        repository: { default_branch: 'main' },
      };
      const { main } = await run({ event: { name: 'workflow_run', payload } });
      expect(main.failed).toBe(false);
      const [comment, ...others] = commentsOn(world, 10);
      expect(others).toHaveLength(0);
      expectOurs(comment);
      // The payload named it: no search by commit.
      expect(world.github.requests.some((r) => r.path.includes(`/commits/${sha}/pulls`))).toBe(false);
    });

    it("a fork's workflow_run with no pull_requests: the PR is found by the run's head commit", async () => {
      const forkSha = 'f'.repeat(40);
      // The fork's PR, and a decoy: another fork's PR on a branch of the same name at another commit.
      world.github.addPull(REPO, { number: 11, state: 'open', headSha: forkSha, headRef: 'patch-1', headRepo: 'mallory/app' });
      world.github.addPull(REPO, { number: 12, state: 'open', headSha: 'e'.repeat(40), headRef: 'patch-1', headRepo: 'trudy/app' });
      const payload = {
        action: 'completed',
        workflow_run: {
          head_sha: forkSha,
          head_branch: 'patch-1',
          head_repository: { full_name: 'mallory/app', owner: { login: 'mallory' } },
          pull_requests: [],
          // The fork's CI ran for a contributor the workflow lets in.
          actor: { login: 'mallory', type: 'User' },
          triggering_actor: { login: 'mallory', type: 'User' },
        },
        repository: { default_branch: 'main' },
      };
      const { main } = await run({ event: { name: 'workflow_run', payload }, inputs: { 'allowed-actors': 'mallory' } });
      expect(main.failed).toBe(false);
      const [comment, ...others] = commentsOn(world, 11);
      expect(others).toHaveLength(0);
      expectOurs(comment);
      expect(commentsOn(world, 12)).toHaveLength(0);
      // GitHub answers [] by commit for a fork's head; the head owner:branch finds it.
      const asked = world.github.requests.filter((r) => r.path.includes(`/commits/${forkSha}/pulls`) || r.query.head === 'mallory:patch-1');
      expect(asked.map((r) => r.query.head ?? 'by-commit')).toEqual(['by-commit', 'mallory:patch-1']);
      // The fork's code is not cloned: the base repository's default branch is.
      expect(main.stdout).toContain('comes from a fork');
    });

    it('pr-number overrides the event PR', async () => {
      addPull(13);
      world.github.addIssue(REPO, 14);
      const { main } = await run({ event: { name: 'pull_request', payload: prPayload(13, sha) }, inputs: { 'pr-number': '14' } });
      expect(main.failed).toBe(false);
      expect(commentsOn(world, 13)).toHaveLength(0);
      const [comment, ...others] = commentsOn(world, 14);
      expect(others).toHaveLength(0);
      expectOurs(comment);
      expect(main.outputs['comment-url']).toBe(`${FAKE_SERVER}/${REPO}/issues/14#issuecomment-${comment.id}`);
    });
  });

  describe('no comment', () => {
    it('comment: off makes no GitHub request at all', async () => {
      addPull(15);
      const before = world.github.requests.length;
      const { main } = await run({ event: { name: 'pull_request', payload: prPayload(15, sha) }, inputs: { comment: 'off' } });
      expect(main.failed).toBe(false);
      expect(main.outputs.conclusion).toBe('success');
      expect(world.github.requests.slice(before)).toEqual([]);
      expect(commentsOn(world, 15)).toHaveLength(0);
      expect(main.outputs['comment-url']).toBe('');
    });

    it('a push (no PR): no comment, no request, no warning', async () => {
      const before = world.github.requests.length;
      const { main } = await run({ event: { name: 'push', payload: { ref: 'refs/heads/main', after: sha } } });
      expect(main.failed).toBe(false);
      expect(main.outputs.conclusion).toBe('success');
      expect(world.github.requests.slice(before)).toEqual([]);
      expect(main.outputs['comment-url']).toBe('');
      expect(warnings(main)).toEqual([]);
    });
  });

  describe('matrix legs', () => {
    it('two matrix legs at once: two comments, each edited by its own leg', async () => {
      addPull(17);
      const leg = (index: string) =>
        run({
          prompt: 'Comment e2e: review the greeting slowly',
          event: { name: 'pull_request', payload: prPayload(17, sha) },
          expressions: { 'github.token': TOKENS.github, 'strategy.job-index': index },
        });
      const [zero, one] = await Promise.all([leg('0'), leg('1')]);
      expect(zero.main.failed).toBe(false);
      expect(one.main.failed).toBe(false);
      const comments = commentsOn(world, 17);
      expect(comments).toHaveLength(2);
      const byMarker = (marker: string) => comments.find((c) => c.body.startsWith(`${marker}\n`));
      const c0 = byMarker(MARKER_0);
      const c1 = byMarker(MARKER_1);
      expectOurs(c0, MARKER_0);
      expectOurs(c1, MARKER_1);
      expect(zero.main.outputs['comment-url']).toContain(`#issuecomment-${c0.id}`);
      expect(one.main.outputs['comment-url']).toContain(`#issuecomment-${c1.id}`);
      expect(zero.main.state['comment-id']).toBe(String(c0.id));
      expect(one.main.state['comment-id']).toBe(String(c1.id));
      for (const [c, marker, step] of [[c0, MARKER_0, zero.main], [c1, MARKER_1, one.main]] as const) {
        const writes = writesFor(world, 17, [c.id]).filter((w) => w.method === 'PATCH' || bodyOf(w).startsWith(`${marker}\n`));
        // Each leg: created live, then edited; every write to a comment carries that leg's marker only.
        expect(writes[0]?.method).toBe('POST');
        expect(bodyOf(writes[0]!)).toContain('Claude is working');
        expect(writes.length).toBeGreaterThanOrEqual(2);
        for (const w of writes) expect(bodyOf(w).split('\n')[0]).toBe(marker);
        expectFinal(c.body, step, 'Reviewed: greet.js prints');
      }
    });
  });

  describe('failures of the comment never fail the step', () => {
    it("a read-only token (a fork's PR): one refused write, a warning, the step succeeds", async () => {
      world.github.addPull(REPO, { number: 18, state: 'open', headSha: sha, headRef: 'patch-2', headRepo: 'mallory/app' });
      const before = world.github.requests.length;
      const { main } = await run({
        event: { name: 'pull_request', payload: prPayload(18, sha, 'mallory/app') },
        inputs: { 'github-token': READ_ONLY_TOKEN },
        secrets: [TOKENS.anthropic, world.fly.token, TOKENS.github, READ_ONLY_TOKEN],
      });
      expect(main.failed).toBe(false);
      expect(main.outputs.conclusion).toBe('success');
      expect(commentsOn(world, 18)).toHaveLength(0);
      const writes = world.github.requests.slice(before).filter((r) => r.method === 'POST' && r.path.startsWith('/repos/'));
      expect(writes.map((w) => w.status)).toEqual([403]); // refused once, then no more attempts
      const warned = warnings(main).filter((w) => w.includes('PR comment'));
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatch(/may not write comments/);
      expect(main.outputs['comment-url']).toBe('');
    });
    it('the final edit refused by a rate limit longer than main waits: warnings, and the post step ends the comment', async () => {
      addPull(23);
      world.github.faults.add({ kind: 'secondary-rate-limit', method: 'PATCH', path: '/issues/comments/', retryAfterSeconds: 120, times: 1 });
      try {
        const { main, post } = await run({ prompt: 'Comment e2e: review the greeting slowly', event: { name: 'pull_request', payload: prPayload(23, sha) } });
        expect(main.failed).toBe(false);
        expect(main.outputs.conclusion).toBe('success');
        const [comment, ...others] = commentsOn(world, 23);
        expect(others).toHaveLength(0);
        expectOurs(comment);
        const writes = writesFor(world, 23, [comment.id]);
        expect(bodyOf(writes[0]!)).toContain('Claude is working');
        const refused = writes.filter((w) => w.status === 403);
        expect(refused).toHaveLength(1);
        expect(bodyOf(refused[0]!)).toContain(`Claude Code: ${CONCLUSION_TITLE.success}`);
        expect(warnings(main).some((w) => /rate limit/.test(w))).toBe(true);
        // Main could not finish it, so it does not claim to have: the post step ends it.
        expect(main.state['comment-final']).toBeUndefined();
        expect(post?.failed).toBe(false);
        expect(comment.body).toContain('ended without a final report');
        expect(comment.body).not.toContain('Claude is working');
      } finally {
        world.github.faults.clear();
      }
    });
  });

  describe.concurrent('cancellation', () => {
    it('cancelled mid-run: main ends the comment in the cancelled state', async () => {
      addPull(19);
      const { main, post } = await run({
        prompt: 'Comment e2e: wait for the cancel',
        event: { name: 'pull_request', payload: prPayload(19, sha) },
        cancel: { when: (out) => commentsOn(world, 19).length > 0 && out.includes('Three') },
      });
      expect(main.cancelled).toBe(true);
      const [comment, ...others] = commentsOn(world, 19);
      expect(others).toHaveLength(0);
      expectOurs(comment);
      const writes = writesFor(world, 19, [comment.id]);
      expect(bodyOf(writes[0]!)).toContain('Claude is working');
      expect(comment.body).toContain(`Claude Code: ${CONCLUSION_TITLE.cancelled}`);
      expect(comment.body).not.toContain('Claude is working');
      expect(main.state['comment-final']).toBe('true');
      // Main finished it: the post step leaves it alone.
      expect(writesFor(world, 19, [comment.id]).length).toBe(writes.length);
      expect(post?.failed).toBe(false);
      expectDestroyed(main);
    });

    it('main killed before its final report: the post step ends the comment, by the id in state', async () => {
      addPull(20);
      const { main, post } = await run({
        prompt: 'Comment e2e: wait for the cancel',
        event: { name: 'pull_request', payload: prPayload(20, sha) },
        // SIGINT, then SIGTERM and SIGKILL within milliseconds: no time for main's final edit.
        cancel: { when: (out) => commentsOn(world, 20).length > 0 && out.includes('Three'), sigintTimeoutMs: 20, sigtermTimeoutMs: 20 },
      });
      expect(main.cancelled).toBe(true);
      const [comment, ...others] = commentsOn(world, 20);
      expect(others).toHaveLength(0);
      expect(main.state['comment-id']).toBe(String(comment!.id));
      expect(main.state['comment-final']).toBeUndefined();
      expect(post?.failed).toBe(false);
      expectOurs(comment);
      expect(comment.body).toContain('ended without a final report');
      expect(comment.body).not.toContain('Claude is working');
      // Post edited the comment it was told about, and created none.
      const postWrites = world.github.requests.filter((r) => r.method !== 'GET' && r.path.includes(`/comments/${comment.id}`));
      expect(postWrites.at(-1)?.method).toBe('PATCH');
      expectDestroyed(main);
    });
  });

  describe.concurrent('untrusted text, and whose comment is ours', () => {
    it('a marker planted by another user is ignored and left as it was; ours is created beside it', async () => {
      addPull(16);
      const planted = world.github.comments.add(REPO, 16, { login: 'mallory', id: 666, type: 'User' }, `${MARKER_0}\nPlanted: please edit me.`);
      const { main } = await run({ event: { name: 'pull_request', payload: prPayload(16, sha) } });
      expect(main.failed).toBe(false);
      expect(world.github.comments.get(planted.id)?.body).toBe(`${MARKER_0}\nPlanted: please edit me.`);
      expect(world.github.requests.some((r) => r.method === 'PATCH' && r.path.endsWith(`/comments/${planted.id}`))).toBe(false);
      const ours = commentsOn(world, 16).filter((c) => c.id !== planted.id);
      expect(ours).toHaveLength(1);
      expectOurs(ours[0]);
      expectFinal(ours[0]!.body, main, 'Fixed the typo in greet.js');
    });

    it('hostile: no raw HTML from Claude, mentions neutralised, the marker first and intact', async () => {
      addPull(21);
      const { main } = await run({ prompt: 'Summarise the incident notes', event: { name: 'pull_request', payload: prPayload(21, sha) } });
      expect(main.outputs.conclusion).toBe('success');
      const [comment, ...others] = commentsOn(world, 21);
      expect(others).toHaveLength(0);
      expectOurs(comment);
      const body = comment.body;
      expect(body).toContain('Summary:');
      for (const raw of ['<script', '<img', '<details', '<!-- hidden', '</details>']) expect(body).not.toContain(raw);
      expect(body).not.toMatch(/(^|[^\w`])@octocat\b/);
      expect(body).toContain('@\u200Boctocat');
      expect(body).not.toContain('](javascript:');
      expect(body.length).toBeLessThanOrEqual(65_536);
      expect(body.indexOf('<!--')).toBe(0);
      expect(body.match(/<!--/g)).toHaveLength(1);
    });

    it('secrets and a flood: redacted, cut below 65,536 characters, the marker first and the only one', async () => {
      addPull(22);
      const { main } = await run({ prompt: 'Comment e2e: leak and flood', event: { name: 'pull_request', payload: prPayload(22, sha) } });
      expect(main.outputs.conclusion).toBe('success');
      const [comment, ...others] = commentsOn(world, 22);
      expect(others).toHaveLength(0);
      expectOurs(comment);
      // Every body ever sent, not just the last.
      for (const w of writesFor(world, 22, [comment.id])) {
        const body = bodyOf(w);
        expect(body.length).toBeLessThanOrEqual(65_536);
        expect(body).not.toContain(TOKENS.github);
        expect(body).not.toContain(TOKENS.anthropic);
        expect(body.split('\n')[0]).toBe(MARKER_0);
        expect(body.match(/<!--/g)).toHaveLength(1);
      }
      const body = comment.body;
      expect(body).toContain('The key is ***');
      expect(body).toContain('@\u200Boctocat');
      expect(body).toContain('@\u200Bocto/reviewers');
      for (const raw of ['<script', '<img', '<details']) expect(body).not.toContain(raw);
      // Cut: the end of the answer is not there, the figures line still is.
      expect(body).not.toContain('END-OF-ANSWER');
      expect(body).toContain('Job summary');
      expect(main.outputs.result).toContain('END-OF-ANSWER');
    });
  });
});
