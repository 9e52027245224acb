// Loading and validating scenario files; the captured transcripts stay well-formed.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarios, parseScenarioFile, parseStep, ScenarioError } from './scenario.ts';
import { RUNS, SCENARIO_DIR } from './runs.ts';
import { findScenario, firstUserText } from './conversation.ts';

describe('scenario files', () => {
  it('every file in scenarios/ loads, and each run prompt matches exactly its own scenario', () => {
    const scenarios = loadScenarios(SCENARIO_DIR);
    expect(scenarios.map((s) => s.name)).toEqual(expect.arrayContaining(Object.keys(RUNS)));
    for (const [name, spec] of Object.entries(RUNS)) {
      const body = { messages: [{ role: 'user', content: spec.prompt }] };
      expect(findScenario(scenarios, body)?.name).toBe(name);
    }
  });

  it('fills defaults: stop_reason from the blocks, usage, the error type from the status', () => {
    const tools = parseStep({ tools: [{ name: 'Read', input: { file_path: 'a' } }] }, 's');
    expect(tools.stopReason).toBe('tool_use');
    expect(tools.usage).toEqual({ input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    const text = parseStep({ text: 'x', usage: { output_tokens: 7 }, failures: [{ status: 529, times: 2 }, { status: 429, retryAfter: 3 }] }, 's');
    expect(text.stopReason).toBe('end_turn');
    expect(text.usage.output_tokens).toBe(7);
    expect(text.failures).toEqual([
      { kind: 'http', status: 529, type: 'overloaded_error', message: expect.any(String), retryAfter: undefined },
      { kind: 'http', status: 529, type: 'overloaded_error', message: expect.any(String), retryAfter: undefined },
      { kind: 'http', status: 429, type: 'rate_limit_error', message: expect.any(String), retryAfter: 3 },
    ]);
    expect(parseStep({ thinking: 't', text: 'x' }, 's').content.map((b) => b.type)).toEqual(['thinking', 'text']);
  });

  it.each([
    ['{', /not valid JSON/],
    ['{"steps":[{"text":"x"}]}', /\.match: expected a string/],
    ['{"match":"m","steps":[]}', /steps: expected a non-empty array/],
    ['{"match":"m","steps":[{"txt":"x"}]}', /steps\[0\]: unknown field "txt"/],
    ['{"match":"m","steps":[{}]}', /steps\[0\]: a step needs/],
    ['{"match":"m","steps":[{"text":"x","content":[]}]}', /either "content" or/],
    ['{"match":"m","steps":[{"text":"x","failures":[{"status":200}]}]}', /failures\[0\]\.status: expected an HTTP error status/],
    ['{"match":"m","steps":[{"text":"x","failures":[{"status":418}]}]}', /no default error type for status 418/],
    ['{"match":"m","steps":[{"text":"x","stop_reason":"done"}]}', /stop_reason: expected one of/],
    ['{"match":"m","steps":[{"tools":[{"name":"Read","input":"a"}]}]}', /tools\[0\]\.input: expected an object/],
    ['{"match":"m","steps":[{"failures":[{"status":401,"times":"always"},{"status":500}]}]}', /nothing can follow/],
  ])('rejects %s with a clear error', (text, message) => {
    expect(() => parseScenarioFile(text, 'bad.json')).toThrow(ScenarioError);
    expect(() => parseScenarioFile(text, 'bad.json')).toThrow(message);
  });

  it('strips system-reminder sections from the first user message', () => {
    const body = {
      messages: [
        { role: 'user', content: [{ type: 'text', text: '<system-reminder>\nctx\n</system-reminder>' }, { type: 'text', text: 'Do it <system-reminder>x</system-reminder>now' }] },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'later' },
      ],
    };
    expect(firstUserText(body)).toBe('Do it now');
  });
});

describe('captured transcripts', () => {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'transcripts');
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));

  it('exist for every run', () => {
    expect(files.map((f) => f.replace(/\.jsonl$/, '')).sort()).toEqual(Object.keys(RUNS).sort());
  });

  it.each(files)('%s: every line is JSON and the first is system/init', (file) => {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    const parsed = lines.slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ type: 'system', subtype: 'init' });
  });
});
