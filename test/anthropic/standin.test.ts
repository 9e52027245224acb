// The stand-in itself, against Anthropic's published Messages API protocol, with plain fetch.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseScenario } from './scenario.ts';
import type { Scenario } from './scenario.ts';
import { startMessagesStandIn } from './standin.ts';
import type { StandIn } from './standin.ts';
import { SCENARIO_DIR } from './runs.ts';

interface Frame {
  event: string;
  data: Record<string, unknown>;
}

/** Strict SSE parser: every frame is exactly `event: <name>` then `data: <json>`, frames end with a blank line. */
function parseSse(text: string): Frame[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const lines = frame.split('\n');
      expect(lines).toHaveLength(2);
      const [eventLine = '', dataLine = ''] = lines;
      expect(eventLine).toMatch(/^event: [a-z_]+$/);
      expect(dataLine.startsWith('data: ')).toBe(true);
      const frameOut = { event: eventLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) as Record<string, unknown> };
      // Documented: the SSE event name and the data's type are the same.
      expect(frameOut.data.type).toBe(frameOut.event);
      return frameOut;
    });
}

const REMINDER = (s: string): { type: string; text: string } => ({ type: 'text', text: `<system-reminder>\n${s}\n</system-reminder>` });
const TOOLS = [{ name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: {} } }];

function request(firstUser: unknown, extra: Record<string, unknown> = {}, history: unknown[] = []): Record<string, unknown> {
  return {
    model: 'claude-test-model',
    max_tokens: 1024,
    stream: true,
    tools: TOOLS,
    messages: [{ role: 'user', content: firstUser }, ...history],
    ...extra,
  };
}

const SCENARIOS: Scenario[] = [
  parseScenario(
    {
      name: 'main',
      match: 'Fix the bug',
      steps: [
        { text: 'Looking.', tools: [{ name: 'Read', input: { file_path: 'a.txt', note: 'x'.repeat(40) } }, { name: 'Bash', input: { command: 'ls' } }] },
        { thinking: 'Deep thought here.', text: 'All done now, nothing left.', usage: { input_tokens: 123, output_tokens: 45 } },
      ],
    },
    'main',
  ),
  parseScenario({ name: 'sub', match: 'Fix the bug in the sub agent', steps: [{ text: 'Sub agent answer.' }] }, 'sub'),
  parseScenario(
    {
      name: 'flaky',
      match: 'Flaky request',
      steps: [
        {
          failures: [
            { status: 429, retryAfter: 2 },
            { status: 529, message: 'Overloaded' },
            { cutAfterEvents: 3 },
            { streamError: 'overloaded_error', afterEvents: 2 },
          ],
          text: 'Finally.',
          tools: [{ name: 'Read', input: { file_path: 'b.txt' } }],
        },
      ],
    },
    'flaky',
  ),
  parseScenario({ name: 'locked', match: 'Locked out', steps: [{ failures: [{ status: 401, times: 'always' }] }] }, 'locked'),
  parseScenario({ name: 'slow', match: 'Slow answer', steps: [{ delayMs: 60_000, text: 'late' }] }, 'slow'),
];

let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function start(scenarios: Scenario[] = SCENARIOS): Promise<StandIn> {
  standIn = await startMessagesStandIn({ scenarios });
  return standIn;
}

async function post(s: StandIn, body: unknown, path = '/v1/messages', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-secret-value', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'x,y', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('streaming answers (SSE)', () => {
  it('frames events as documented, in the documented order', async () => {
    const s = await start();
    const res = await post(s, request('Fix the bug please'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const frames = parseSse(await res.text());
    const names = frames.map((f) => f.event);
    expect(names[0]).toBe('message_start');
    expect(names.at(-1)).toBe('message_stop');
    expect(names.at(-2)).toBe('message_delta');
    expect(names).toContain('ping');
    const start0 = frames[0]?.data.message as Record<string, unknown>;
    expect(start0).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-test-model', content: [], stop_reason: null });
    expect(start0.id).toMatch(/^msg_/);
    expect(start0.usage).toMatchObject({ input_tokens: 10 });

    // Each block: start, one or more deltas, stop; indexes count up from 0 and never interleave.
    const blockFrames = frames.filter((f) => f.event.startsWith('content_block_'));
    let open: number | undefined;
    let expectedIndex = 0;
    const texts: string[] = [];
    const partials = new Map<number, string[]>();
    for (const f of blockFrames) {
      const index = f.data.index as number;
      if (f.event === 'content_block_start') {
        expect(open).toBeUndefined();
        expect(index).toBe(expectedIndex);
        open = index;
      } else if (f.event === 'content_block_delta') {
        expect(index).toBe(open);
        const delta = f.data.delta as Record<string, string>;
        if (delta.type === 'text_delta') texts.push(delta.text ?? '');
        if (delta.type === 'input_json_delta') partials.set(index, [...(partials.get(index) ?? []), delta.partial_json ?? '']);
      } else {
        expect(index).toBe(open);
        open = undefined;
        expectedIndex++;
      }
    }
    expect(expectedIndex).toBe(3);
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join('')).toBe('Looking.');
    const starts = blockFrames.filter((f) => f.event === 'content_block_start').map((f) => f.data.content_block as Record<string, unknown>);
    expect(starts[1]).toMatchObject({ type: 'tool_use', name: 'Read', input: {} });
    expect(starts[2]).toMatchObject({ type: 'tool_use', name: 'Bash' });
    expect(starts[1]?.id).not.toBe(starts[2]?.id);
    // Tool input arrives as several partial JSON strings that only parse once joined.
    const readPieces = partials.get(1) ?? [];
    expect(readPieces.filter((p) => p !== '').length).toBeGreaterThan(1);
    expect(() => JSON.parse(readPieces.filter((p) => p !== '')[0] ?? '')).toThrow();
    expect(JSON.parse(readPieces.join(''))).toEqual({ file_path: 'a.txt', note: 'x'.repeat(40) });
    expect(JSON.parse((partials.get(2) ?? []).join(''))).toEqual({ command: 'ls' });

    const delta = frames.at(-2)?.data as Record<string, Record<string, unknown>>;
    expect(delta.delta).toMatchObject({ stop_reason: 'tool_use', stop_sequence: null });
    expect(delta.usage).toMatchObject({ output_tokens: 5 });
  });

  it('streams thinking (thinking_delta, then signature_delta) before text, with end_turn and the step usage', async () => {
    const s = await start();
    const history = [
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
    ];
    const frames = parseSse(await (await post(s, request('Fix the bug please', {}, history))).text());
    const deltas = frames.filter((f) => f.event === 'content_block_delta').map((f) => f.data.delta as Record<string, string>);
    const kinds = deltas.map((d) => d.type);
    const lastThinking = kinds.lastIndexOf('thinking_delta');
    expect(lastThinking).toBeGreaterThanOrEqual(0);
    expect(kinds[lastThinking + 1]).toBe('signature_delta');
    expect(kinds.indexOf('text_delta')).toBeGreaterThan(lastThinking + 1);
    expect(deltas.filter((d) => d.type === 'thinking_delta').map((d) => d.thinking).join('')).toBe('Deep thought here.');
    expect(deltas.find((d) => d.type === 'signature_delta')?.signature).toBeTruthy();
    const first = frames[0]?.data.message as Record<string, Record<string, number>>;
    expect(first.usage?.input_tokens).toBe(123);
    const md = frames.find((f) => f.event === 'message_delta')?.data as Record<string, Record<string, unknown>>;
    expect(md.delta?.stop_reason).toBe('end_turn');
    expect(md.usage?.output_tokens).toBe(45);
  });
});

describe('JSON answers', () => {
  it('answers one Message object when stream is not set', async () => {
    const s = await start();
    const res = await post(s, request('Fix the bug please', { stream: false }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const msg = (await res.json()) as Record<string, unknown>;
    expect(msg).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-test-model', stop_reason: 'tool_use', stop_sequence: null });
    expect(msg.content).toEqual([
      { type: 'text', text: 'Looking.' },
      expect.objectContaining({ type: 'tool_use', name: 'Read', input: { file_path: 'a.txt', note: 'x'.repeat(40) } }),
      expect.objectContaining({ type: 'tool_use', name: 'Bash', input: { command: 'ls' } }),
    ]);
    expect(msg.usage).toEqual({ input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it('counts tokens', async () => {
    const s = await start();
    const res = await post(s, { model: 'm', messages: [{ role: 'user', content: 'hello there' }] }, '/v1/messages/count_tokens');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['input_tokens']);
    expect(body.input_tokens).toBeGreaterThan(0);
    expect(s.requests[0]?.kind).toBe('count_tokens');
  });
});

describe('errors in Anthropic’s shape', () => {
  const cases: [number, string][] = [
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [529, 'overloaded_error'],
  ];
  it.each(cases)('status %i answers error type %s with a request-id', async (status, type) => {
    const s = await start([parseScenario({ name: 'e', match: 'err', steps: [{ failures: [{ status }], text: 'ok' }] }, 'e')]);
    const res = await post(s, request('err'));
    expect(res.status).toBe(status);
    const body = (await res.json()) as Record<string, Record<string, unknown> | string>;
    expect(body.type).toBe('error');
    expect(body.error).toEqual({ type, message: expect.any(String) });
    expect(res.headers.get('request-id')).toBe(body.request_id);
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('sends retry-after when the step says so, then the next attempts fail in turn, then the answer', async () => {
    const s = await start();
    const r1 = await post(s, request('Flaky request'));
    expect(r1.status).toBe(429);
    expect(r1.headers.get('retry-after')).toBe('2');
    const r2 = await post(s, request('Flaky request'));
    expect(r2.status).toBe(529);
    expect(((await r2.json()) as { error: { message: string } }).error.message).toBe('Overloaded');
    // Attempt 3: the connection drops mid-stream, before message_stop.
    const r3 = await post(s, request('Flaky request'));
    expect(r3.status).toBe(200);
    const cut = await r3.text().then(
      (t) => t,
      () => 'rejected',
    );
    expect(cut.includes('message_stop')).toBe(false);
    // Attempt 4: an in-stream error event, as documented for overloads during a stream.
    const frames = parseSse(await (await post(s, request('Flaky request'))).text());
    expect(frames.at(-1)).toEqual({ event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: expect.any(String) }, request_id: expect.any(String) } });
    expect(frames.map((f) => f.event)).not.toContain('message_stop');
    // Attempt 5: the answer.
    const ok = parseSse(await (await post(s, request('Flaky request'))).text());
    expect(ok.at(-1)?.event).toBe('message_stop');
    expect(s.requests.map((r) => [r.attempt, r.status, r.answer])).toEqual([
      [1, 429, 'error'],
      [2, 529, 'error'],
      [3, 200, 'cut'],
      [4, 200, 'stream-error'],
      [5, 200, 'stream'],
    ]);
  });

  it('fails every attempt of a step whose failure has times "always"', async () => {
    const s = await start();
    for (let i = 0; i < 4; i++) expect((await post(s, request('Locked out'))).status).toBe(401);
    expect(s.requests.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('answers 404 not_found_error for other paths and methods', async () => {
    const s = await start();
    for (const res of [await post(s, {}, '/v1/complete'), await fetch(`${s.url}/v1/messages`), await fetch(`${s.url}/`)]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    }
  });

  it('answers 400 invalid_request_error for a body that is not JSON or lacks required fields', async () => {
    const s = await start();
    for (const body of ['{not json', { model: 'm', messages: [] , max_tokens: 1 }, { messages: [{ role: 'user', content: 'x' }], max_tokens: 1 }, { model: 'm', messages: [{ role: 'user', content: 'x' }] }]) {
      const res = await post(s, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    }
  });
});

describe('scenario matching', () => {
  it('recognises a conversation by its first user message, ignoring system-reminder blocks', async () => {
    const s = await start();
    // The reminder mentions another scenario's match; only the real prompt counts.
    const first = [REMINDER('Slow answer and Locked out'), { type: 'text', text: 'Fix the bug please' }];
    await (await post(s, request(first))).text();
    // A string first message with an inline reminder.
    await (await post(s, request(`<system-reminder>Flaky request</system-reminder>\nFix the bug now`))).text();
    expect(s.requests.map((r) => r.scenario)).toEqual(['main', 'main']);
  });

  it('gives a subagent conversation its own script: the longest match wins', async () => {
    const s = await start();
    const res = await post(s, request([REMINDER('context'), { type: 'text', text: 'Fix the bug in the sub agent, then report.' }], { stream: false }));
    const msg = (await res.json()) as { content: { text: string }[] };
    expect(msg.content[0]?.text).toBe('Sub agent answer.');
    expect(s.requests[0]).toMatchObject({ kind: 'scenario', scenario: 'sub', step: 0, attempt: 1 });
  });

  it('picks the step by the number of assistant turns, and a retried request gets the same answer', async () => {
    const s = await start();
    const a = (await (await post(s, request('Fix the bug', { stream: false }))).json()) as Record<string, unknown>;
    const b = (await (await post(s, request('Fix the bug', { stream: false }))).json()) as Record<string, unknown>;
    expect(b).toEqual(a);
    const history = [
      { role: 'assistant', content: [{ type: 'text', text: 'x' }] },
      { role: 'user', content: 'more' },
    ];
    const c = (await (await post(s, request('Fix the bug', { stream: false }, history))).json()) as Record<string, unknown>;
    expect(c.id).not.toBe(a.id);
    expect(c.stop_reason).toBe('end_turn');
    expect(s.requests.map((r) => [r.step, r.attempt])).toEqual([
      [0, 1],
      [0, 2],
      [1, 1],
    ]);
    // Past the end of the script: a text that says so.
    const past = [...history, { role: 'assistant', content: 'y' }, { role: 'user', content: 'z' }];
    const d = (await (await post(s, request('Fix the bug', { stream: false }, past))).json()) as { content: { text: string }[] };
    expect(d.content[0]?.text).toMatch(/has no step 2/);
  });

  it('answers requests that offer no tools (side requests) and unmatched conversations with a short text', async () => {
    const s = await start();
    const side = (await (await post(s, request('Fix the bug', { stream: false, tools: [] }))).json()) as Record<string, unknown>;
    expect(side).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: expect.any(String) }] });
    const none = (await (await post(s, request('Something else entirely', { stream: false }))).json()) as Record<string, unknown>;
    expect(none).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: expect.stringMatching(/no scenario/) }] });
    expect(s.requests.map((r) => r.kind)).toEqual(['side', 'unmatched']);
  });
});

describe('recording and lifecycle', () => {
  it('records path, headers without the key value, body, scenario, step and attempt', async () => {
    const s = await start();
    await (await post(s, request('Fix the bug'), '/v1/messages', { authorization: 'Bearer tok-secret' })).text();
    const rec = s.requests[0];
    expect(rec).toMatchObject({ seq: 0, method: 'POST', path: '/v1/messages', kind: 'scenario', scenario: 'main', step: 0, attempt: 1, status: 200, answer: 'stream' });
    expect(rec?.headers['x-api-key']).toBe('[redacted]');
    expect(rec?.headers.authorization).toBe('[redacted]');
    expect(rec?.headers['anthropic-version']).toBe('2023-06-01');
    expect(rec?.headers['anthropic-beta']).toBe('x,y');
    expect(JSON.stringify(rec)).not.toContain('secret');
    expect(rec?.body).toMatchObject({ model: 'claude-test-model', stream: true });
  });

  it('closes promptly while an answer is still delayed', async () => {
    const s = await start();
    const pending = post(s, request('Slow answer')).then(
      (r) => r.status,
      () => 'dropped',
    );
    while (s.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    await s.close();
    standIn = undefined;
    expect(await pending).toBe('dropped');
    for (let i = 0; i < 100 && s.requests[0]?.answer !== 'client-gone'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.requests[0]?.answer).toBe('client-gone');
  });

  it('runs as a process: prints "listening <url>" and serves the scenario files', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'standin.ts'), '--scenarios', SCENARIO_DIR], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /^listening (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const res = await fetch(`${url}/v1/messages`, {
        method: 'POST',
        body: JSON.stringify(request('Fix the greeting typo in greet.js', { stream: false })),
      });
      expect(await res.json()).toMatchObject({ content: [{ type: 'text' }, { type: 'tool_use', name: 'Read' }] });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
