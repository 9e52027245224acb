import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEventLine } from '../../src/stream/events.ts';
import type { StreamEvent } from '../../src/stream/types.ts';

const line = (value: unknown): string => JSON.stringify(value);
const parse = (value: unknown): StreamEvent => parseEventLine(line(value));

function as<K extends StreamEvent['kind']>(event: StreamEvent, kind: K): Extract<StreamEvent, { kind: K }> {
  expect(event.kind).toBe(kind);
  return event as Extract<StreamEvent, { kind: K }>;
}

function fixtureLines(name: string): string[] {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8').split('\n').filter((l) => l !== '');
}

describe('parseEventLine: lines that are not events', () => {
  it('turns non-JSON, broken JSON, non-objects and type-less objects into text lines', () => {
    for (const text of ['Warning: debug logging enabled', '{"type":"assistant",', '[1,2]', '42', '"str"', 'null', '{"subtype":"init"}', '{"type":7}', '{}']) {
      expect(parseEventLine(text)).toEqual({ kind: 'text', text });
    }
  });

  it('turns blank and whitespace-only lines into text lines, keeping the text', () => {
    expect(parseEventLine('')).toEqual({ kind: 'text', text: '' });
    expect(parseEventLine('  \t')).toEqual({ kind: 'text', text: '  \t' });
  });

  it('accepts leading whitespace and a byte order mark before the object', () => {
    expect(parseEventLine('  {"type":"system","subtype":"status"}').kind).toBe('system');
    expect(parseEventLine('\ufeff{"type":"system","subtype":"status"}').kind).toBe('system');
  });

  it('passes unknown types through with the line', () => {
    const text = line({ type: 'rate_limit_event', rate_limit_info: { status: 'allowed' } });
    expect(parseEventLine(text)).toEqual({ kind: 'unknown', type: 'rate_limit_event', line: text });
  });

  it('maps unmodelled system subtypes (and a missing subtype) to system events', () => {
    expect(parse({ type: 'system', subtype: 'status', status: 'compacting' })).toEqual({ kind: 'system', subtype: 'status' });
    expect(parse({ type: 'system', subtype: 'background_tasks_changed', tasks: [] })).toEqual({ kind: 'system', subtype: 'background_tasks_changed' });
    expect(parse({ type: 'system' })).toEqual({ kind: 'system', subtype: '' });
  });
});

describe('parseEventLine: system/init', () => {
  it('reads every field', () => {
    const init = as(parseEventLine(fixtureLines('basic-run.jsonl')[0] as string), 'init');
    expect(init).toEqual({
      kind: 'init',
      sessionId: '7f3c2a10-5b1e-4c1a-9a55-0c2f1e9d4b21',
      model: 'claude-sonnet-4-5-20250929',
      cwd: '/workspace/app',
      tools: ['Task', 'Bash', 'Glob', 'Grep', 'Read', 'Edit', 'Write', 'WebFetch'],
      mcpServers: [{ name: 'github', status: 'connected' }],
      permissionMode: 'bypassPermissions',
      apiKeySource: 'ANTHROPIC_API_KEY',
      claudeCodeVersion: '2.1.330',
      agents: ['general-purpose', 'Explore'],
    });
  });

  it('gives neutral values for missing and mistyped fields', () => {
    const init = as(parse({ subtype: 'init', tools: 'Bash', mcp_servers: [null, 3, { name: 5 }], agents: [{ name: 'x' }, 1], model: 42, type: 'system' }), 'init');
    expect(init).toEqual({
      kind: 'init',
      sessionId: '',
      model: '',
      cwd: '',
      tools: [],
      mcpServers: [{ name: '', status: '' }],
      permissionMode: '',
      apiKeySource: '',
      claudeCodeVersion: '',
      agents: ['x'],
    });
  });
});

describe('parseEventLine: assistant', () => {
  it('maps text, thinking, tool_use and other blocks, usage, ids and parent', () => {
    const event = as(
      parse({
        parent_tool_use_id: 'toolu_P',
        message: {
          usage: { output_tokens: 7, input_tokens: 3, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, service_tier: 'standard' },
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'x' },
            { type: 'text', text: 'Hello' },
            { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
            { type: 'redacted_thinking', data: 'abc' },
            { type: 'server_tool_use', id: 's1', name: 'web_search', input: {} },
          ],
          model: 'claude-opus-4-1',
          id: 'msg_1',
        },
        type: 'assistant',
      }),
      'assistant',
    );
    expect(event).toEqual({
      kind: 'assistant',
      messageId: 'msg_1',
      model: 'claude-opus-4-1',
      parentToolUseId: 'toolu_P',
      blocks: [
        { type: 'thinking', thinking: 'hmm' },
        { type: 'text', text: 'Hello' },
        { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
        { type: 'other', blockType: 'redacted_thinking' },
        { type: 'other', blockType: 'server_tool_use' },
      ],
      usage: { inputTokens: 3, outputTokens: 7, cacheReadTokens: 100, cacheWriteTokens: 20 },
      error: undefined,
    });
  });

  it('reads the error of a synthetic API error message', () => {
    const synthetic = fixtureLines('errors.jsonl').find((l) => l.includes('<synthetic>')) as string;
    const event = as(parseEventLine(synthetic), 'assistant');
    expect(event.error).toBe('server_error');
    expect(event.model).toBe('<synthetic>');
    expect(event.blocks[0]).toMatchObject({ type: 'text' });
    expect(as(parse({ type: 'assistant', error: { message: 'boom' } }), 'assistant').error).toBe('boom');
  });

  it('survives a missing or mistyped message', () => {
    for (const message of [undefined, null, 'text', 5, [], { content: 'not an array', usage: 'x', id: 9 }, { content: [null, 1, 'x', { type: 'text', text: 5 }] }]) {
      const event = as(parse({ type: 'assistant', message, parent_tool_use_id: 17 }), 'assistant');
      expect(event.messageId).toBe('');
      expect(event.model).toBe('');
      expect(event.parentToolUseId).toBeNull();
      expect(event.usage).toBeUndefined();
      expect(Array.isArray(event.blocks)).toBe(true);
      for (const b of event.blocks) {
        if (b.type === 'text') expect(typeof b.text).toBe('string');
        if (b.type === 'other') expect(typeof b.blockType).toBe('string');
      }
    }
    const partial = as(parse({ type: 'assistant', message: { content: [{ type: 'text', text: 5 }, { type: 'tool_use' }], usage: { input_tokens: '3' } } }), 'assistant');
    expect(partial.blocks).toEqual([
      { type: 'text', text: '' },
      { type: 'tool_use', id: '', name: '', input: {} },
    ]);
    expect(partial.usage).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });

  it('treats an empty parent id as the main thread', () => {
    expect(as(parse({ type: 'assistant', parent_tool_use_id: '' }), 'assistant').parentToolUseId).toBeNull();
  });
});

describe('parseEventLine: user', () => {
  it('reads a tool_result whose content is a string, with is_error and tool_use_result', () => {
    const tur = { stdout: 'out', stderr: 'err', interrupted: false };
    const event = as(
      parse({
        tool_use_result: tur,
        type: 'user',
        parent_tool_use_id: null,
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'out\nerr', is_error: true }] },
      }),
      'user',
    );
    expect(event).toEqual({
      kind: 'user',
      parentToolUseId: null,
      toolResults: [{ toolUseId: 'toolu_1', content: 'out\nerr', isError: true }],
      text: '',
      toolUseResult: tur,
    });
  });

  it('joins a tool_result content array of text blocks, noting images', () => {
    const event = as(
      parse({
        type: 'user',
        message: {
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              content: [
                { type: 'text', text: 'first' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
                { type: 'text', text: 'second' },
              ],
            },
            { type: 'tool_result', tool_use_id: 'toolu_3', content: [{ type: 'text', text: 'only' }], is_error: 'yes' },
            { type: 'tool_result', tool_use_id: 'toolu_4' },
          ],
        },
      }),
      'user',
    );
    expect(event.toolResults).toEqual([
      { toolUseId: 'toolu_2', content: 'first\n[image]\nsecond', isError: false },
      { toolUseId: 'toolu_3', content: 'only', isError: false },
      { toolUseId: 'toolu_4', content: '', isError: false },
    ]);
    expect(event.toolUseResult).toBeUndefined();
  });

  it('reads message.content given as a plain string, and text blocks', () => {
    expect(as(parse({ type: 'user', message: { content: 'Fix the bug' }, parent_tool_use_id: 'toolu_A' }), 'user')).toEqual({
      kind: 'user',
      parentToolUseId: 'toolu_A',
      toolResults: [],
      text: 'Fix the bug',
      toolUseResult: undefined,
    });
    expect(as(parse({ type: 'user', message: { content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] } }), 'user').text).toBe('a\nb');
  });

  it('survives a missing message and odd content', () => {
    for (const message of [undefined, null, 3, { content: 7 }, { content: [null, 'x', 4] }]) {
      const event = as(parse({ type: 'user', message }), 'user');
      expect(event.toolResults).toEqual([]);
      expect(event.text).toBe('');
      expect(event.parentToolUseId).toBeNull();
    }
    const odd = as(parse({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 5, content: { text: 'x' } }] } }), 'user');
    expect(odd.toolResults).toEqual([{ toolUseId: '', content: '', isError: false }]);
  });
});

describe('parseEventLine: system events', () => {
  it('reads api_retry, with a null status for connection errors', () => {
    expect(parse({ type: 'system', subtype: 'api_retry', attempt: 2, max_retries: 10, retry_delay_ms: 1130, error_status: 529, error: 'overloaded' })).toEqual({
      kind: 'api_retry',
      attempt: 2,
      maxRetries: 10,
      retryDelayMs: 1130,
      errorStatus: 529,
      error: 'overloaded',
    });
    expect(parse({ type: 'system', subtype: 'api_retry', error_status: null, attempt: '1' })).toEqual({
      kind: 'api_retry',
      attempt: 0,
      maxRetries: 0,
      retryDelayMs: 0,
      errorStatus: null,
      error: '',
    });
  });

  it('reads compact_boundary', () => {
    expect(parse({ type: 'system', subtype: 'compact_boundary', compact_metadata: { trigger: 'auto', pre_tokens: 161000 } })).toEqual({
      kind: 'compact_boundary',
      trigger: 'auto',
      preTokens: 161000,
    });
    expect(parse({ type: 'system', subtype: 'compact_boundary' })).toEqual({ kind: 'compact_boundary', trigger: '', preTokens: undefined });
  });

  it('reads the four task events', () => {
    expect(
      parse({ type: 'system', subtype: 'task_started', task_id: 't1', tool_use_id: 'toolu_A', description: 'Audit', subagent_type: 'Explore', prompt: 'go' }),
    ).toEqual({
      kind: 'task',
      subtype: 'task_started',
      taskId: 't1',
      toolUseId: 'toolu_A',
      description: 'Audit',
      subagentType: 'Explore',
      status: undefined,
      summary: undefined,
      lastToolName: undefined,
    });
    expect(parse({ type: 'system', subtype: 'task_progress', task_id: 't1', description: 'Audit', last_tool_name: 'Read', usage: {} })).toMatchObject({
      kind: 'task',
      subtype: 'task_progress',
      lastToolName: 'Read',
      toolUseId: undefined,
    });
    expect(parse({ type: 'system', subtype: 'task_updated', task_id: 't1', patch: { status: 'failed', error: 'it broke' } })).toMatchObject({
      kind: 'task',
      subtype: 'task_updated',
      status: 'failed',
      summary: 'it broke',
    });
    expect(parse({ type: 'system', subtype: 'task_notification', task_id: 't1', tool_use_id: 'toolu_A', status: 'completed', summary: 'done' })).toMatchObject({
      kind: 'task',
      subtype: 'task_notification',
      status: 'completed',
      summary: 'done',
    });
    expect(parse({ type: 'system', subtype: 'task_updated', patch: 'x', task_id: 3 })).toMatchObject({ kind: 'task', taskId: '', status: undefined });
  });

  it('reads permission_denied', () => {
    expect(parse({ type: 'system', subtype: 'permission_denied', tool_name: 'WebFetch', tool_use_id: 'toolu_9', message: 'denied' })).toEqual({
      kind: 'permission_denied',
      toolName: 'WebFetch',
      toolUseId: 'toolu_9',
      message: 'denied',
    });
  });

  it('reads the hook events, taking stdout/stderr when output is empty', () => {
    expect(parse({ type: 'system', subtype: 'hook_started', hook_name: 'SessionStart:startup', hook_event: 'SessionStart' })).toEqual({
      kind: 'hook',
      subtype: 'hook_started',
      hookName: 'SessionStart:startup',
      hookEvent: 'SessionStart',
      outcome: undefined,
      output: '',
    });
    expect(parse({ type: 'system', subtype: 'hook_progress', hook_name: 'h', hook_event: 'PreToolUse', stdout: 'a', stderr: 'b', output: '' })).toMatchObject({
      kind: 'hook',
      output: 'a\nb',
    });
    expect(parse({ type: 'system', subtype: 'hook_response', hook_name: 'h', hook_event: 'Stop', output: 'ok', stdout: 'ignored', outcome: 'error' })).toMatchObject({
      kind: 'hook',
      subtype: 'hook_response',
      output: 'ok',
      outcome: 'error',
    });
  });
});

describe('parseEventLine: stream_event', () => {
  it('reads the event and delta types', () => {
    expect(parse({ type: 'stream_event', event: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }, parent_tool_use_id: null })).toEqual({
      kind: 'stream_event',
      eventType: 'content_block_delta',
      deltaType: 'text_delta',
      parentToolUseId: null,
    });
    expect(parse({ type: 'stream_event' })).toEqual({ kind: 'stream_event', eventType: '', deltaType: undefined, parentToolUseId: null });
  });
});

describe('parseEventLine: result', () => {
  it('reads a success result whose keys do not start with type', () => {
    const raw = fixtureLines('basic-run.jsonl').at(-1) as string;
    expect(raw.startsWith('{"subtype"')).toBe(true);
    const result = as(parseEventLine(raw), 'result');
    expect(result).toEqual({
      kind: 'result',
      subtype: 'success',
      isError: false,
      durationMs: 48211,
      durationApiMs: 39000,
      numTurns: 4,
      result: 'The bug: `slice(1)` drops the first item. Fix: remove the `slice(1)` call in `parseList`.',
      totalCostUsd: 0.0421,
      usage: { inputTokens: 14, outputTokens: 235, cacheReadTokens: 10700, cacheWriteTokens: 5620 },
      modelUsage: [
        { model: 'claude-sonnet-4-5-20250929', inputTokens: 14, outputTokens: 235, cacheReadTokens: 10700, cacheWriteTokens: 5620, costUsd: 0.0398 },
        { model: 'claude-haiku-4-5-20251001', inputTokens: 900, outputTokens: 40, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.0023 },
      ],
      permissionDenials: [],
      errors: [],
      structuredOutput: undefined,
      sessionId: '7f3c2a10-5b1e-4c1a-9a55-0c2f1e9d4b21',
      terminalReason: 'completed',
    });
  });

  it('reads every error subtype with errors, denials and no result text', () => {
    for (const subtype of ['error_max_turns', 'error_during_execution', 'error_max_budget_usd', 'error_max_structured_output_retries']) {
      const result = as(
        parse({
          type: 'result',
          subtype,
          is_error: true,
          num_turns: 3,
          total_cost_usd: 0.5,
          errors: ['first', { message: 'second' }, 7],
          permission_denials: [{ tool_name: 'Bash', tool_use_id: 'toolu_1', tool_input: { command: 'rm -rf /' } }, 'junk'],
          terminal_reason: 'max_turns',
        }),
        'result',
      );
      expect(result.subtype).toBe(subtype);
      expect(result.isError).toBe(true);
      expect(result.result).toBeUndefined();
      expect(result.errors).toEqual(['first', 'second']);
      expect(result.permissionDenials).toEqual([{ toolName: 'Bash', toolUseId: 'toolu_1' }]);
      expect(result.terminalReason).toBe('max_turns');
    }
  });

  it('reads the cost of older CLIs and structured output', () => {
    expect(as(parse({ type: 'result', cost_usd: 0.25 }), 'result').totalCostUsd).toBe(0.25);
    expect(as(parse({ type: 'result', total_cost: 0.5 }), 'result').totalCostUsd).toBe(0.5);
    expect(as(parse({ type: 'result', total_cost_usd: 0.125, cost_usd: 9 }), 'result').totalCostUsd).toBe(0.125);
    expect(as(parse({ type: 'result', structured_output: { ok: true, n: [1] } }), 'result').structuredOutput).toEqual({ ok: true, n: [1] });
  });

  it('gives neutral values for a bare or mistyped result', () => {
    expect(parse({ type: 'result', modelUsage: [1], usage: 5, errors: 'x', permission_denials: {}, is_error: 'true', total_cost_usd: 'NaN', result: 5 })).toEqual({
      kind: 'result',
      subtype: '',
      isError: false,
      durationMs: undefined,
      durationApiMs: undefined,
      numTurns: undefined,
      result: undefined,
      totalCostUsd: undefined,
      usage: undefined,
      modelUsage: [],
      permissionDenials: [],
      errors: [],
      structuredOutput: undefined,
      sessionId: '',
      terminalReason: undefined,
    });
    const odd = as(parse({ type: 'result', modelUsage: { 'claude-x': null, 'claude-y': { inputTokens: 'a', costUSD: 0.1 } } }), 'result');
    expect(odd.modelUsage).toEqual([
      { model: 'claude-x', inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: undefined },
      { model: 'claude-y', inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.1 },
    ]);
  });
});

describe('parseEventLine: whole fixtures', () => {
  it('never throws and keeps string fields strings on every fixture line, also when cut short', () => {
    for (const name of ['basic-run.jsonl', 'background-agent.jsonl', 'errors.jsonl', 'fragment.jsonl']) {
      for (const raw of fixtureLines(name)) {
        const whole = parseEventLine(raw);
        if (whole.kind === 'unknown') expect(whole.type).toBe('rate_limit_event');
        expect(whole.kind === 'text').toBe(!raw.startsWith('{'));
        // A line cut anywhere is never an event of a known kind with broken fields: JSON.parse refuses it.
        for (let cut = 1; cut < raw.length; cut += 17) expect(parseEventLine(raw.slice(0, cut)).kind).toBe('text');
      }
    }
  });
});
