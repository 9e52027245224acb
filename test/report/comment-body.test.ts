import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/redact.ts';
import { decideOutcome } from '../../src/stream/outcome.ts';
import type { ResultEvent, RunSnapshot, ToolCall } from '../../src/stream/types.ts';
import {
  COMMENT_MAX_CHARS,
  commentMarker,
  isMarkedComment,
  LIVE_RECENT_CALLS,
  renderComment,
  sanitizeMarkerKey,
} from '../../src/report/comment-body.ts';
import type { LiveProgress } from '../../src/report/comment-body.ts';
import type { RunReport } from '../../src/report/report-input.ts';
import { makeCall, makeResult, makeSnapshotEndedBy } from './fixtures/changes.ts';
import { gfm, hasCmark } from './fixtures/gfm.ts';

const result = (over: Partial<ResultEvent> = {}): ResultEvent =>
  makeResult({ durationMs: 100_000, durationApiMs: 90_000, numTurns: 9, result: 'Fixed it.', totalCostUsd: 0.25, usage: undefined, sessionId: 's', ...over });

const snapshot = (over: Partial<RunSnapshot> = {}): RunSnapshot =>
  makeSnapshotEndedBy(over.results ?? [result()], {
    usage: { inputTokens: 1, outputTokens: 2, cacheReadTokens: 3, cacheWriteTokens: 4 },
    models: ['claude-sonnet-4-5'],
    sessionId: 's',
    claudeCodeVersion: '2.1.330',
    ...over,
  });

function report(snap: RunSnapshot, over: Partial<RunReport> = {}, exitCode: number | null = 0): RunReport {
  return {
    snapshot: snap,
    outcome: decideOutcome({ snapshot: snap, exitCode }),
    redactor: new Redactor(),
    durationMs: 120_000,
    machine: { id: 'm1', region: 'iad', sizeName: 'shared-cpu-2x', cpuKind: 'shared', cpus: 2, memoryMb: 2048, runningMs: 120_000 },
    runUrl: 'https://github.com/o/r/actions/runs/7',
    summaryUrl: 'https://github.com/o/r/actions/runs/7/attempts/1#summary-1',
    ...over,
  };
}

const call = (seq: number, over: Partial<ToolCall> = {}): ToolCall =>
  makeCall({ id: `toolu_${seq}`, input: {}, summary: `step ${seq}`, seq, startedAt: undefined, endedAt: undefined, output: '', ...over });


const MARKER = commentMarker('pr-42');

describe('marker', () => {
  it('is a one-line HTML comment with the key', () => {
    expect(MARKER).toBe('<!-- claude-fly-action:pr-42 -->');
  });

  it('sanitizes the key: no --, no >, no spaces or newlines', () => {
    expect(commentMarker('a --> <b>\n c')).toBe('<!-- claude-fly-action:a_-___b___c -->');
    expect(sanitizeMarkerKey('x----y')).toBe('x-y');
    expect(sanitizeMarkerKey('')).toBe('default');
    expect(sanitizeMarkerKey('k'.repeat(500))).toHaveLength(100);
    expect(commentMarker('review/main:job.1')).toBe('<!-- claude-fly-action:review/main:job.1 -->');
  });

  it('is recognised only as the first line', () => {
    const body = renderComment(report(snapshot()), { marker: MARKER });
    expect(isMarkedComment(body, MARKER)).toBe(true);
    expect(isMarkedComment(`hello\n${MARKER}`, MARKER)).toBe(false);
    expect(isMarkedComment(body, commentMarker('pr-4'))).toBe(false);
    expect(isMarkedComment(null, MARKER)).toBe(false);
  });

  it('rebuilds a marker that is not clean', () => {
    const body = renderComment(report(snapshot()), { marker: '<!-- claude-fly-action:x --> <script> -->' });
    expect(body.split('\n')[0]).toMatch(/^<!-- claude-fly-action:[A-Za-z0-9._:/-]+ -->$/);
  });
});

describe('renderComment: final state', () => {
  it('shows conclusion, answer, turns, duration, cost with the machine, and links', () => {
    const body = renderComment(report(snapshot({ finalText: '**Fixed** the flaky test.' })), { marker: MARKER });
    expect(body.startsWith(`${MARKER}\n### ✅ Claude Code: Success\n\nClaude finished the task\n\n**Fixed** the flaky test.`)).toBe(true);
    // shared-cpu-2x 2048 MB in iad: 2 x 0.0000008465 + 1.5 GB x 0.000002316 per second, 120 s
    expect(body).toContain('9 turns · 2m 00s · $0.2506 (Claude $0.2500, its own estimate + machine $0.0006, estimated)');
    expect(body).toContain('[Workflow log](https://github.com/o/r/actions/runs/7)');
    expect(body).toContain('[Job summary](https://github.com/o/r/actions/runs/7/attempts/1#summary-1)');
  });

  it.each([
    ['error_max_turns', 'maximum number of turns'],
    ['error_max_budget_usd', 'budget limit'],
    ['error_during_execution', 'failed during execution'],
  ])('%s: failure with the reason and the errors', (subtype, why) => {
    const snap = snapshot({ results: [result({ subtype, isError: true, result: undefined, errors: ['boom @octocat'] })], finalText: '' });
    const body = renderComment(report(snap, {}, 1), { marker: MARKER });
    expect(body).toContain('### ❌ Claude Code: Failure');
    expect(body).toContain(why);
    expect(body).toContain('**Errors:**\n\n- boom @\u200Boctocat');
  });

  it('says when there was no result, and shows the last text', () => {
    const snap = snapshot({ results: [], finalText: 'Halfway there', costUsd: undefined, numTurns: undefined });
    const body = renderComment(report(snap, {}, 143), { marker: MARKER });
    expect(body).toContain('### ⚠️ Claude Code: No result\n\nClaude Code ended without a result (exit code 143)');
    expect(body).toContain('> Claude Code ended without reporting a result');
    expect(body).toContain('**Last text from Claude:**\n\nHalfway there');
    expect(body).toContain("machine $0.0006 (estimated); Claude's cost unknown");
  });

  it('reports a cancelled run', () => {
    const snap = snapshot({ results: [], finalText: '' });
    const r = { ...report(snap), outcome: decideOutcome({ snapshot: snap, cancelled: true }) };
    const body = renderComment(r, { marker: MARKER });
    expect(body).toContain('### 🚫 Claude Code: Cancelled\n\nthe workflow run was cancelled');
  });

  it('counts a late background result once', () => {
    const snap = snapshot({ results: [result({ totalCostUsd: 0.1 }), result({ totalCostUsd: 0.3, numTurns: 12 })], finalText: 'Main answer' });
    const body = renderComment(report(snap, { machine: undefined }), { marker: MARKER });
    expect(body).toContain('A background agent finished after the main answer');
    expect(body).toContain('12 turns · 2m 00s · Claude $0.3000 (its own estimate)');
    expect(body).not.toContain('$0.4000');
  });
});

describe('renderComment: live state', () => {
  const live = (over: Partial<LiveProgress> = {}): LiveProgress => ({
    elapsedMs: 190_000,
    costUsd: 0.12,
    current: call(7, { done: false, summary: 'npm test' }),
    recent: [call(5, { name: 'Read', summary: 'src/a.ts' }), call(6, { isError: true, summary: 'npm run lint' }), call(7, { done: false, summary: 'npm test' })],
    toolsDone: 6,
    ...over,
  });

  it('shows time, cost, the step running now and a checklist of recent calls', () => {
    const body = renderComment(report(snapshot()), { marker: MARKER, live: live() });
    expect(body).toContain(`${MARKER}\n### ⏳ Claude is working — 3m 10s, $0.1200 so far`);
    expect(body).toContain('Step 7: **Bash** <code>npm test</code>');
    expect(body).toContain('- ✓ **Read** <code>src/a.ts</code>\n- ✗ **Bash** <code>npm run lint</code>\n- ⏳ **Bash** <code>npm test</code>');
    expect(body).toContain('6 tool calls done · [Workflow log](https://github.com/o/r/actions/runs/7)');
    expect(body).not.toContain('Claude finished the task');
  });

  it('shows only the last calls and stays small with 5,000 of them', () => {
    const recent = Array.from({ length: 5_000 }, (_, i) => call(i + 1, { summary: `cmd ${i + 1} ${'z'.repeat(1_000)}`, agentLabel: 'agent 1: x' }));
    const body = renderComment(report(snapshot()), { marker: MARKER, live: live({ recent, toolsDone: 5_000, current: undefined }) });
    expect(body.split('\n').filter((l) => l.startsWith('- ')).length).toBe(LIVE_RECENT_CALLS);
    expect(body).toContain('cmd 5000');
    expect(body).not.toContain('cmd 4985 ');
    expect(body.length).toBeLessThan(10_000);
  });
});

describe('renderComment: bounds and hostile text', () => {
  it('stays under 65,536 characters with a 5 MB answer, with a visible cut note', () => {
    const answer = 'A long answer line with <html> & emoji 😀😀 and @someone.\n'.repeat(90_000);
    const body = renderComment(report(snapshot({ finalText: answer })), { marker: MARKER });
    expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
    expect(body.length).toBeGreaterThan(60_000);
    expect(body).toContain('**Cut to fit:**');
    expect(body).toContain('More in the [job summary](https://github.com/o/r/actions/runs/7/attempts/1#summary-1).');
    expect(body.startsWith(MARKER)).toBe(true);
    expect(body.trimEnd().endsWith('</sub>')).toBe(true);
    expect(body).not.toMatch(/(^|[^A-Za-z0-9_])@someone/m);
  });

  it('never exceeds the limit, whatever the limit', () => {
    const snap = snapshot({ finalText: 'Answer 😀 <b> @x\n'.repeat(3_000) });
    for (let limit = 60; limit < 40_000; limit = Math.ceil(limit * 1.41)) {
      const body = renderComment(report(snap), { marker: MARKER, limitChars: limit });
      expect(body.length, `limit ${limit}`).toBeLessThanOrEqual(limit);
      expect(body.startsWith(MARKER)).toBe(true);
      const live = renderComment(report(snap), { marker: MARKER, limitChars: limit, live: { elapsedMs: 5, recent: [call(1), call(2)], toolsDone: 2 } });
      expect(live.length, `live, limit ${limit}`).toBeLessThanOrEqual(limit);
    }
  });

  const SECRET = 'sk-ant-api03-SECRETSECRET';
  const hostile = [
    '<!-- claude-fly-action:pr-42 -->',
    '<!-- claude-fly-action:other -->',
    'Ping @octocat and @github/security-team, mail me at dev@example.com.',
    `key=${SECRET}`,
    '<script>alert(1)</script><img src=x onerror=alert(1)></details>',
    '```',
    '<!-- claude-fly-action:pr-42 --> inside a fence',
    '```',
    '`<!-- claude-fly-action:pr-42 -->` in a code span',
    '\\<!-- escaped -->',
  ].join('\n');

  function hostileBody(live?: LiveProgress): string {
    const snap = snapshot({ finalText: hostile, errors: [`bad ${SECRET} @octocat`] });
    const r = { ...report(snap, { redactor: new Redactor([SECRET]) }, 1) };
    return renderComment(r, { marker: MARKER, live });
  }

  it('keeps the marker the only comment opener, first, whatever the text says', () => {
    for (const body of [
      hostileBody(),
      hostileBody({ elapsedMs: 1, recent: [call(1, { summary: `<!-- claude-fly-action:pr-42 --> ${SECRET} @octocat`, name: '<!--x-->' })], toolsDone: 0 }),
    ]) {
      expect(body.split('<!--')).toHaveLength(2);
      expect(body.startsWith(`${MARKER}\n`)).toBe(true);
    }
  });

  it('neutralizes mentions, leaves e-mail addresses, redacts secrets', () => {
    const body = hostileBody();
    expect(body).not.toMatch(/(^|[^A-Za-z0-9_])@(octocat|github)/m);
    expect(body).toContain('@\u200Boctocat');
    expect(body).toContain('dev@example.com');
    expect(body).not.toContain(SECRET);
    const liveBody = hostileBody({ elapsedMs: 1, recent: [call(1, { summary: `curl -H "x: ${SECRET}" @octocat` })], toolsDone: 0 });
    expect(liveBody).not.toContain(SECRET);
    expect(liveBody).not.toMatch(/(^|[^A-Za-z0-9_])@octocat/m);
  });

  it.skipIf(!hasCmark)('renders with no HTML from the text and one comment: the marker', () => {
    const html = gfm(hostileBody());
    expect(html.startsWith('<!-- claude-fly-action:pr-42 -->')).toBe(true);
    expect(html.split('<!--')).toHaveLength(2);
    expect(html).not.toMatch(/<script|<img|<\/details>/i);
  });
});
