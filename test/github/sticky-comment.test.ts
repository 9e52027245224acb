// The sticky PR comment against the fake GitHub, with a virtual clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubApi } from '../../src/github/api.ts';
import { capCommentBody, COMMENT_MAX_CHARS, resolveIdentity, StickyComment, type StickyCommentOptions } from '../../src/github/sticky-comment.ts';
import { FakeClock } from './clock.ts';
import { GITHUB_ACTIONS_BOT, startGitHubFake, type GitHubFake } from './fake.ts';

const REPO = 'octo/app';
const BOT = 'ghs_workflow';
const MARKER = '<!-- claude-fly-action:review:leg-a -->';

let gh: GitHubFake;
let clock: FakeClock;
let warnings: string[];

beforeEach(async () => {
  clock = new FakeClock();
  gh = await startGitHubFake({ now: clock.now });
  gh.setUser(BOT, { ...GITHUB_ACTIONS_BOT, installation: true });
  gh.addIssue(REPO, 12, { pull: true });
  warnings = [];
});
afterEach(async () => {
  await gh.close();
});

function sticky(overrides: Partial<StickyCommentOptions> & { token?: string } = {}): StickyComment {
  const api = new GitHubApi({ token: overrides.token ?? BOT, apiUrl: gh.url, now: clock.now, timeoutMs: 5000 });
  return new StickyComment({
    api,
    owner: 'octo',
    repo: 'app',
    issueNumber: 12,
    marker: MARKER,
    now: clock.now,
    sleep: clock.sleep,
    onWarning: (m) => warnings.push(m),
    ...overrides,
  });
}

const writes = (): typeof gh.requests => gh.requests.filter((r) => (r.method === 'PATCH' || r.method === 'POST') && r.path !== '/graphql');
const ours = (): ReturnType<typeof gh.comments.list> => gh.comments.list(REPO, 12).filter((c) => c.user.login === 'github-actions[bot]');

describe('StickyComment: one comment, found again', () => {
  it('creates once, then edits the same comment in place; the marker is kept', async () => {
    const c = sticky();
    await c.update('first');
    await clock.advance(15_000);
    await c.update('second');
    await c.settled();
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.body).toBe(`${MARKER}\nsecond`);
    expect(writes().map((r) => r.method)).toEqual(['POST', 'PATCH']);
    expect(c.url).toBe(`https://github.com/${REPO}/pull/12#issuecomment-${ours()[0]!.id}`);
    expect(c.identity).toEqual({ login: 'github-actions[bot]', id: 41898282 });
    expect(warnings).toEqual([]);
  });

  it('a rerun (new instance, no state) finds its comment on page 3 and edits it, never a second one', async () => {
    for (let i = 0; i < 220; i++) gh.comments.add(REPO, 12, { login: 'dev', id: 77 }, `chatter ${i}`);
    const first = sticky();
    await first.update('run 1');
    for (let i = 0; i < 15; i++) gh.comments.add(REPO, 12, { login: 'dev', id: 77 }, `later ${i}`);
    const id = first.commentId;

    const rerun = sticky();
    await rerun.update('run 2', { final: true });
    expect(rerun.commentId).toBe(id);
    expect(ours()).toHaveLength(1);
    expect(gh.comments.get(id!)!.body).toBe(`${MARKER}\nrun 2`);
    const listing = gh.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/issues/12/comments'));
    expect(listing.length).toBeGreaterThanOrEqual(6); // three pages per run
    expect(gh.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/comments'))).toHaveLength(1);
  });

  it('ignores (and never edits) a comment with our marker planted by someone else', async () => {
    const planted = gh.comments.add(REPO, 12, { login: 'mallory', id: 666 }, `${MARKER}\nplanted`);
    const c = sticky();
    await c.update('real report', { final: true });
    expect(gh.comments.get(planted.id)!.body).toBe(`${MARKER}\nplanted`);
    expect(gh.requests.some((r) => r.method === 'PATCH' && r.path.endsWith(`/${planted.id}`))).toBe(false);
    expect(ours()).toHaveLength(1);
    expect(c.commentId).not.toBe(planted.id);
  });

  it('two matrix legs with different markers each keep their own comment, also across reruns', async () => {
    const a = sticky({ marker: '<!-- cfa:leg-a -->' });
    const b = sticky({ marker: '<!-- cfa:leg-b -->' });
    await a.update('A1');
    await b.update('B1');
    await clock.run(a.update('A2', { final: true }));
    await clock.run(b.update('B2', { final: true }));
    const again = sticky({ marker: '<!-- cfa:leg-b -->' });
    await clock.run(again.update('B3', { final: true }));
    expect(ours().map((c) => c.body).sort()).toEqual(['<!-- cfa:leg-a -->\nA2', '<!-- cfa:leg-b -->\nB3']);
    expect(again.commentId).toBe(b.commentId);
  });

  it('uses the comment id from action state when it is still ours; a deleted one is replaced', async () => {
    const c = sticky();
    await c.update('v1', { final: true });
    const post = sticky({ commentId: c.commentId, identity: c.identity });
    await post.update('v2', { final: true });
    expect(gh.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/issues/12/comments'))).toHaveLength(1);
    expect(ours().map((x) => x.body)).toEqual([`${MARKER}\nv2`]);

    const stale = sticky({ commentId: 123, identity: c.identity });
    await stale.update('v3', { final: true });
    expect(ours().map((x) => x.body)).toEqual([`${MARKER}\nv3`]);
  });

  it('a PAT is recognised as its user (GraphQL viewer); with no identity at all a new comment is made, with a warning', async () => {
    gh.setUser('ghp_me', { login: 'octocat', id: 583231, type: 'User' });
    const me = sticky({ token: 'ghp_me' });
    await me.update('mine', { final: true });
    const again = sticky({ token: 'ghp_me' });
    await again.update('mine 2', { final: true });
    expect(again.commentId).toBe(me.commentId);

    gh.faults.add({ kind: 'server-error', path: '/graphql' });
    gh.faults.add({ kind: 'server-error', path: '/user' });
    const blind = sticky({ token: 'ghp_me' });
    await blind.update('mine 3', { final: true });
    expect(blind.commentId).not.toBe(me.commentId);
    expect(warnings.filter((w) => /which account/.test(w))).toHaveLength(1);
    expect(blind.identity).toEqual({ login: 'octocat', id: 583231 }); // learned from the POST answer
  });

  it('resolveIdentity: known > API > github-actions[bot] only for the workflow token', async () => {
    const api = new GitHubApi({ token: BOT, apiUrl: gh.url });
    expect(await resolveIdentity({ api, known: { login: 'x' } })).toEqual({ login: 'x' });
    expect(await resolveIdentity({ api })).toEqual({ login: 'github-actions[bot]', id: 41898282 });
    gh.faults.add({ kind: 'server-error', path: '/graphql' });
    expect(await resolveIdentity({ api })).toBeUndefined();
    expect(await resolveIdentity({ api, workflowToken: true })).toEqual({ login: 'github-actions[bot]' });
  });
});

describe('StickyComment: pacing', () => {
  it('over a simulated hour of changes every second: every 15 s for 5 minutes, then every 60 s, at most 60 edits', async () => {
    const c = sticky();
    for (let s = 0; s < 3600; s++) {
      await c.update(`progress at ${s} s`);
      await c.settled();
      await clock.advance(1000);
      await c.settled();
    }
    const start = writes()[0]!.at;
    const times = writes().map((r) => (r.at - start) / 1000).filter((t) => t < 3600);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const early = times.filter((t) => t < 300);
    expect(early.length).toBeGreaterThanOrEqual(19);
    expect(early.length).toBeLessThanOrEqual(20);
    for (let i = 0; i < gaps.length; i++) {
      expect(gaps[i]).toBeGreaterThanOrEqual(15);
      if (times[i]! >= 300) expect(gaps[i]).toBeGreaterThanOrEqual(60);
    }
    expect(times.length).toBeLessThanOrEqual(60);
    expect(times.length).toBeGreaterThanOrEqual(55);
    expect(times.filter((t) => t >= 300 && t < 600).length).toBeGreaterThanOrEqual(3);
    // never a long freeze: the hourly budget is spread, not spent early
    expect(Math.max(...gaps.filter((_, i) => times[i + 1]! < 3600))).toBeLessThanOrEqual(90);
    expect(times.at(-1)!).toBeGreaterThan(3500);
    // the latest body wins: the comment shows one of the last bodies sent
    expect(ours()).toHaveLength(1);
    console.log(`edits in the simulated hour: ${times.length} (first 5 min: ${early.length}, longest gap ${Math.max(...gaps)} s)`);
  });

  it('sends nothing when the body did not change; a queued body goes out when its turn comes', async () => {
    const c = sticky();
    await c.update('same');
    await c.update('same');
    await clock.advance(20_000);
    await c.update('same');
    await c.settled();
    expect(writes()).toHaveLength(1);
    await c.update('new 1');
    await clock.advance(1000);
    await c.update('new 2');
    await c.update('new 3'); // coalesced: only the latest goes out
    await clock.advance(14_000);
    await c.settled();
    await clock.advance(1000);
    await c.settled();
    expect(writes().map((r) => (r.body as { body: string }).body)).toEqual([`${MARKER}\nsame`, `${MARKER}\nnew 1`, `${MARKER}\nnew 3`]);
  });

  it('a queued body is sent by the timer even when no further update comes', async () => {
    const c = sticky();
    await c.update('one');
    await c.update('two');
    expect(writes()).toHaveLength(1);
    await clock.advance(15_000);
    await c.settled();
    expect(writes()).toHaveLength(2);
    expect(ours()[0]!.body).toBe(`${MARKER}\ntwo`);
  });

  it('final always goes out, waiting at most a few seconds for the pacing', async () => {
    const c = sticky();
    await c.update('live');
    const t = clock.now();
    await clock.run(c.update('final report', { final: true }));
    expect(ours()[0]!.body).toBe(`${MARKER}\nfinal report`);
    expect(clock.now() - t).toBeLessThanOrEqual(3000);
    await c.update('after the end');
    await clock.advance(120_000);
    await c.settled();
    expect(ours()[0]!.body).toBe(`${MARKER}\nfinal report`);
    expect(clock.pending).toBe(0);
  });

  it('final cancels a pending live timer and leaves no sleeper behind', async () => {
    const c = sticky();
    await c.update('a');
    await c.update('b');
    expect(clock.pending).toBe(1);
    await clock.run(c.update('c', { final: true }));
    expect(clock.pending).toBe(0);
    expect(writes().map((r) => (r.body as { body: string }).body)).toEqual([`${MARKER}\na`, `${MARKER}\nc`]);
  });
});

describe('StickyComment: failures never throw', () => {
  it('403 on a fork\'s read-only token: one warning, no throw, no further attempts', async () => {
    gh.setUser('ghs_ro', { ...GITHUB_ACTIONS_BOT, installation: true, readOnly: true });
    const c = sticky({ token: 'ghs_ro' });
    await c.update('one');
    const after = gh.requests.length;
    await clock.advance(60_000);
    await c.update('two');
    await clock.run(c.update('final', { final: true }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Resource not accessible by integration/);
    expect(warnings[0]).toMatch(/pull-requests: write/);
    expect(gh.requests.length).toBe(after);
    expect(gh.comments.list(REPO, 12)).toHaveLength(0);
  });

  it('secondary rate limit: live updates pause for retry-after, then resume', async () => {
    const c = sticky();
    await c.update('v1');
    gh.faults.add({ kind: 'secondary-rate-limit', method: 'PATCH', retryAfterSeconds: 120, times: 1 });
    await clock.advance(15_000);
    await c.update('v2');
    await c.settled();
    const limitedAt = clock.now();
    expect(warnings.filter((w) => /secondary rate limit/.test(w))).toHaveLength(1);
    const patchesBefore = gh.requests.filter((r) => r.method === 'PATCH').length;
    for (let s = 0; s < 110; s += 5) {
      await clock.advance(5000);
      await c.update(`v3 ${s}`);
      await c.settled();
    }
    expect(gh.requests.filter((r) => r.method === 'PATCH').length).toBe(patchesBefore);
    // The queued body goes out by itself once the limit has passed.
    await clock.advance(limitedAt + 120_000 - clock.now() + 1000);
    await c.settled();
    const patches = gh.requests.filter((r) => r.method === 'PATCH');
    expect(patches.length).toBe(patchesBefore + 1);
    expect(patches.at(-1)!.at).toBeGreaterThanOrEqual(limitedAt + 120_000);
    expect(ours()[0]!.body).toBe(`${MARKER}\nv3 105`);
  });

  it('final waits out a short secondary limit, and gives up with a warning on a long one', async () => {
    const c = sticky();
    await c.update('v1');
    gh.faults.add({ kind: 'secondary-rate-limit', method: 'PATCH', retryAfterSeconds: 20, times: 1 });
    const t = clock.now();
    await clock.run(c.update('final', { final: true }));
    expect(ours()[0]!.body).toBe(`${MARKER}\nfinal`);
    expect(clock.now() - t).toBeGreaterThanOrEqual(20_000);

    const d = sticky({ marker: '<!-- other -->' });
    await d.update('v1');
    gh.faults.add({ kind: 'secondary-rate-limit', method: 'PATCH', retryAfterSeconds: 600 });
    await expect(clock.run(d.update('final', { final: true }))).resolves.toBeUndefined();
    expect(warnings.some((w) => /final PR comment was not written/.test(w))).toBe(true);
    expect(gh.comments.list(REPO, 12).find((x) => x.body.startsWith('<!-- other -->'))!.body).toBe('<!-- other -->\nv1');
  });

  it('primary rate limit honours x-ratelimit-reset', async () => {
    const c = sticky();
    await c.update('v1');
    gh.faults.add({ kind: 'primary-rate-limit', method: 'PATCH', resetEpochSeconds: Math.floor(clock.now() / 1000) + 300, times: 1 });
    await clock.advance(15_000);
    await c.update('v2');
    await c.settled();
    const n = writes().length;
    await clock.advance(200_000);
    await c.update('v3');
    await c.settled();
    expect(writes().length).toBe(n);
    await clock.advance(100_000);
    await c.update('v4');
    await c.settled();
    expect(writes().length).toBe(n + 1);
    expect(warnings.filter((w) => /primary rate limit/.test(w))).toHaveLength(1);
  });

  it('network resets and 500s: warned once each, the final retries and lands, and no duplicate comment', async () => {
    const c = sticky();
    gh.faults.add({ kind: 'network-reset', method: 'POST', path: '/comments', times: 1 });
    await c.update('v1');
    gh.faults.add({ kind: 'server-error', method: 'POST', path: '/comments', times: 2 });
    await clock.advance(15_000);
    await c.update('v2');
    await c.settled();
    await clock.run(c.update('final', { final: true }));
    expect(warnings.filter((w) => /could not be written/.test(w))).toHaveLength(2);
    expect(ours().map((x) => x.body)).toEqual([`${MARKER}\nfinal`]);
  });

  it('404 on the issue: one warning, then silence', async () => {
    const c = sticky({ issueNumber: 999 });
    await c.update('x');
    await c.update('y', { final: true });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Not Found/);
  });
});

describe('body cap', () => {
  it('never sends more than 65,536 characters, with a note, and warns once', async () => {
    const c = sticky();
    await c.update('x'.repeat(100_000));
    await clock.run(c.update('y'.repeat(100_000), { final: true }));
    const sent = writes().map((r) => (r.body as { body: string }).body);
    expect(sent).toHaveLength(2);
    for (const body of sent) {
      expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
      expect(body.startsWith(MARKER)).toBe(true);
      expect(body).toMatch(/limit of 65,536 characters/);
    }
    expect(gh.requests.every((r) => r.status !== 422)).toBe(true);
    expect(warnings.filter((w) => /cut/.test(w))).toHaveLength(1);
  });

  it('a marker at the end of an over-long body is kept', async () => {
    const c = sticky();
    await clock.run(c.update(`${'z'.repeat(80_000)}\n${MARKER}`, { final: true }));
    const body = ours()[0]!.body;
    expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
    expect(body.startsWith(MARKER)).toBe(true);
  });

  it('capCommentBody keeps short bodies and never splits a surrogate pair', () => {
    expect(capCommentBody('short')).toBe('short');
    const emoji = '😀'.repeat(40_000);
    const capped = capCommentBody(emoji);
    expect(capped.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
    expect(capped).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});
