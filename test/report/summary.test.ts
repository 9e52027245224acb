import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/redact.ts';
import { decideOutcome } from '../../src/stream/outcome.ts';
import type { Outcome } from '../../src/stream/outcome.ts';
import type { ResultEvent, RunSnapshot, ToolStats } from '../../src/stream/types.ts';
import { renderSummary, SUMMARY_LIMIT_BYTES } from '../../src/report/summary.ts';
import type { RunReport } from '../../src/report/summary.ts';
import { makeResult, makeSnapshotEndedBy } from './fixtures/changes.ts';
import { gfm, hasCmark } from './fixtures/gfm.ts';

// Snapshots are built by hand here: the run-state module is tested on its own.
const result = (over: Partial<ResultEvent> = {}): ResultEvent =>
  makeResult({ durationMs: 181_000, durationApiMs: 150_000, numTurns: 12, result: 'All tests pass.', totalCostUsd: 0.4123, sessionId: 'sess-1', ...over });

const snapshot = (over: Partial<RunSnapshot> = {}): RunSnapshot =>
  makeSnapshotEndedBy(over.results ?? [result()], {
    toolStats: [
      { name: 'Bash', calls: 7, errors: 1, totalMs: 42_000 },
      { name: 'Read', calls: 12, errors: 0, totalMs: 1_200 },
    ],
    usage: { inputTokens: 12_345, outputTokens: 2_345, cacheReadTokens: 100_000, cacheWriteTokens: 5_000 },
    models: ['claude-sonnet-4-5'],
    sessionId: '0123abcd-4567',
    claudeCodeVersion: '2.1.330',
    ...over,
  });

function report(snap: RunSnapshot, over: Partial<RunReport> & { exitCode?: number | null; outcome?: Outcome } = {}): RunReport {
  const { exitCode = 0, outcome, ...rest } = over;
  return {
    snapshot: snap,
    outcome: outcome ?? decideOutcome({ snapshot: snap, exitCode }),
    redactor: new Redactor(),
    durationMs: 192_000,
    machine: { id: '148e21ea7d5589', region: 'iad', sizeName: 'performance-2x', cpuKind: 'performance', cpus: 2, memoryMb: 4096, runningMs: 192_000 },
    runUrl: 'https://github.com/o/r/actions/runs/1',
    transcriptFile: 'claude-transcript-1.jsonl',
    ...rest,
  };
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('renderSummary: success', () => {
  const md = renderSummary(report(snapshot({ finalText: '## Fixed\n\nThe **flaky** test now waits for the server.' })));

  it('leads with the conclusion', () => {
    expect(md.startsWith('## ✅ Claude Code: Success\n\nClaude finished the task')).toBe(true);
  });

  it('has one table with the run figures, costs labelled by who estimated them', () => {
    expect(md).toContain('| Duration | 3m 12s (Claude Code: 3m 01s, of which API 2m 30s) |');
    expect(md).toContain('| Turns | 12 |');
    expect(md).toContain("| Claude's cost | $0.4123 — Claude Code's own estimate |");
    // performance-2x in iad for 192 s at $0.000025464/s
    expect(md).toMatch(/\| Machine cost \| \$0\.0049 — estimate: performance-2x 4096 MB in iad, 3m 12s at Fly's per-second price of 2026-11-22/);
    expect(md).toContain('| Total cost | **$0.4172** — Claude + machine, both estimates |');
    expect(md).toContain('| Tokens | 12,345 in · 2,345 out · 100,000 cache read · 5,000 cache write (all models and subagents) |');
    expect(md).toContain('| Model | <code>claude-sonnet-4-5</code> |');
    expect(md).toContain('| Claude Code | <code>2.1.330</code> |');
    expect(md).toContain('| Machine | <code>148e21ea7d5589</code> · iad · performance-2x (2 performance CPUs, 4096 MB) |');
    expect(md).toContain('| Session | <code>0123abcd-4567</code> |');
    expect(md).toContain('| Exit code | 0 |');
    expect(md.match(/^\| Run \| \|$/gm)).toHaveLength(1);
  });

  it("renders Claude's answer as markdown", () => {
    expect(md).toContain("### Claude's answer\n\n## Fixed\n\nThe **flaky** test now waits for the server.");
  });

  it('lists tool use in a folded table, most used first', () => {
    expect(md).toContain('<details><summary>Tool use: 19 calls of 2 tools, 1 error</summary>');
    const read = md.indexOf('| <code>Read</code> | 12 | 0 | 1.2 s |');
    const bash = md.indexOf('| <code>Bash</code> | 7 | 1 | 42.0 s |');
    expect(read).toBeGreaterThan(0);
    expect(bash).toBeGreaterThan(read);
  });

  it('links the workflow log and names the transcript', () => {
    expect(md).toContain('[Workflow log](https://github.com/o/r/actions/runs/1) · Transcript: <code>claude-transcript-1.jsonl</code>');
  });

  it.skipIf(!hasCmark)('renders as valid GitHub markdown: one table, one details block', () => {
    const html = gfm(md);
    expect((html.match(/<table>/g) ?? []).length).toBe(2);
    expect((html.match(/<details>/g) ?? []).length).toBe(1);
    expect((html.match(/<\/details>/g) ?? []).length).toBe(1);
    expect(html).toContain('<h2>Fixed</h2>');
  });
});

describe('renderSummary: failures', () => {
  it.each([
    ['error_max_turns', 'maximum number of turns'],
    ['error_max_budget_usd', 'budget limit'],
    ['error_during_execution', 'failed during execution'],
  ])('%s: says why in the headline and lists the errors', (subtype, why) => {
    const r = result({ subtype, isError: true, result: undefined, errors: [`${subtype} happened <b>here</b>`] });
    const md = renderSummary(report(snapshot({ results: [r], finalText: '' }), { exitCode: 1 }));
    expect(md.startsWith('## ❌ Claude Code: Failure')).toBe(true);
    expect(md.split('\n')[2]).toContain(why);
    expect(md).toContain(`### Errors\n\n- ${subtype} happened &lt;b&gt;here&lt;/b&gt;`);
    expect(md).toContain('| Exit code | 1 |');
    expect(md).toContain('_Claude gave no final answer text._');
  });

  it('shows permission denials, API retries with their kinds, and subagents', () => {
    const snap = snapshot({
      permissionDenials: [{ toolName: 'WebFetch', toolUseId: 't1', message: 'not in the allowed tools' }],
      retries: [
        { kind: 'api_retry', attempt: 1, maxRetries: 10, retryDelayMs: 500, errorStatus: 429, error: 'rate_limit' },
        { kind: 'api_retry', attempt: 2, maxRetries: 10, retryDelayMs: 900, errorStatus: 429, error: 'rate_limit' },
        { kind: 'api_retry', attempt: 3, maxRetries: 10, retryDelayMs: 900, errorStatus: 529, error: 'overloaded' },
      ],
      subagents: [
        { toolUseId: 'a', index: 1, description: 'explore deps', subagentType: 'Explore', taskId: 't', status: 'completed', background: true },
      ],
    });
    const md = renderSummary(report(snap));
    expect(md).toContain('### Permission denials\n\n- <code>WebFetch</code>: not in the allowed tools');
    expect(md).toContain('**API retries:** 3 — <code>rate&#95;limit</code> ×2 (HTTP 429), <code>overloaded</code> ×1 (HTTP 529)');
    expect(md).toContain('### Subagents\n\n- Agent 1: explore deps (<code>Explore</code>, completed, background)');
  });
});

describe('renderSummary: no result, two results, cancelled', () => {
  it('says plainly that there was no result, with the reason, and shows the last text', () => {
    const snap = snapshot({ results: [], finalText: 'I was about to', costUsd: undefined, numTurns: undefined, durationMs: undefined });
    const md = renderSummary(report(snap, { exitCode: 137 }));
    expect(md.startsWith('## ⚠️ Claude Code: No result\n\nClaude Code ended without a result (exit code 137)')).toBe(true);
    expect(md).toContain('**No result:** Claude Code ended without reporting a result (Claude Code ended without a result (exit code 137))');
    expect(md).toContain('### Last text from Claude\n\nI was about to');
    expect(md).toContain("| Claude's cost | unknown — Claude Code's own estimate |");
    expect(md).toContain('| Turns | unknown |');
    expect(md).toContain('| Total cost | $0.0049 — only the machine\'s cost is known |');
  });

  it('reports the last (cumulative) cost once and says a background agent finished late', () => {
    const first = result({ totalCostUsd: 0.3, numTurns: 8, result: 'Main answer.' });
    const second = result({ totalCostUsd: 0.5, numTurns: 11, result: 'Background agent done.' });
    const snap = snapshot({ results: [first, second], finalText: 'Main answer.' });
    const md = renderSummary(report(snap));
    expect(md).toContain('A background agent finished after the main answer: Claude Code reported 2 results');
    expect(md).toContain("| Claude's cost | $0.5000 — Claude Code's own estimate |");
    expect(md).not.toContain('$0.3000');
    expect(md).not.toContain('$0.8000');
    expect(md).toContain('| Turns | 11 |');
  });

  it('reports a cancelled run', () => {
    const snap = snapshot({ results: [], finalText: 'Working on it' });
    const outcome = decideOutcome({ snapshot: snap, cancelled: true, exitCode: null });
    const md = renderSummary(report(snap, { outcome }));
    expect(md.startsWith('## 🚫 Claude Code: Cancelled\n\nthe workflow run was cancelled')).toBe(true);
    expect(md).not.toContain('| Exit code |');
    expect(md).toContain('### Last text from Claude\n\nWorking on it');
  });

  it('works without machine, links or figures', () => {
    const snap = snapshot({ results: [], finalText: '', models: [], sessionId: undefined, claudeCodeVersion: undefined, toolStats: [] });
    const md = renderSummary({ snapshot: snap, outcome: decideOutcome({ snapshot: snap }), redactor: new Redactor() });
    expect(md).toContain('## ⚠️ Claude Code: No result');
    expect(md).not.toContain('Machine cost');
    expect(md).not.toContain('<details>');
    expect(md).toContain('| Duration | unknown |');
  });
});

describe('renderSummary: huge runs', () => {
  it('stays under 1 MiB with a 5 MB answer and 5,000 tool calls, saying what was cut', () => {
    const answer = `# Findings\n\n${'Line with <tags>, ünïcödé and emoji 😀 — the answer goes on.\n'.repeat(80_000)}`;
    expect(bytes(answer)).toBeGreaterThan(5_000_000);
    const stats: ToolStats[] = Array.from({ length: 5_000 }, (_, i) => ({ name: `mcp__server__tool_${i}`, calls: 1, errors: i % 7 === 0 ? 1 : 0, totalMs: 1_000 + i }));
    const snap = snapshot({ finalText: answer, toolStats: stats, errors: Array.from({ length: 500 }, (_, i) => `error ${i} ${'x'.repeat(3_000)}`) });
    const md = renderSummary(report(snap));
    expect(bytes(md)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(bytes(md)).toBeGreaterThan(SUMMARY_LIMIT_BYTES * 0.9);
    expect(md).toContain('**Cut to fit:**');
    expect(md).toMatch(/more lines \(\d+\.\d MB\) not shown here\. The full text is in the transcript <code>claude-transcript-1\.jsonl<\/code>\./);
    expect(md).toContain('4500 more tools not shown (the table lists the 500 most used)');
    expect(md).toContain('450 more not shown');
    // Everything after the answer survived the cut.
    expect(md).toContain('</details>');
    expect(md).toContain('[Workflow log]');
  });

  it('cuts the answer first, then tool rows, when the limit is small', () => {
    const stats: ToolStats[] = Array.from({ length: 400 }, (_, i) => ({ name: `tool_${i}`, calls: 400 - i, errors: 0, totalMs: 0 }));
    const snap = snapshot({ finalText: 'answer line\n'.repeat(10_000), toolStats: stats });
    const md = renderSummary(report(snap), { limitBytes: 12_000 });
    expect(bytes(md)).toBeLessThanOrEqual(12_000);
    expect(md).not.toContain("### Claude's answer");
    expect(md).toMatch(/✂️ _\d+ more tools not shown \(cut to fit\)\._/);
    expect(md).toContain('| <code>tool&#95;0</code> | 400 | 0 | — |');
    expect(md).toContain('</details>');
  });

  it('never exceeds the limit, whatever the limit', () => {
    const snap = snapshot({ finalText: 'Ünïcödé answer <b> 😀\n'.repeat(2_000), errors: ['e1', 'e2'], toolStats: Array.from({ length: 50 }, (_, i) => ({ name: `t${i}`, calls: 1, errors: 0, totalMs: 1 })) });
    for (let limit = 40; limit < 30_000; limit = Math.ceil(limit * 1.37)) {
      const md = renderSummary(report(snap), { limitBytes: limit });
      expect(bytes(md), `limit ${limit}`).toBeLessThanOrEqual(limit);
    }
  });

  it('counts UTF-8 bytes, not characters', () => {
    const snap = snapshot({ finalText: '漢字'.repeat(400_000) });
    const md = renderSummary(report(snap));
    expect(bytes(md)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(md.length).toBeLessThan(SUMMARY_LIMIT_BYTES / 2);
    expect(md).toContain('Cut to fit');
  });
});

describe('renderSummary: hostile text', () => {
  const SECRET = 'ghp_s3cr3tT0kenValue1234567890';
  const hostile = [
    'Done. <script>alert(1)</script> <img src=x onerror=alert(1)>',
    '</details></details>',
    '<!-- claude-fly-action:KEY -->',
    `The token is ${SECRET} and base64 ${Buffer.from(SECRET).toString('base64')}.`,
    '@octocat please look',
    '```',
    '</details> unclosed fence',
  ].join('\n');

  function hostileReport(): RunReport {
    const snap = snapshot({
      finalText: hostile,
      toolStats: [{ name: `Bash<img src=x onerror=1>${SECRET}`, calls: 1, errors: 0, totalMs: 5 }],
      errors: [`failed with ${SECRET} </details>`],
      permissionDenials: [{ toolName: '<b>X</b>', toolUseId: 't', message: `denied ${SECRET}` }],
      subagents: [{ toolUseId: 'a', index: 1, description: `</details><script>${SECRET}`, subagentType: 'x', taskId: undefined, status: 'failed', background: false }],
      models: [`model-${SECRET}`],
      sessionId: SECRET,
      structuredOutput: { token: SECRET, html: '</details><!-- x -->' },
    });
    return report(snap, { redactor: new Redactor([SECRET]), transcriptFile: `t-${SECRET}.jsonl` });
  }

  it('never shows a secret', () => {
    const md = renderSummary(hostileReport());
    expect(md).not.toContain(SECRET);
    expect(md).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, 20));
    expect(md).toContain('***');
  });

  it.skipIf(!hasCmark)('lets no HTML through and cannot close our <details> blocks', () => {
    const md = renderSummary(hostileReport());
    const html = gfm(md);
    expect(html).not.toMatch(/<script|<img|<!--/i);
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
    const opens = (html.match(/<details>/g) ?? []).length;
    expect(opens).toBe(2); // tools + structured output
    expect((html.match(/<\/details>/g) ?? []).length).toBe(opens);
    // The last thing in the summary is our own links line, outside any code block.
    expect(html.trimEnd().endsWith('</p>')).toBe(true);
    expect(html).toContain('<a href="https://github.com/o/r/actions/runs/1">Workflow log</a>');
  });
});


describe('renderSummary: tool time', () => {
  it('says a sub-second total is short instead of giving a figure the reads cannot measure', () => {
    const md = renderSummary(
      report(
        snapshot({
          toolStats: [
            { name: 'Read', calls: 2, errors: 0, totalMs: 40 },
            { name: 'Bash', calls: 1, errors: 0, totalMs: 12_300 },
            { name: 'Grep', calls: 1, errors: 0, totalMs: 0 },
          ],
        }),
      ),
    );
    expect(md).toMatch(/\| <code>Read<\/code> \| 2 \| 0 \| <1 s \|/);
    expect(md).toMatch(/\| <code>Bash<\/code> \| 1 \| 0 \| 12\.3 s \|/);
    expect(md).toMatch(/\| <code>Grep<\/code> \| 1 \| 0 \| — \|/);
  });
});
