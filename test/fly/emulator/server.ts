// HTTP plumbing around the API: loopback server, request recording, auth
// like Fly's (Bearer or FlyV1), fault injection, rate limiting, an optional
// latency model, the fly-request-id header on every answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ApiAction, HttpFault, RecordedRequest } from './types.ts';
import type { FlyApi, ApiAnswer } from './api.ts';
import type { FaultRules } from './faults.ts';
import { defaultFaultError } from './faults.ts';
import type { RateLimiter } from './rate-limit.ts';
import { requestId } from './ids.ts';

export interface ServerDeps {
  api: FlyApi;
  token: string;
  /** Require FlyV1 for macaroon tokens (fm1r_/fm1a_/fm2_) and Bearer for the rest. */
  strictScheme: boolean;
  faults: FaultRules;
  limiter: RateLimiter | undefined;
  rateLimitHeaders: Record<string, string>;
  region: string;
  requests: RecordedRequest[];
  /** Milliseconds to hold each answer after processing (see EmulatorOptions.latency). */
  latency?: ((action: ApiAction, method: string, path: string) => number) | undefined;
}

const MACAROON = /^(fm1r_|fm1a_|fm2_)/;

function authorized(header: string | undefined, deps: ServerDeps): boolean {
  if (!header) return false;
  const m = /^(Bearer|FlyV1)\s+(.+)$/i.exec(header.trim());
  if (!m) return false;
  const scheme = m[1]!.toLowerCase();
  const token = m[2]!.trim();
  if (token !== deps.token) return false;
  if (!deps.strictScheme) return true;
  return MACAROON.test(token) ? scheme === 'flyv1' : scheme === 'bearer';
}

function redactHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(', ') : v;
    if (k === 'authorization') {
      // Keep the scheme (tests assert which one a client used), never the credential.
      const scheme = /^(Bearer|FlyV1|Basic|Token)\s/i.exec(value.trim());
      out[k] = scheme ? `${scheme[1]} [redacted]` : '[redacted]';
    } else out[k] = value;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function resetSocket(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

export async function startServer(deps: ServerDeps): Promise<{ server: Server; url: string }> {
  let seq = 0;
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `emulator error: ${(err as Error).message}` }));
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const bodyText = await readBody(req);
    let body: unknown;
    try {
      body = bodyText ? JSON.parse(bodyText) : undefined;
    } catch {
      body = undefined;
    }
    const method = req.method ?? 'GET';
    const route = deps.api.route(method, url.pathname);
    const rid = requestId(deps.region);
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const record: RecordedRequest = {
      seq: ++seq,
      requestId: rid,
      at: Date.now(),
      method,
      path: url.pathname,
      query,
      headers: redactHeaders(req),
      bodyText,
      body,
      action: route?.action ?? 'other',
      machineId: route?.machineId,
      status: 'pending',
      fault: undefined,
    };
    deps.requests.push(record);

    const answer = async (a: ApiAnswer, headers: Record<string, string> = {}): Promise<void> => {
      // The model's delay comes after the work (an exec's command has ended) and before the bytes go out.
      const delay = deps.latency?.(record.action, method, url.pathname) ?? 0;
      if (delay > 0) await sleep(delay);
      record.status = a.status;
      if (res.destroyed) return;
      const payload = a.body === undefined ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
      res.writeHead(a.status, {
        'fly-request-id': rid,
        ...(payload ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        'content-length': String(Buffer.byteLength(payload)),
        ...headers,
      });
      res.end(payload);
    };
    const reset = () => {
      record.status = 'reset';
      resetSocket(req.socket);
    };

    if (!authorized(req.headers.authorization, deps)) {
      await answer({ status: 401, body: { error: 'You must be authenticated to view this.' } });
      return;
    }

    const fault: HttpFault | undefined = deps.faults.match(method, url.pathname, body);
    if (fault) record.fault = fault.kind === 'status' ? `status ${fault.status}` : fault.kind;
    if (fault?.kind === 'reset') return reset();
    if (fault?.kind === 'status') {
      const errBody = fault.rawBody ?? {
        error: fault.error ?? defaultFaultError(fault.status),
        ...(fault.errorStatus ? { status: fault.errorStatus } : {}),
      };
      return answer({ status: fault.status, body: errBody }, fault.headers);
    }
    if (fault?.kind === 'delay' && (fault.phase ?? 'before') === 'before') await sleep(fault.ms);

    if (!route) return answer({ status: 404, body: { error: 'not found' } });
    if (bodyText && body === undefined) return answer({ status: 400, body: { error: 'invalid JSON body' } });
    if (deps.limiter && !deps.limiter.take(route.action, route.scope)) {
      return answer({ status: 429, body: { error: 'rate limit exceeded' } }, deps.rateLimitHeaders);
    }

    const aborted = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    const result = await route.run({ method, path: url.pathname, query: url.searchParams, body, bodyText, signal: aborted.signal });
    if (fault?.kind === 'delay' && fault.phase === 'after') await sleep(fault.ms);
    if (fault?.kind === 'lose-response') return reset();
    if (aborted.signal.aborted) {
      record.status = result.status;
      return;
    }
    await answer(result);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}
