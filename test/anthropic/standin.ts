// A loopback stand-in for Anthropic's Messages API, so the real Claude Code CLI
// runs its real agent loop and tools against scripted model answers.
//
//   POST /v1/messages               stream:true -> SSE; otherwise one JSON Message
//   POST /v1/messages/count_tokens  -> {"input_tokens": n}
//   GET  /v1/models                 -> a one-model list; 401 for a key in `refusedKeys`
//   anything else                   -> 404 not_found_error
//
// Run as a process: node test/anthropic/standin.ts --scenarios <dir-or-file> [--port N]
// prints "listening <url>" and serves until killed.

import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { loadScenarios } from './scenario.ts';
import type { Failure, Scenario, Step } from './scenario.ts';
import { assistantTurns, findScenario, offersTools } from './conversation.ts';
import { errorJson, messageJson, resolveBlocks, sseFrame, streamEvents } from './wire.ts';
import type { WireAnswer } from './wire.ts';

export interface RecordedRequest {
  /** Order of arrival, from 0. */
  seq: number;
  method: string;
  path: string;
  /** Header names lower-cased; x-api-key and authorization values replaced by "[redacted]". */
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when there was none or it was not JSON. */
  body: unknown;
  /** What answered: a scenario step, a side request (no tools), a request no scenario matched, count_tokens, or an error. */
  kind: 'scenario' | 'side' | 'unmatched' | 'count_tokens' | 'models' | 'not_found' | 'invalid';
  scenario?: string;
  /** Index of the step answered (= assistant turns already in the request). */
  step?: number;
  /** 1 for the first request of this scenario step, 2 for its first retry, ... */
  attempt?: number;
  /** HTTP status sent (200 also for cut streams and in-stream errors). */
  status: number;
  /** What the answer was: "stream", "json", "error", "cut", "stream-error". */
  answer: string;
  receivedAt: number;
}

export interface StandInOptions {
  scenarios: Scenario[];
  port?: number;
  log?: (s: string) => void;
  /** API keys that GET /v1/models answers with 401 (a key check before a run); default none. */
  refusedKeys?: string[];
}

export interface StandIn {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const SIDE_ANSWER = 'Stand-in side answer';
const REDACTED_HEADERS = new Set(['x-api-key', 'authorization']);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function recordHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name] = REDACTED_HEADERS.has(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function stableHash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h.toString(36);
}

/** The step answering a request with `turns` assistant messages; past the script, a note saying so. */
function stepFor(scenario: Scenario, turns: number): Step {
  const step = scenario.steps[turns];
  if (step) return step;
  return {
    content: [{ type: 'text', text: `Stand-in: scenario "${scenario.name}" has no step ${turns}.` }],
    stopReason: 'end_turn',
    usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    delayMs: 0,
    failures: [],
    failAlways: undefined,
  };
}

export async function startMessagesStandIn(options: StandInOptions): Promise<StandIn> {
  const { scenarios } = options;
  const log = options.log ?? (() => {});
  const requests: RecordedRequest[] = [];
  const attempts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let requestCounter = 0;

  const sleep = (ms: number, res: ServerResponse): Promise<boolean> =>
    new Promise((resolve) => {
      if (ms <= 0) return resolve(true);
      const t = setTimeout(() => {
        timers.delete(t);
        resolve(!res.destroyed);
      }, ms);
      timers.add(t);
      res.once('close', () => {
        clearTimeout(t);
        timers.delete(t);
        resolve(false);
      });
    });

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const sendError = (res: ServerResponse, requestId: string, status: number, type: string, message: string, retryAfter?: number): void => {
    const headers: Record<string, string> = { 'request-id': requestId };
    if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    sendJson(res, status, errorJson(type, message, requestId), headers);
  };

  async function sendStream(res: ServerResponse, answer: WireAnswer, requestId: string, failure: Failure | undefined): Promise<string> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'request-id': requestId,
    });
    res.flushHeaders();
    const events = streamEvents(answer);
    for (let i = 0; i < events.length; i++) {
      if (failure?.kind === 'cut' && i === failure.afterEvents) {
        // Let what was written reach the client, then drop the connection without ending the response.
        await new Promise<void>((r) => res.write('', () => r()));
        res.socket?.destroy();
        return 'cut';
      }
      if (failure?.kind === 'stream-error' && i === failure.afterEvents) {
        res.end(sseFrame({ event: 'error', data: errorJson(failure.type, failure.message, requestId) }));
        return 'stream-error';
      }
      const event = events[i];
      if (event === undefined || res.destroyed) break;
      res.write(sseFrame(event));
      // Let the bytes go out as separate chunks, as a real stream would.
      if (i % 4 === 3) await new Promise((r) => setImmediate(r));
    }
    res.end();
    return 'stream';
  }

  async function handleMessages(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, requestId: string): Promise<void> {
    const body = rec.body as Record<string, unknown> | undefined;
    const problem =
      body === undefined || typeof body !== 'object' || body === null || Array.isArray(body)
        ? 'The request body is not valid JSON.'
        : typeof body.model !== 'string'
          ? 'model: Field required'
          : !Array.isArray(body.messages) || body.messages.length === 0
            ? 'messages: Field required'
            : typeof body.max_tokens !== 'number'
              ? 'max_tokens: Field required'
              : undefined;
    if (problem !== undefined || body === undefined) {
      Object.assign(rec, { kind: 'invalid', status: 400, answer: 'error' });
      sendError(res, requestId, 400, 'invalid_request_error', problem ?? 'invalid request');
      return;
    }
    const model = body.model as string;
    const stream = body.stream === true;
    let step: Step;
    let seed: string;
    if (!offersTools(body)) {
      rec.kind = 'side';
      step = { ...stepFor({ name: '', match: '', steps: [] }, 0), content: [{ type: 'text', text: SIDE_ANSWER }] };
      seed = 'side';
    } else {
      const scenario = findScenario(scenarios, body);
      const turns = assistantTurns(body);
      if (!scenario) {
        rec.kind = 'unmatched';
        step = {
          ...stepFor({ name: '', match: '', steps: [] }, 0),
          content: [{ type: 'text', text: 'Stand-in: no scenario matches this conversation.' }],
        };
        seed = 'unmatched';
      } else {
        const key = `${scenario.name}#${turns}`;
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        Object.assign(rec, { kind: 'scenario', scenario: scenario.name, step: turns, attempt });
        step = stepFor(scenario, turns);
        seed = stableHash(key);
      }
    }
    const attempt = rec.attempt ?? 1;
    const failure = step.failures[attempt - 1] ?? (attempt > step.failures.length ? step.failAlways : undefined);
    if (failure?.kind === 'http') {
      Object.assign(rec, { status: failure.status, answer: 'error' });
      sendError(res, requestId, failure.status, failure.type, failure.message, failure.retryAfter);
      return;
    }
    if (!(await sleep(step.delayMs, res))) {
      rec.answer = 'client-gone';
      return;
    }
    const answer: WireAnswer = {
      id: `msg_standin_${seed}`,
      model,
      content: resolveBlocks(step.content, seed),
      stopReason: step.stopReason,
      usage: step.usage,
    };
    rec.status = 200;
    if (stream) {
      rec.answer = await sendStream(res, answer, requestId, failure);
    } else {
      rec.answer = 'json';
      sendJson(res, 200, messageJson(answer), { 'request-id': requestId });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = `req_standin_${String(++requestCounter).padStart(6, '0')}`;
    const raw = await readBody(req);
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const rec: RecordedRequest = {
      seq: requests.length,
      method: req.method ?? 'GET',
      path,
      headers: recordHeaders(req),
      body,
      kind: 'not_found',
      status: 404,
      answer: 'error',
      receivedAt: Date.now(),
    };
    requests.push(rec);
    try {
      if (req.method === 'POST' && path === '/v1/messages') {
        await handleMessages(req, res, rec, requestId);
      } else if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
        // A rough, deterministic estimate: about four characters a token.
        const inputTokens = Math.max(1, Math.ceil(raw.length / 4));
        Object.assign(rec, { kind: 'count_tokens', status: 200, answer: 'json' });
        sendJson(res, 200, { input_tokens: inputTokens }, { 'request-id': requestId });
      } else if (req.method === 'GET' && path === '/v1/models') {
        const key = String(req.headers['x-api-key'] ?? '');
        if ((options.refusedKeys ?? []).includes(key)) {
          Object.assign(rec, { kind: 'models', status: 401 });
          sendError(res, requestId, 401, 'authentication_error', 'invalid x-api-key');
        } else {
          Object.assign(rec, { kind: 'models', status: 200, answer: 'json' });
          const model = { type: 'model', id: 'claude-opus-5-5', display_name: 'Claude Opus 5.5', created_at: '2026-01-01T00:00:00Z' };
          sendJson(res, 200, { data: [model], has_more: false, first_id: model.id, last_id: model.id }, { 'request-id': requestId });
        }
      } else {
        sendError(res, requestId, 404, 'not_found_error', `Not found: ${req.method ?? ''} ${path}`);
      }
    } finally {
      const where = rec.scenario !== undefined ? ` ${rec.scenario}#${rec.step} attempt ${rec.attempt}` : '';
      log(`${rec.method} ${path} ${rec.kind}${where} -> ${rec.status} ${rec.answer}`);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`stand-in error: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) sendError(res, 'req_standin_error', 500, 'api_error', 'Stand-in internal error');
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('stand-in: no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const scenarioPath = argValue(args, '--scenarios');
  if (scenarioPath === undefined) {
    process.stderr.write('usage: node test/anthropic/standin.ts --scenarios <dir-or-file> [--port N]\n');
    process.exit(2);
  }
  const port = Number(argValue(args, '--port') ?? '0');
  const standIn = await startMessagesStandIn({
    scenarios: loadScenarios(scenarioPath),
    port,
    log: (s) => process.stderr.write(`${s}\n`),
  });
  process.stdout.write(`listening ${standIn.url}\n`);
  const stop = (): void => {
    void standIn.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (import.meta.main) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
