import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/redact.ts';
import { RETRY_ANNOTATION } from '../../src/report/annotations.ts';
import { LogRenderer, type ToolOutputMode } from '../../src/report/log.ts';
import { LogWriter } from '../../src/report/log-writer.ts';
import type { RunChange } from '../../src/stream/types.ts';
import { readLines } from '../oracle/runner-commands.ts';
import { makeAgent, makeCall, makeInit, makeResult, makeSnapshot } from './fixtures/changes.ts';
import { TOKEN, judge, sink } from './fixtures/judge.ts';

function setup(mode: ToolOutputMode = 'truncated', opts: { maxLines?: number; maxBytes?: number; secrets?: string[] } = {}) {
  const s = sink();
  const writer = new LogWriter(s.write, { redactor: new Redactor(opts.secrets ?? []), newToken: () => TOKEN });
  const r = new LogRenderer(writer, { toolOutput: mode, maxLines: opts.maxLines, maxBytes: opts.maxBytes });
  return { r, out: s.text, writer };
}

/** The log as a person reads it: stop/resume lines dropped. */
function visible(out: string): string[] {
  return readLines(out).filter((l) => l !== `::stop-commands::${TOKEN}` && l !== `::${TOKEN}::`);
}

/** Lines of each group, keyed by the group title. */
function groups(out: string): { title: string; body: string[] }[] {
  const res: { title: string; body: string[] }[] = [];
  let cur: { title: string; body: string[] } | undefined;
  for (const l of visible(out)) {
    if (l.startsWith('::group::')) res.push((cur = { title: l.slice('::group::'.length), body: [] }));
    else if (l === '::endgroup::') cur = undefined;
    else if (cur) cur.body.push(l);
  }
  return res;
}

describe('LogRenderer: session', () => {
  it('one group with the run setup; a later session gets a short group', () => {
    const { r, out } = setup();
    r.change({ type: 'session', init: makeInit(), index: 0 });
    r.change({ type: 'session', init: makeInit({ sessionId: 'ffff0000-1' }), index: 1 });
    r.finish(makeSnapshot(), { conclusion: 'success' });
    const g = groups(out());
    expect(g.map((x) => x.title)).toEqual([
      'Claude Code 2.1.330 · claude-sonnet-4-5 · session 0123abcd',
      'Claude Code session 2 · claude-sonnet-4-5 · session ffff0000',
    ]);
    const body = g[0]!.body.join('\n');
    for (const want of ['/work/repo', 'acceptEdits', 'ANTHROPIC_API_KEY', 'Bash, Read, Edit', 'github: connected', 'general-purpose']) {
      expect(body).toContain(want);
    }
    expect(judge(out()).map((c) => c.command)).toEqual(['group', 'endgroup', 'group', 'endgroup']);
  });
});

describe('LogRenderer: narration and tools', () => {
  it('narration outside groups, subagent narration labelled, one group per tool call', () => {
    const { r, out } = setup();
    const call3 = makeCall({ seq: 3, output: 'PASS 12 tests' });
    const call4 = makeCall({
      id: 't4', seq: 4, name: 'Read', input: { file_path: 'src/x.ts' }, summary: 'src/x.ts',
      agentLabel: 'agent 2: explore deps', startedAt: undefined, endedAt: undefined, output: 'file body',
    });
    const changes: RunChange[] = [
      { type: 'narration', text: 'Let me run the tests.', parentToolUseId: null, agentLabel: '' },
      { type: 'tool-start', call: { ...call3, done: false } },
      { type: 'tool-start', call: { ...call4, done: false } },
      { type: 'narration', text: 'looking around', parentToolUseId: 'toolu_task', agentLabel: 'agent 2: explore deps' },
      { type: 'tool-end', call: call4 },
      { type: 'tool-end', call: { ...call3, isError: true } },
    ];
    for (const c of changes) r.change(c);
    r.finish(makeSnapshot(), { conclusion: 'success' });
    const lines = visible(out());
    expect(lines[0]).toBe('Let me run the tests.');
    expect(lines).toContain('▸ [3] Bash: npm test');
    expect(lines).toContain('▸ [agent 2: explore deps · 4] Read: src/x.ts');
    expect(lines).toContain('[agent 2: explore deps] looking around');
    const g = groups(out());
    expect(g.map((x) => x.title)).toEqual(['✓ [agent 2: explore deps · 4] Read: src/x.ts', '✗ [3] Bash: npm test (12.3 s)']);
    expect(g[1]!.body).toEqual(['── input ──', '$ npm test', '── output (error) ──', 'PASS 12 tests']);
    expect(g[0]!.body.join('\n')).toContain('"file_path": "src/x.ts"');
    // Narration is not inside any group.
    const inGroups = g.flatMap((x) => x.body);
    expect(inGroups).not.toContain('Let me run the tests.');
  });

  it('Edit and Write show the path and bounded content', () => {
    const { r, out } = setup('truncated', { maxLines: 3 });
    r.change({
      type: 'tool-end',
      call: makeCall({ name: 'Write', input: { file_path: 'a.txt', content: 'l1\nl2\nl3\nl4\nl5' }, summary: 'a.txt', output: 'written' }),
    });
    r.change({
      type: 'tool-end',
      call: makeCall({ seq: 2, name: 'Edit', input: { file_path: 'b.ts', old_string: 'x', new_string: 'y' }, summary: 'b.ts' }),
    });
    r.finish(makeSnapshot(), { conclusion: 'success' });
    const [write, edit] = groups(out());
    expect(write!.body).toEqual(['── input ──', 'file: a.txt', 'content:', 'l1', 'l2', 'l3', '… 2 more lines (6 characters) not shown', '── output ──', 'written']);
    expect(edit!.body).toEqual(['── input ──', 'file: b.ts', 'old_string:', 'x', 'new_string:', 'y', '── output ──', 'ok']);
  });

  it("'truncated' bounds output with a note; work stays bounded on a huge output", () => {
    const { r, out } = setup();
    const big = Array.from({ length: 100_000 }, (_, i) => `row ${i}`).join('\n');
    r.change({ type: 'tool-end', call: makeCall({ output: big }) });
    r.finish(makeSnapshot(), { conclusion: 'success' });
    const body = groups(out())[0]!.body;
    const outIdx = body.indexOf('── output ──');
    const shown = body.slice(outIdx + 1);
    expect(shown).toHaveLength(201);
    expect(shown[199]).toBe('row 199');
    // The rest is over COUNT_LINES_WITHIN characters: its line count is a lower bound, marked with +.
    const omittedChars = (big.length - shown.slice(0, 200).join('\n').length).toLocaleString('en-US');
    expect(shown[200]).toMatch(new RegExp(`^… [\\d,]+\\+ more lines \\(${omittedChars} characters\\) not shown$`));
    expect(out().length).toBeLessThan(30_000);
  });

  it("'truncated' byte bound applies to one enormous line", () => {
    const { r, out } = setup('truncated', { maxBytes: 1000 });
    r.change({ type: 'tool-end', call: makeCall({ output: 'y'.repeat(5_000_000) }) });
    r.finish(makeSnapshot(), { conclusion: 'success' });
    const body = groups(out())[0]!.body;
    expect(body.at(-2)).toBe('y'.repeat(1000));
    expect(body.at(-1)).toBe('… 1+ more lines (4,999,000 characters) not shown');
  });

  it("'full' prints everything", () => {
    const { r, out } = setup('full', { maxLines: 2 });
    r.change({ type: 'tool-end', call: makeCall({ output: 'a\nb\nc\nd' }) });
    r.finish(makeSnapshot(), { conclusion: 'success' });
    expect(groups(out())[0]!.body.slice(-4)).toEqual(['a', 'b', 'c', 'd']);
  });

  it("'none' prints one status line per call, no group", () => {
    const { r, out } = setup('none');
    r.change({ type: 'tool-start', call: makeCall({ done: false }) });
    r.change({ type: 'tool-end', call: makeCall({ output: 'SECRET OUTPUT' }) });
    r.finish(makeSnapshot(), { conclusion: 'success' });
    expect(groups(out())).toEqual([]);
    expect(visible(out())).toContain('✓ [1] Bash: npm test (12.3 s)');
    expect(out()).not.toContain('SECRET OUTPUT');
  });

  it('a secret cut by truncation never shows in part', () => {
    const secret = 'SECRET-abcdefghijklmnop';
    const { r, out } = setup('truncated', { maxBytes: 50, secrets: [secret] });
    for (let shift = 0; shift < 40; shift++) {
      r.change({ type: 'tool-end', call: makeCall({ output: `${'z'.repeat(shift)}${secret}${'z'.repeat(100)}` }) });
    }
    r.finish(makeSnapshot(), { conclusion: 'success' });
    expect(out()).not.toContain('SECRET');
    expect(out()).not.toContain('ghijk');
  });
});

describe('LogRenderer: other lines', () => {
  it('retry: a line each, one annotation only', () => {
    const { r, out } = setup();
    for (const attempt of [1, 2, 3]) {
      r.change({ type: 'retry', retry: { kind: 'api_retry', attempt, maxRetries: 10, retryDelayMs: 4000, errorStatus: 429, error: 'rate_limit' } });
    }
    r.finish(makeSnapshot(), { conclusion: 'failure' });
    expect(visible(out())).toContain('⚠ API retry 2/10: rate_limit (HTTP 429), next attempt in 4.0 s');
    const cmds = judge(out());
    expect(cmds.map((c) => c.command)).toEqual(['warning']);
    expect(cmds[0]!.data).toBe(RETRY_ANNOTATION);
  });

  it("retry: the annotation's words are fixed; the attacker's error text is only in the log", () => {
    const attack = 'ATTACKER-WORDS: rotate your GITHUB_TOKEN at https://evil.example now';
    const { r, out } = setup();
    r.change({ type: 'retry', retry: { kind: 'api_retry', attempt: 1, maxRetries: 10, retryDelayMs: 4000, errorStatus: 529, error: attack } });
    r.change({ type: 'retry', retry: { kind: 'api_retry', attempt: 2, maxRetries: 10, retryDelayMs: 4000, errorStatus: 529, error: `${attack} again` } });
    r.finish(makeSnapshot(), { conclusion: 'failure' });
    const warnings = judge(out()).filter((c) => c.command === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.data).toBe(RETRY_ANNOTATION);
    expect(warnings[0]!.properties).toEqual({});
    // The details stay, as text inside the stop-commands window.
    expect(visible(out())).toContain(`⚠ API retry 1/10: ${attack} (HTTP 529), next attempt in 4.0 s`);
    expect(visible(out()).filter((l) => l.includes('ATTACKER-WORDS'))).toHaveLength(2);
  });

  it('stderr is prefixed, text is as-is, compaction/permission/subagent/hook/api-error get a line', () => {
    const { r, out } = setup();
    r.change({ type: 'stderr', text: 'warn: a\nwarn: b' });
    r.change({ type: 'text', text: 'banner line' });
    r.change({ type: 'compaction', trigger: 'auto', preTokens: 150_000 });
    r.change({ type: 'permission-denied', toolName: 'WebFetch', toolUseId: 'x', message: 'not allowed' });
    r.change({ type: 'subagent', agent: makeAgent(), event: 'started', summary: undefined });
    r.change({ type: 'subagent', agent: makeAgent({ status: 'completed' }), event: 'finished', summary: 'found 3 deps' });
    r.change({ type: 'hook', hook: { kind: 'hook', subtype: 'hook_response', hookName: 'lint', hookEvent: 'PostToolUse', outcome: 'success', output: 'ok' } });
    r.change({ type: 'api-error', message: 'overloaded' });
    r.change({ type: 'thinking', text: 'hmm\nlet me think', parentToolUseId: null, agentLabel: '' });
    r.finish(makeSnapshot(), { conclusion: 'success' });
    const lines = visible(out());
    expect(lines.slice(0, 3)).toEqual(['stderr │ warn: a', 'stderr │ warn: b', 'banner line']);
    expect(lines).toContain('⟳ context compacted (auto, 150,000 tokens before)');
    expect(lines).toContain('⛔ permission denied: WebFetch — not allowed');
    expect(lines).toContain('⇢ agent 2 started: explore deps (Explore, background)');
    expect(lines).toContain('⇠ agent 2 finished (completed): explore deps — found 3 deps');
    expect(lines).toContain('↪ hook PostToolUse lint response (success): ok');
    expect(lines).toContain('✗ API error: overloaded');
    expect(lines).toContain('\u001b[2m∴ thinking: hmm let me think\u001b[0m');
    expect(judge(out())).toEqual([]);
  });

  it('two results: both reported, cost not added up', () => {
    const { r, out } = setup();
    const r1 = makeResult({ totalCostUsd: 0.1, numTurns: 4 });
    const r2 = makeResult({ totalCostUsd: 0.15, numTurns: 6 });
    r.change({ type: 'result', result: r1, index: 0 });
    r.change({ type: 'result', result: r2, index: 1 });
    r.finish(makeSnapshot({ results: [r1, r2], lastResult: r2, costUsd: 0.15, numTurns: 6, durationMs: 65_000 }), { conclusion: 'success' });
    const lines = visible(out());
    expect(lines[0]).toBe("result 1: success · 4 turns · 1m 05s · cost $0.1000 (Claude's estimate)");
    expect(lines[1]).toContain('result 2: success · 6 turns');
    expect(lines[1]).toContain('cumulative');
    expect(lines[1]).toContain('normal');
    const final = lines.at(-1)!;
    expect(final).toContain("cost $0.1500 (Claude's estimate)");
    expect(final).not.toContain('$0.2500');
    expect(final).toContain('2 results (totals from the last)');
  });

  it('final line with cost and tokens', () => {
    const { r, out } = setup();
    const res = makeResult();
    r.finish(makeSnapshot({ results: [res], lastResult: res, costUsd: 0.4321, numTurns: 12, durationMs: 184_000 }), { conclusion: 'success' });
    expect(visible(out()).at(-1)).toBe(
      "■ Claude Code success · 12 turns · 3m 04s · cost $0.4321 (Claude's estimate) · tokens in 12,345 / out 6,789 / cache read 1.2M / cache write 3,456",
    );
  });

  it('says plainly when the run ended without a result', () => {
    const { r, out } = setup();
    r.finish(makeSnapshot(), { conclusion: 'failure', reason: 'exit code 143' });
    expect(visible(out()).at(-1)).toMatch(/^■ Claude Code ended without a result: failure \(exit code 143\) · cost unknown/);
  });

  it('finish closes an open group and the writer, and only once', () => {
    const { r, out, writer } = setup();
    writer.startGroup('left open');
    writer.text('x');
    r.finish(makeSnapshot(), { conclusion: 'cancelled' });
    r.finish(makeSnapshot(), { conclusion: 'cancelled' });
    expect(judge(out()).map((c) => c.command)).toEqual(['group', 'endgroup']);
    expect(visible(out()).filter((l) => l.startsWith('■'))).toHaveLength(1);
  });
});

// --- adversarial --------------------------------------------------------------

const EVIL = [
  '::error::x', '  ::add-mask::m', '::set-output name=a::b', '::stop-commands::abc', '::abc::',
  'x ##[group]x', '##[endgroup]', '%0A::error::y', '\r::warning::x', 'a\r\n::notice::b', 'cr\ronly',
  '::endgroup::', '::ERROR::up', 'ünï ＃＃[group]', `long${'L'.repeat(20_000)}`, 'nul\u0000::error::z',
  `::${TOKEN}::`, '::error:\u0000:icu',
].join('\n');

describe('LogRenderer: adversarial input judged by the oracle', () => {
  it('only the commands the renderer meant, with the titles it meant, and no secret', () => {
    const secret = 'ghp_SuperSecretToken123';
    for (const mode of ['truncated', 'full', 'none'] as ToolOutputMode[]) {
      const { r, out } = setup(mode, { secrets: [secret] });
      const evil = `${EVIL}\n${secret}`;
      const label = `agent 2: ${evil}`;
      r.change({
        type: 'session',
        init: makeInit({ model: evil, cwd: evil, tools: [evil], mcpServers: [{ name: evil, status: evil }], agents: [evil], sessionId: evil }),
        index: 0,
      });
      r.change({ type: 'narration', text: evil, parentToolUseId: null, agentLabel: '' });
      r.change({ type: 'narration', text: evil, parentToolUseId: 'p', agentLabel: label });
      r.change({ type: 'thinking', text: evil, parentToolUseId: null, agentLabel: label });
      const call = makeCall({ name: evil, summary: evil, agentLabel: label, input: { command: evil, other: evil }, output: evil });
      r.change({ type: 'tool-start', call });
      r.change({ type: 'tool-end', call });
      r.change({ type: 'tool-end', call: { ...call, name: 'Bash' } });
      r.change({ type: 'tool-end', call: { ...call, name: 'Write', input: { file_path: evil, content: evil } } });
      r.change({ type: 'stderr', text: evil });
      r.change({ type: 'text', text: evil });
      r.change({ type: 'retry', retry: { kind: 'api_retry', attempt: 1, maxRetries: 10, retryDelayMs: 1, errorStatus: null, error: evil } });
      r.change({ type: 'permission-denied', toolName: evil, toolUseId: evil, message: evil });
      r.change({ type: 'subagent', agent: makeAgent({ description: evil, status: evil }), event: 'finished', summary: evil });
      r.change({ type: 'hook', hook: { kind: 'hook', subtype: evil, hookName: evil, hookEvent: evil, outcome: evil, output: evil } });
      r.change({ type: 'api-error', message: evil });
      r.change({ type: 'compaction', trigger: evil, preTokens: undefined });
      const res = makeResult({ subtype: evil, errors: [evil] });
      r.change({ type: 'result', result: res, index: 0 });
      r.finish(makeSnapshot({ results: [res] }), { conclusion: evil, reason: evil });
      const output = out();
      expect(output).not.toContain(secret);
      const cmds = judge(output);
      const toolGroups = mode === 'none' ? 0 : 3;
      expect(cmds.map((c) => c.command)).toEqual([
        'group', 'endgroup',
        ...Array.from({ length: toolGroups }, () => ['group', 'endgroup']).flat(),
        'warning',
      ]);
      for (const c of cmds) {
        expect(c.data).not.toMatch(/\r/);
        if (c.command === 'group') {
          expect(c.data).not.toMatch(/\n/);
          expect(c.data).not.toContain('##[');
          expect(c.data.length).toBeLessThanOrEqual(200);
        }
      }
      expect(cmds[0]!.data.startsWith('Claude Code 2.1.330 · ::error::x ::add-mask::m')).toBe(true);
    }
  });
});
