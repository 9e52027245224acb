import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEventLine } from '../../src/stream/events.ts';
import { LineSplitter } from '../../src/stream/lines.ts';
import { RunState, toolSummary, TOOL_SUMMARY_MAX, type RunStateOptions } from '../../src/stream/run-state.ts';
import type { RunChange, StreamEvent } from '../../src/stream/types.ts';

interface Folded {
  state: RunState;
  changes: RunChange[];
  /** Each call's output as the 'tool-end' change showed it. */
  outputs: Map<string, string>;
}

function fold(lines: (string | object)[], options?: RunStateOptions): Folded {
  const state = new RunState(options);
  const changes: RunChange[] = [];
  const outputs = new Map<string, string>();
  const emit = (change: RunChange): void => {
    changes.push(change);
    if (change.type === 'tool-end') outputs.set(change.call.id, change.call.output);
  };
  for (const l of lines) state.apply(parseEventLine(typeof l === 'string' ? l : JSON.stringify(l)), emit);
  return { state, changes, outputs };
}

function foldFixture(name: string, options?: RunStateOptions): Folded {
  const bytes = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  splitter.push(bytes);
  splitter.end();
  return fold(lines, options);
}

/** A clock that advances 10 ms on every reading. */
function tickingClock(): () => number {
  let t = 1_000;
  return () => (t += 10);
}

const types = (changes: RunChange[]): string[] => changes.map((c) => c.type);
const asst = (id: string, blocks: object[], extra: object = {}, usage?: object): object => ({
  type: 'assistant',
  message: { id, model: 'claude-sonnet-4-5', content: blocks, usage },
  parent_tool_use_id: null,
  ...extra,
});
const toolUse = (id: string, name: string, input: object): object => ({ type: 'tool_use', id, name, input });
const toolResult = (id: string, content: unknown, extra: object = {}, blockExtra: object = {}): object => ({
  type: 'user',
  message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content, ...blockExtra }] },
  parent_tool_use_id: null,
  ...extra,
});

describe('RunState on an ordinary run', () => {
  const { state, changes, outputs } = foldFixture('basic-run.jsonl', { now: tickingClock() });
  const snap = state.snapshot();

  it('announces the session, thinking, narration, tools and result in order', () => {
    expect(types(changes)).toEqual(['session', 'thinking', 'narration', 'tool-start', 'tool-end', 'tool-start', 'tool-start', 'tool-end', 'tool-end', 'narration', 'result']);
    expect(changes[0]).toMatchObject({ type: 'session', index: 0, init: { claudeCodeVersion: '2.1.330' } });
    expect(changes[2]).toEqual({ type: 'narration', text: "I'll look at the failing test first.", parentToolUseId: null, agentLabel: '' });
  });

  it('numbers and summarises tool calls, matching parallel results by id', () => {
    expect(snap.tools.map((t) => [t.seq, t.id, t.name, t.summary])).toEqual([
      [1, 'toolu_01', 'Bash', 'npm test -- --run \\…'],
      [2, 'toolu_02', 'Read', '/workspace/app/src/parser.ts'],
      [3, 'toolu_03', 'Grep', 'parseList\\('],
    ]);
    const ends = changes.filter((c) => c.type === 'tool-end').map((c) => (c.type === 'tool-end' ? c.call.id : ''));
    expect(ends).toEqual(['toolu_01', 'toolu_03', 'toolu_02']);
    expect(outputs.get('toolu_03')).toBe("src/parser.ts:12:export function parseList(\nsrc/index.ts:3:import { parseList } from './parser';");
    expect(outputs.get('toolu_02')).toContain("return s.split(',').slice(1);");
    // content was longer than stdout+stderr here: content wins
    expect(outputs.get('toolu_01')).toBe('FAIL src/parser.test.ts\n  expected 3, got 2\nExit code 1');
    expect(snap.tools.every((t) => t.done && t.agentLabel === '' && t.parentToolUseId === null)).toBe(true);
    expect(snap.tools.map((t) => t.isError)).toEqual([true, false, false]);
    expect(snap.inFlight).toEqual([]);
  });

  it('releases tool outputs once the tool-end change was emitted', () => {
    expect(snap.tools.map((t) => t.output)).toEqual(['', '', '']);
  });

  it('keeps tool stats with durations from the injected clock', () => {
    expect(snap.toolStats.map((s) => s.name)).toEqual(['Bash', 'Read', 'Grep']);
    expect(snap.toolStats.map((s) => [s.calls, s.errors])).toEqual([
      [1, 1],
      [1, 0],
      [1, 0],
    ]);
    for (const t of snap.tools) expect(t.endedAt! - t.startedAt!).toBeGreaterThan(0);
    const bash = snap.tools[0]!;
    expect(snap.toolStats[0]!.totalMs).toBe(bash.endedAt! - bash.startedAt!);
  });

  it('takes totals from the result modelUsage and facts from the result', () => {
    expect(snap.usage).toEqual({ inputTokens: 914, outputTokens: 275, cacheReadTokens: 10700, cacheWriteTokens: 5620 });
    expect(snap.models).toEqual(['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001']);
    expect(snap.costUsd).toBe(0.0421);
    expect(snap.numTurns).toBe(4);
    expect(snap.durationMs).toBe(48211);
    expect(snap.sessionId).toBe('7f3c2a10-5b1e-4c1a-9a55-0c2f1e9d4b21');
    expect(snap.claudeCodeVersion).toBe('2.1.330');
    expect(snap.finalText).toBe('The bug: `slice(1)` drops the first item. Fix: remove the `slice(1)` call in `parseList`.');
    expect(snap.results).toHaveLength(1);
    expect(snap.lastResult).toBe(snap.results[0]);
    expect(snap.errors).toEqual([]);
    expect(snap.textLines).toBe(0);
    expect(snap.subagents).toEqual([]);
  });
});

describe('RunState with a background agent that outlives the first result', () => {
  const { state, changes } = foldFixture('background-agent.jsonl');
  const snap = state.snapshot();
  const firstResult = changes.findIndex((c) => c.type === 'result');

  it('registers the agent from its Agent tool_use and labels its messages', () => {
    expect(snap.subagents).toEqual([
      {
        toolUseId: 'toolu_A1',
        index: 1,
        description: 'Audit dependencies',
        subagentType: 'general-purpose',
        taskId: 't1a2',
        status: 'completed',
        background: true,
      },
    ]);
    const sub = snap.tools.find((t) => t.id === 'toolu_S1')!;
    expect(sub).toMatchObject({ name: 'Read', parentToolUseId: 'toolu_A1', agentLabel: 'agent 1: Audit dependencies', seq: 2, done: true });
    const narration = changes.filter((c) => c.type === 'narration');
    expect(narration.map((c) => (c.type === 'narration' ? c.agentLabel : '?'))).toEqual(['', '', 'agent 1: Audit dependencies', '']);
  });

  it('announces the agent once started, updates it, and finishes it once with the summary', () => {
    const agentChanges = changes.filter((c) => c.type === 'subagent').map((c) => (c.type === 'subagent' ? [c.event, c.summary] : []));
    expect(agentChanges).toEqual([
      ['started', undefined],
      ['updated', undefined], // task_started
      ['updated', undefined], // async launch
      ['updated', undefined], // task_progress
      ['updated', undefined], // task_updated: completed
      ['finished', 'Agent "Audit dependencies" completed'],
    ]);
  });

  it('keeps folding after the first result: a second session and a second result', () => {
    expect(firstResult).toBeGreaterThan(0);
    expect(types(changes.slice(firstResult))).toEqual(['result', 'tool-end', 'subagent', 'narration', 'subagent', 'subagent', 'session', 'narration', 'result']);
    expect(changes.filter((c) => c.type === 'session').map((c) => (c.type === 'session' ? c.index : -1))).toEqual([0, 1]);
    expect(changes.filter((c) => c.type === 'result').map((c) => (c.type === 'result' ? c.index : -1))).toEqual([0, 1]);
    expect(snap.inits).toHaveLength(2);
    expect(snap.results).toHaveLength(2);
    expect(snap.inFlight).toEqual([]);
  });

  it('takes cost, usage and answer from the last result, never a sum of results', () => {
    expect(snap.costUsd).toBe(0.0587);
    expect(snap.usage).toEqual({ inputTokens: 31, outputTokens: 168, cacheReadTokens: 14100, cacheWriteTokens: 8550 });
    // num_turns and duration_ms count one query each: the session's are their sums.
    expect(snap.numTurns).toBe(3);
    expect(snap.durationMs).toBe(48211 + 12000);
    expect(snap.lastResult?.result).toBe('The audit is done: left-pad 1.0.0 is outdated (latest 1.3.0).');
    expect(snap.finalText).toBe('The audit is done: left-pad 1.0.0 is outdated (latest 1.3.0).');
  });
});

describe('RunState when things go wrong', () => {
  const { state, changes, outputs } = foldFixture('errors.jsonl');
  const snap = state.snapshot();

  it('passes non-JSON lines on as text and hooks as hooks', () => {
    expect(changes[0]).toEqual({ type: 'text', text: 'Warning: debug logging enabled' });
    expect(snap.textLines).toBe(1);
    const hooks = changes.filter((c) => c.type === 'hook');
    expect(hooks.map((c) => (c.type === 'hook' ? [c.hook.subtype, c.hook.output] : []))).toEqual([
      ['hook_started', ''],
      ['hook_response', 'hook ok'],
    ]);
  });

  it('records retries, a compaction and the API error', () => {
    expect(snap.retries.map((r) => [r.attempt, r.errorStatus, r.error])).toEqual([
      [1, 529, 'overloaded'],
      [2, null, 'unknown'],
    ]);
    expect(changes.filter((c) => c.type === 'retry')).toHaveLength(2);
    expect(snap.compactions).toBe(1);
    expect(changes).toContainEqual({ type: 'compaction', trigger: 'auto', preTokens: 161000 });
    const apiError = changes.find((c) => c.type === 'api-error');
    expect(apiError).toMatchObject({ type: 'api-error', message: expect.stringContaining('API Error: 500') });
    // The synthetic message is an error, not narration.
    expect(changes.some((c) => c.type === 'narration')).toBe(false);
    expect(snap.errors).toHaveLength(2);
    expect(snap.errors[0]).toContain('Internal server error');
    expect(snap.errors[1]).toBe('API Error: 500 Internal server error');
  });

  it('records denials once, adding those only the result lists', () => {
    expect(snap.permissionDenials).toEqual([
      { toolName: 'WebFetch', toolUseId: 'toolu_20', message: 'Permission to use WebFetch has been denied.' },
      { toolName: 'Bash', toolUseId: 'toolu_99', message: '' },
    ]);
    expect(changes.filter((c) => c.type === 'permission-denied')).toHaveLength(2);
    expect(outputs.get('toolu_20')).toBe('Permission to use WebFetch has been denied.');
    expect(snap.tools[0]).toMatchObject({ name: 'WebFetch', summary: 'https://example.com/changelog', isError: true, done: true });
  });

  it('ignores the synthetic model, unknown types and status lines, and counts usage per message', () => {
    expect(snap.models).toEqual(['claude-sonnet-4-5-20250929']);
    expect(snap.usage).toEqual({ inputTokens: 5, outputTokens: 30, cacheReadTokens: 0, cacheWriteTokens: 4000 });
    expect(snap.lastResult?.subtype).toBe('error_during_execution');
    expect(snap.finalText).toBe('');
    expect(snap.costUsd).toBe(0.0102);
    expect(types(changes).filter((t) => t === 'text')).toHaveLength(1);
  });
});

describe('RunState rebuilding the final answer', () => {
  it('uses the main-thread text since the last tool call when result.result is a fragment', () => {
    const { state } = foldFixture('fragment.jsonl');
    const snap = state.snapshot();
    expect(snap.lastResult?.result).toBe('## Findings');
    expect(snap.finalText).toBe(
      '## Findings\n1. `ci.yml` pins Node 18, which is end-of-life.\n\n2. The cache key ignores the lockfile.\n3. Tests run twice on push to main.',
    );
    // no result modelUsage: per-message-id usage, last line of each id counted once
    expect(snap.usage).toEqual({ inputTokens: 7, outputTokens: 160, cacheReadTokens: 3000, cacheWriteTokens: 3010 });
  });

  it('keeps result.result when it is the longer one, and ignores subagent text', () => {
    const { state } = fold([
      asst('m1', [{ type: 'text', text: 'Short.' }]),
      asst('s1', [{ type: 'text', text: 'A much longer text written by a subagent, not the answer.' }], { parent_tool_use_id: 'toolu_X' }),
      { type: 'result', subtype: 'success', result: 'Short. And complete.' },
    ]);
    expect(state.snapshot().finalText).toBe('Short. And complete.');
  });

  it('gives the last main-thread text when no result came (a crash)', () => {
    const { state } = fold([asst('m1', [{ type: 'text', text: 'Working on it' }, toolUse('t1', 'Bash', { command: 'make' })]), asst('m2', [{ type: 'text', text: 'Half an answer' }])]);
    expect(state.snapshot().finalText).toBe('Half an answer');
    expect(state.snapshot().lastResult).toBeUndefined();
  });
});

describe('RunState details', () => {
  it('counts usage once per message id, the last line of an id winning, also when ids interleave', () => {
    const u = (i: number, o: number): object => ({ input_tokens: i, output_tokens: o, cache_read_input_tokens: 1, cache_creation_input_tokens: 2 });
    const { state } = fold([
      asst('A', [{ type: 'thinking', thinking: 'x' }], {}, u(10, 5)),
      asst('B', [{ type: 'text', text: 'sub' }], { parent_tool_use_id: 'toolu_T' }, u(100, 50)),
      asst('A', [{ type: 'text', text: 'y' }], {}, u(10, 20)),
      asst('A', [toolUse('t1', 'Bash', { command: 'ls' })], {}, u(10, 30)),
      asst('', [{ type: 'text', text: 'no id' }], {}, u(1, 1)),
    ]);
    expect(state.snapshot().usage).toEqual({ inputTokens: 111, outputTokens: 81, cacheReadTokens: 3, cacheWriteTokens: 6 });
  });

  it('closes a message when its thread moves on to the next id', () => {
    const u = (o: number): object => ({ input_tokens: 1, output_tokens: o });
    const { state } = fold([
      asst('A', [{ type: 'text', text: 'a1' }], {}, u(5)),
      asst('A', [{ type: 'text', text: 'a2' }], {}, u(9)),
      asst('S', [{ type: 'text', text: 's1' }], { parent_tool_use_id: 'toolu_T' }, u(100)),
      asst('B', [{ type: 'text', text: 'b1' }], {}, u(3)),
      asst('S', [{ type: 'text', text: 's2' }], { parent_tool_use_id: 'toolu_T' }, u(150)),
      asst('B', [{ type: 'text', text: 'b2' }], {}, u(4)),
    ]);
    expect(state.snapshot().usage).toEqual({ inputTokens: 3, outputTokens: 163, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });

  it('leaves a call without a result in flight', () => {
    const { state, changes } = fold([asst('m', [toolUse('t1', 'Bash', { command: 'sleep 1000' }), toolUse('t2', 'Read', { file_path: 'a' })]), toolResult('t2', 'ok')]);
    const snap = state.snapshot();
    expect(snap.inFlight.map((t) => t.id)).toEqual(['t1']);
    expect(snap.inFlight[0]).toMatchObject({ done: false, endedAt: undefined });
    expect(types(changes)).toEqual(['tool-start', 'tool-start', 'tool-end']);
  });

  it('keeps a result for an unknown call under the name unknown', () => {
    const { state, changes, outputs } = fold([toolResult('ghost', 'late output', { parent_tool_use_id: null })]);
    expect(types(changes)).toEqual(['tool-start', 'tool-end']);
    expect(state.snapshot().tools).toMatchObject([{ id: 'ghost', name: 'unknown', seq: 1, done: true }]);
    expect(outputs.get('ghost')).toBe('late output');
    expect(state.snapshot().toolStats).toEqual([{ name: 'unknown', calls: 1, errors: 0, totalMs: 0 }]);
  });

  it('prefers the full output of tool_use_result over a persisted-output preview or a shorter content', () => {
    const full = 'line\n'.repeat(10_000);
    const { outputs } = fold([
      asst('m', [toolUse('b1', 'Bash', { command: 'cat big' }), toolUse('b2', 'Bash', { command: 'x' }), toolUse('b3', 'Custom', {}), toolUse('b4', 'Bash', {})]),
      toolResult('b1', '<persisted-output>\nOutput too large (49 KB). Full output saved to: /tmp/x.txt\n\nPreview (first 2KB):\nline\nline\n</persisted-output>', {
        tool_use_result: { stdout: full, stderr: '', interrupted: false },
      }),
      toolResult('b2', 'out', { tool_use_result: { stdout: 'out', stderr: 'warning: deprecated' } }),
      toolResult('b3', [{ type: 'text', text: 'short' }], { tool_use_result: 'short, and then the rest of it' }),
      toolResult('b4', '<persisted-output>preview</persisted-output>', { tool_use_result: { stdout: 'tiny' } }),
    ]);
    expect(outputs.get('b1')).toBe(full);
    expect(outputs.get('b2')).toBe('out\nwarning: deprecated');
    expect(outputs.get('b3')).toBe('short, and then the rest of it');
    expect(outputs.get('b4')).toBe('tiny');
  });

  it('does not apply tool_use_result when one line carries several results', () => {
    const { outputs } = fold([
      asst('m', [toolUse('a', 'Bash', { command: 'a' }), toolUse('b', 'Bash', { command: 'b' })]),
      {
        type: 'user',
        message: {
          content: [
            { type: 'tool_result', tool_use_id: 'a', content: 'A' },
            { type: 'tool_result', tool_use_id: 'b', content: 'B' },
          ],
        },
        tool_use_result: { stdout: 'something much longer than A or B' },
      },
    ]);
    expect([outputs.get('a'), outputs.get('b')]).toEqual(['A', 'B']);
  });

  it('counts a repeated tool_use or tool_result once', () => {
    const use = asst('m', [toolUse('t1', 'Bash', { command: 'ls' })]);
    const { state, changes } = fold([use, use, toolResult('t1', 'a'), toolResult('t1', 'b')]);
    expect(types(changes)).toEqual(['tool-start', 'tool-end']);
    expect(state.snapshot().tools).toHaveLength(1);
    expect(state.snapshot().toolStats[0]).toMatchObject({ calls: 1 });
  });

  it('leaves times unknown without a clock', () => {
    const { state } = fold([asst('m', [toolUse('t1', 'Bash', { command: 'ls' })]), toolResult('t1', 'x')]);
    expect(state.snapshot().tools[0]).toMatchObject({ startedAt: undefined, endedAt: undefined });
    expect(state.snapshot().toolStats[0]!.totalMs).toBe(0);
  });

  it('finishes a foreground agent when its Task call returns, and labels nested agents', () => {
    const { state, changes } = fold([
      asst('m1', [toolUse('T1', 'Task', { description: 'Explore deps', prompt: 'look', subagent_type: 'Explore' })]),
      asst('s1', [toolUse('T2', 'Task', { description: 'Deeper look', prompt: 'go' })], { parent_tool_use_id: 'T1' }),
      asst('s2', [toolUse('r1', 'Read', { file_path: 'x' })], { parent_tool_use_id: 'T2' }),
      toolResult('r1', 'x', { parent_tool_use_id: 'T2' }),
      toolResult('T2', 'deep result', { parent_tool_use_id: 'T1' }),
      toolResult('T1', [{ type: 'text', text: 'found it' }], { tool_use_result: { status: 'completed', agentId: 'a', content: [] } }),
    ]);
    const snap = state.snapshot();
    expect(snap.subagents.map((a) => [a.index, a.description, a.subagentType, a.status, a.background])).toEqual([
      [1, 'Explore deps', 'Explore', 'completed', false],
      [2, 'Deeper look', '', 'completed', false],
    ]);
    expect(snap.tools.map((t) => t.agentLabel)).toEqual(['', 'agent 1: Explore deps', 'agent 2: Deeper look']);
    const agentEvents = changes.filter((c) => c.type === 'subagent').map((c) => (c.type === 'subagent' ? `${c.agent.index}:${c.event}` : ''));
    expect(agentEvents).toEqual(['1:started', '2:started', '2:finished', '1:finished']);
  });

  it('marks an agent failed when its call fails', () => {
    const { state } = fold([asst('m', [toolUse('T1', 'Agent', { description: 'x', prompt: 'y', run_in_background: true })]), toolResult('T1', 'boom', {}, { is_error: true })]);
    expect(state.snapshot().subagents[0]).toMatchObject({ status: 'failed', background: true });
  });

  it('registers an agent it only hears of through messages or task_started', () => {
    const { state, changes } = fold([
      asst('s', [{ type: 'text', text: 'hello from nowhere' }], { parent_tool_use_id: 'toolu_lost' }),
      { type: 'system', subtype: 'task_started', task_id: 'tk', tool_use_id: 'toolu_lost', description: 'Found later' },
      { type: 'system', subtype: 'task_started', task_id: 'tk2', description: 'Workflow step' },
      { type: 'system', subtype: 'task_notification', task_id: 'tk2', status: 'failed', summary: 'step failed' },
    ]);
    expect(changes[0]).toMatchObject({ type: 'subagent', event: 'started', agent: { index: 1, toolUseId: 'toolu_lost' } });
    expect(changes[1]).toMatchObject({ type: 'narration', agentLabel: 'agent 1' });
    const snap = state.snapshot();
    expect(snap.subagents.map((a) => [a.toolUseId, a.description, a.taskId, a.status])).toEqual([
      ['toolu_lost', 'Found later', 'tk', 'running'],
      ['task:tk2', 'Workflow step', 'tk2', 'failed'],
    ]);
    expect(changes.at(-1)).toMatchObject({ type: 'subagent', event: 'finished', summary: 'step failed' });
  });

  it('does not take a background shell task for a subagent', () => {
    const { state, changes } = fold([
      asst('m', [toolUse('b1', 'Bash', { command: 'npm run dev', run_in_background: true })]),
      { type: 'system', subtype: 'task_started', task_id: 'sh1', tool_use_id: 'b1', description: 'npm run dev' },
      { type: 'system', subtype: 'task_updated', task_id: 'sh1', patch: { status: 'completed' } },
      { type: 'system', subtype: 'task_notification', task_id: 'sh1', tool_use_id: 'b1', status: 'completed', summary: 'done' },
    ]);
    expect(state.snapshot().subagents).toEqual([]);
    expect(types(changes)).toEqual(['tool-start']);
  });

  it('takes the cost of the latest result that has one, and the sum of usage when the last result has no modelUsage', () => {
    const { state } = fold([
      { type: 'result', subtype: 'success', total_cost_usd: 0.2, modelUsage: { m: { inputTokens: 9, costUSD: 0.2 } } },
      asst('x', [{ type: 'text', text: 'more' }], {}, { input_tokens: 4, output_tokens: 2 }),
      { type: 'result', subtype: 'error_during_execution', is_error: true, errors: ['crashed'] },
    ]);
    const snap = state.snapshot();
    expect(snap.costUsd).toBe(0.2);
    expect(snap.usage).toEqual({ inputTokens: 4, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 });
    expect(snap.errors).toEqual(['crashed']);
    expect(snap.results).toHaveLength(2);
  });

  it('skips blank text lines, passes stderr through, and ignores stream, system and unknown events', () => {
    const state = new RunState();
    const changes: RunChange[] = [];
    const emit = (c: RunChange): void => void changes.push(c);
    const events: StreamEvent[] = [
      { kind: 'text', text: '   ' },
      { kind: 'text', text: '' },
      { kind: 'stream_event', eventType: 'content_block_delta', deltaType: 'text_delta', parentToolUseId: null },
      { kind: 'system', subtype: 'status' },
      { kind: 'unknown', type: 'tool_progress', line: '{}' },
      { kind: 'text', text: 'npm notice' },
    ];
    for (const e of events) state.apply(e, emit);
    state.stderrLine('Error: boom', emit);
    expect(changes).toEqual([
      { type: 'text', text: 'npm notice' },
      { type: 'stderr', text: 'Error: boom' },
    ]);
    expect(state.snapshot().textLines).toBe(1);
  });

  it('snapshots are copies: changing one does not change the state', () => {
    const { state } = fold([asst('m', [toolUse('t1', 'Bash', { command: 'ls' })])]);
    const first = state.snapshot();
    first.tools.pop();
    first.inFlight.pop();
    first.toolStats[0]!.calls = 99;
    const second = state.snapshot();
    expect(second.tools).toHaveLength(1);
    expect(second.inFlight).toHaveLength(1);
    expect(second.toolStats[0]!.calls).toBe(1);
  });
});

describe('toolSummary', () => {
  it('picks the most telling field', () => {
    expect(toolSummary({ command: 'git status', description: 'Show status' })).toBe('git status');
    expect(toolSummary({ file_path: '/a/b.ts', content: 'x' })).toBe('/a/b.ts');
    expect(toolSummary({ pattern: '**/*.ts', path: 'src' })).toBe('**/*.ts');
    expect(toolSummary({ url: 'https://x.test', prompt: 'p' })).toBe('https://x.test');
    expect(toolSummary({ query: 'vitest docs' })).toBe('vitest docs');
    expect(toolSummary({ description: 'Explore', prompt: 'long prompt' })).toBe('Explore');
    expect(toolSummary({ todos: [], other: 'fallback value' })).toBe('fallback value');
    expect(toolSummary({ command: '   ', path: 'p' })).toBe('p');
  });

  it('gives one bounded line with whitespace collapsed', () => {
    expect(toolSummary({ command: '  ls   -la\t src ' })).toBe('ls -la src');
    expect(toolSummary({ command: '\n\ncd x &&\n make' })).toBe('cd x &&…');
    const long = toolSummary({ command: 'echo ' + 'a'.repeat(5000) });
    expect(long.length).toBeLessThanOrEqual(TOOL_SUMMARY_MAX);
    expect(long.endsWith('…')).toBe(true);
    const emoji = toolSummary({ command: '😀'.repeat(TOOL_SUMMARY_MAX) });
    expect(emoji.length).toBeLessThanOrEqual(TOOL_SUMMARY_MAX);
    expect(emoji.slice(0, -1)).toBe('😀'.repeat((emoji.length - 1) / 2));
  });

  it('keeps a clean line of up to TOOL_SUMMARY_MAX characters whole', () => {
    const max = TOOL_SUMMARY_MAX;
    expect(toolSummary({ command: 'x'.repeat(max) })).toBe('x'.repeat(max));
    expect(toolSummary({ command: 'x'.repeat(max + 1) })).toBe('x'.repeat(max - 1) + '…');
    expect(toolSummary({ command: 'x'.repeat(max) + '\nmore' })).toBe('x'.repeat(max - 1) + '…');
    expect(toolSummary({ command: 'y'.repeat(300000) }).length).toBe(max);
  });

  it('gives an empty summary for odd input', () => {
    expect(toolSummary(undefined)).toBe('');
    expect(toolSummary(null)).toBe('');
    expect(toolSummary([1, 2])).toBe('');
    expect(toolSummary({ n: 3 })).toBe('');
    expect(toolSummary('plain string input')).toBe('plain string input');
  });
});
