import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Agent, EnvHttpProxyAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { authorizationHeader, normalizeToken } from '../../src/fly/auth.ts';
import { backoffDelay, parseRetryAfter } from '../../src/fly/backoff.ts';
import { chooseDispatcher } from '../../src/fly/dispatcher.ts';
import { FlyApiError, FlyNetworkError } from '../../src/fly/errors.ts';
import { PACING, RateLimiter } from '../../src/fly/rate-limit.ts';
import { buildUrl, createFlyRequester } from '../../src/fly/request.ts';
import type { FlyRequestOptions } from '../../src/fly/request.ts';
import { FlyClient } from '../../src/fly/client.ts';
import { fakeTime, startServer } from './client-test-server.ts';
import type { Handler, TestServer } from './client-test-server.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(handler: Handler, extra: Partial<FlyRequestOptions> = {}) {
  const server = await startServer(handler);
  const time = fakeTime();
  const http = createFlyRequester({ token: 'fm2_test', baseUrl: server.url, env: {}, sleep: time.sleep, now: time.now, random: () => 0.5, ...extra });
  cleanups.push(() => server.close(), () => http.close());
  return { server, time, http };
}

describe('authorization header', () => {
  it.each([
    ['fm2_abc', 'FlyV1 fm2_abc'],
    ['fm1r_abc', 'FlyV1 fm1r_abc'],
    ['fm1a_abc', 'FlyV1 fm1a_abc'],
    ['FlyV1 fm2_abc,fm2_def', 'FlyV1 fm2_abc,fm2_def'],
    ['flyv1   fm2_abc , fm2_def\n', 'FlyV1 fm2_abc,fm2_def'],
    ['legacy_thing,fm2_def', 'FlyV1 legacy_thing,fm2_def'],
    ['Bearer personal_token', 'Bearer personal_token'],
    ['personal_token', 'Bearer personal_token'],
    ['  bearer  personal_token  ', 'Bearer personal_token'],
    ['Bearer FlyV1 fm2_x', 'FlyV1 fm2_x'],
  ])('%j -> %j', (raw, header) => {
    expect(authorizationHeader(raw)).toBe(header);
  });

  it('a token that only contains fm2_ in the middle stays Bearer', () => {
    expect(authorizationHeader('abcfm2_def')).toBe('Bearer abcfm2_def');
  });

  it('an empty token is refused before any request, naming the input', () => {
    expect(() => authorizationHeader('  FlyV1  ')).toThrow(/fly-api-token/);
    expect(() => createFlyRequester({ token: '', env: {} })).toThrow(/empty/);
    expect(normalizeToken(' a , ,b ')).toBe('a,b');
  });

  it('sends the header, a user-agent and JSON on the wire', async () => {
    const { server, http } = await setup(() => ({ json: { ok: true } }), { token: 'FlyV1 fm2_one,fm2_two' });
    const res = await http.request({ method: 'POST', path: '/apps/a/machines/m/stop', body: { signal: 'SIGTERM' } });
    expect(res.json).toEqual({ ok: true });
    const [req] = server.requests;
    expect(req!.headers.authorization).toBe('FlyV1 fm2_one,fm2_two');
    expect(req!.headers['user-agent']).toMatch(/^claude-fly-action\//);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.json).toEqual({ signal: 'SIGTERM' });
    expect(req!.path).toBe('/v1/apps/a/machines/m/stop');
  });
});

describe('url building', () => {
  it('appends /v1 once and keeps repeated query keys in order', () => {
    expect(buildUrl('https://api.machines.dev/', '/apps/x', [['a', '1'], ['a', '2']])).toBe('https://api.machines.dev/v1/apps/x?a=1&a=2');
    expect(buildUrl('http://_api.internal:4280/v1', '/apps/x', { b: true, c: undefined })).toBe('http://_api.internal:4280/v1/apps/x?b=true');
  });
});

describe('backoff', () => {
  it('grows exponentially, caps, and jitters within the upper half', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, () => 1, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3].map((n) => backoffDelay(n, () => 0, policy))).toEqual([50, 100, 200]);
    expect(backoffDelay(2, () => 0.25, policy)).toBe(125);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('retries', () => {
  it('retries 5xx on an idempotent request with jittered exponential backoff', async () => {
    const { server, time, http } = await setup((_r, i) => (i < 2 ? { status: 503, json: { error: 'busy' } } : { json: { id: 'm1' } }));
    const res = await http.request({ method: 'GET', path: '/apps/a/machines/m1' });
    expect(res.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
    // base 300 ms, random 0.5: half the cap plus a quarter
    expect(time.sleeps).toEqual([225, 450]);
  });

  it('jitter comes from the injected random source', async () => {
    const { time, http } = await setup((_r, i) => (i < 1 ? { status: 502 } : { json: {} }), { random: () => 0 });
    await http.request({ method: 'GET', path: '/x' });
    expect(time.sleeps).toEqual([150]);
  });

  it('honours Retry-After on 429, for POST too (Fly did not act on it)', async () => {
    const { server, time, http } = await setup((_r, i) =>
      i < 1 ? { status: 429, json: { error: 'rate limited' }, headers: { 'retry-after': '7' } } : { json: { id: 'm9' } },
    );
    const res = await http.request({ method: 'POST', path: '/apps/a/machines', body: { config: { image: 'x' } } });
    expect(res.json).toEqual({ id: 'm9' });
    expect(server.requests).toHaveLength(2);
    expect(time.sleeps).toEqual([7000]);
  });

  it('caps a huge Retry-After', async () => {
    const { time, http } = await setup((_r, i) => (i < 1 ? { status: 429, headers: { 'retry-after': '86400' } } : { json: {} }), {
      retry: { maxRetryAfterMs: 5000 },
    });
    await http.request({ method: 'GET', path: '/x' });
    expect(time.sleeps).toEqual([5000]);
  });

  it('does not retry 4xx', async () => {
    const { server, http } = await setup(() => ({ status: 404, json: { error: 'machine not found' } }));
    await expect(http.request({ method: 'GET', path: '/apps/a/machines/nope' })).rejects.toBeInstanceOf(FlyApiError);
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry a 5xx of a non-idempotent POST (create)', async () => {
    const { server, http } = await setup(() => ({ status: 500, json: { error: 'oops' } }));
    await expect(http.request({ method: 'POST', path: '/apps/a/machines', body: {} })).rejects.toMatchObject({ status: 500 });
    expect(server.requests).toHaveLength(1);
  });

  it('408 is retried for GET unless the call expects it as an answer', async () => {
    const a = await setup((_r, i) => (i < 1 ? { status: 408 } : { json: { ok: true } }));
    expect((await a.http.request({ method: 'GET', path: '/x' })).attempts).toBe(2);
    const b = await setup(() => ({ status: 408, json: { error: 'deadline_exceeded' } }));
    const res = await b.http.request({ method: 'GET', path: '/x/wait', expect: [408] });
    expect(res.status).toBe(408);
    expect(b.server.requests).toHaveLength(1);
  });

  it('gives up after maxAttempts and throws the last error', async () => {
    const { server, time, http } = await setup(() => ({ status: 500, json: { error: 'down' } }), { retry: { maxAttempts: 3 } });
    await expect(http.request({ method: 'DELETE', path: '/apps/a/machines/m' })).rejects.toMatchObject({ status: 500, apiMessage: 'down' });
    expect(server.requests).toHaveLength(3);
    expect(time.sleeps).toHaveLength(2);
  });

  it('retries a connection reset on GET, not on a non-idempotent POST', async () => {
    const get = await setup((_r, i) => (i < 2 ? 'reset' : { json: { id: 'm' } }));
    const res = await get.http.request({ method: 'GET', path: '/apps/a/machines/m' });
    expect(res.attempts).toBe(3);
    expect(get.server.requests).toHaveLength(3);

    const post = await setup(() => 'reset');
    const err = await post.http.request({ method: 'POST', path: '/apps/a/machines', body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlyNetworkError);
    expect((err as FlyNetworkError).notSent).toBe(false);
    expect(post.server.requests).toHaveLength(1);
  });

  it('retries a refused connection even for POST: nothing reached Fly', async () => {
    const server = await startServer(() => ({ json: {} }));
    const url = server.url;
    await server.close(); // nothing listens there now
    const time = fakeTime();
    const http = createFlyRequester({ token: 'x', baseUrl: url, env: {}, sleep: time.sleep, now: time.now, retry: { maxAttempts: 3 } });
    cleanups.push(() => http.close());
    const err = await http.request({ method: 'POST', path: '/apps/a/machines', body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlyNetworkError);
    expect((err as FlyNetworkError).notSent).toBe(true);
    expect((err as FlyNetworkError).code).toBe('ECONNREFUSED');
    expect(time.sleeps).toHaveLength(2);
  });

  it('reports each retry through onRetry', async () => {
    const notices: number[] = [];
    const { http } = await setup((_r, i) => (i < 1 ? { status: 503 } : { json: {} }), { onRetry: (n) => notices.push(n.attempt) });
    await http.request({ method: 'GET', path: '/x' });
    expect(notices).toEqual([1]);
  });
});

describe('errors', () => {
  it('names method, path, status, Fly status, message and fly-request-id', async () => {
    const { http } = await setup(() => ({
      status: 422,
      json: { error: 'invalid image', status: 'invalid_config' },
      headers: { 'fly-request-id': '01HXYZ-req' },
    }));
    const err = (await http.request({ method: 'POST', path: '/apps/a/machines', body: {} }).catch((e: unknown) => e)) as FlyApiError;
    expect(err).toBeInstanceOf(FlyApiError);
    expect(err).toMatchObject({ status: 422, flyStatus: 'invalid_config', requestId: '01HXYZ-req', method: 'POST', path: '/v1/apps/a/machines', apiMessage: 'invalid image' });
    for (const part of ['POST', '/v1/apps/a/machines', '422', 'invalid_config', 'invalid image', '01HXYZ-req']) expect(err.message).toContain(part);
  });

  it('prefers `message` like the Go client, and falls back to the body text', async () => {
    const a = await setup(() => ({ status: 400, json: { error: 'e', message: 'the real words' } }));
    await expect(a.http.request({ method: 'GET', path: '/x' })).rejects.toMatchObject({ apiMessage: 'the real words' });
    const b = await setup(() => ({ status: 403, text: 'Forbidden by proxy' }));
    const err = (await b.http.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as FlyApiError;
    expect(err.apiMessage).toBe('Forbidden by proxy');
    expect(err.message).toContain('no fly-request-id');
  });

  it('never puts the token in an error', async () => {
    const { http } = await setup(() => ({ status: 401, json: { error: 'unauthorized' } }), { token: 'fm2_supersecret' });
    const err = (await http.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as Error;
    expect(err.message).not.toContain('supersecret');
  });
});

describe('timeouts and cancellation', () => {
  it('a request with no answer times out as a FlyNetworkError and is retried when idempotent', async () => {
    const { server, http } = await setup(() => 'hang', { retry: { maxAttempts: 2 } });
    const err = await http.request({ method: 'GET', path: '/x', timeoutMs: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlyNetworkError);
    expect((err as FlyNetworkError).kind).toBe('timeout');
    expect(server.requests).toHaveLength(2);
  });

  it('the caller’s AbortSignal stops at once, without retry', async () => {
    const { server, http } = await setup(() => 'hang');
    const controller = new AbortController();
    const pending = http.request({ method: 'GET', path: '/x', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const err = await pending.catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(1);
  });

  it('an abort during a backoff sleep ends the retries', async () => {
    const controller = new AbortController();
    const { server, http } = await setup(() => {
      controller.abort();
      return { status: 503 };
    });
    const err = await http.request({ method: 'GET', path: '/x', signal: controller.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(1);
  });
});

describe('proxy', () => {
  it('uses EnvHttpProxyAgent when HTTPS_PROXY / HTTP_PROXY (any case) are set', () => {
    for (const env of [{ HTTPS_PROXY: 'http://proxy:3128' }, { https_proxy: 'http://proxy:3128' }, { HTTP_PROXY: 'http://proxy:3128' }]) {
      const choice = chooseDispatcher(env);
      expect(choice.kind).toBe('proxy');
      expect(choice.dispatcher).toBeInstanceOf(EnvHttpProxyAgent);
      void choice.dispatcher.close();
    }
    const direct = chooseDispatcher({ NO_PROXY: 'x', HTTPS_PROXY: '  ' });
    expect(direct.kind).toBe('direct');
    expect(direct.dispatcher).toBeInstanceOf(Agent);
    void direct.dispatcher.close();
  });

  it('the client reports its choice', async () => {
    const proxied = new FlyClient({ token: 't', env: { HTTPS_PROXY: 'http://127.0.0.1:1' } });
    const direct = new FlyClient({ token: 't', env: {} });
    expect(proxied.dispatcherKind).toBe('proxy');
    expect(direct.dispatcherKind).toBe('direct');
    await proxied.close();
    await direct.close();
  });

  it('requests really travel through the proxy named in the env', async () => {
    const target: TestServer = await startServer(() => ({ json: { name: 'my-app' } }));
    cleanups.push(() => target.close());
    const tunnels: string[] = [];
    // Plays both kinds of proxy: CONNECT tunnels and absolute-URI forwarding.
    const proxy = createServer((req, res) => {
      tunnels.push(new URL(req.url ?? '').host);
      const upstream = httpRequest(req.url ?? '', { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    proxy.on('connect', (req, socket, head) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => { proxy.closeAllConnections(); proxy.close(() => r()); }));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const client = new FlyClient({ token: 't', baseUrl: target.url, env: { HTTP_PROXY: proxyUrl } });
    cleanups.push(() => client.close());
    const app = await client.getApp('my-app');
    expect(app.name).toBe('my-app');
    expect(tunnels).toEqual([target.url.replace('http://', '')]);
  });
});

/** ms between tokens once a bucket is empty: a little slower than Fly's rate (see PACING). */
const ACTION_MS = Math.ceil(1000 / PACING);
const GET_MS = 200 / PACING;

describe('rate limiter', () => {
  function limiter() {
    const time = fakeTime(0);
    return { time, limiter: new RateLimiter({ now: time.now, sleep: time.sleep }) };
  }

  it('actions: burst of 3, then one a little slower than every second (measured on the injected clock)', async () => {
    const { time, limiter: rl } = limiter();
    const at: number[] = [];
    for (let i = 0; i < 6; i++) {
      await rl.acquire({ scope: 'm1', action: 'exec', kind: 'action' });
      at.push(time.now());
    }
    expect(at).toEqual([0, 0, 0, ACTION_MS, 2 * ACTION_MS, 3 * ACTION_MS].map((ms) => expect.closeTo(ms, -1)));
    expect(ACTION_MS).toBeGreaterThan(1000);
  });

  it('get: burst of 10, then a little under 5 per second', async () => {
    const { time, limiter: rl } = limiter();
    const at: number[] = [];
    for (let i = 0; i < 12; i++) {
      await rl.acquire({ scope: 'm1', action: 'get', kind: 'get' });
      at.push(time.now());
    }
    expect(at.slice(9)).toEqual([0, GET_MS, 2 * GET_MS].map((ms) => expect.closeTo(ms, -1)));
  });

  it('refills while idle, and buckets are per machine and per action', async () => {
    const { time, limiter: rl } = limiter();
    for (let i = 0; i < 3; i++) await rl.acquire({ scope: 'm1', action: 'exec', kind: 'action' });
    expect(await rl.acquire({ scope: 'm2', action: 'exec', kind: 'action' })).toBe(0);
    expect(await rl.acquire({ scope: 'm1', action: 'stop', kind: 'action' })).toBe(0);
    await time.sleep(2 * ACTION_MS);
    expect(await rl.acquire({ scope: 'm1', action: 'exec', kind: 'action' })).toBe(0);
    expect(await rl.acquire({ scope: 'm1', action: 'exec', kind: 'action' })).toBe(0);
    expect(await rl.acquire({ scope: 'm1', action: 'exec', kind: 'action' })).toBeCloseTo(ACTION_MS, -1);
  });

  it('concurrent callers queue in order', async () => {
    // a clock that stands still while all five ask at the same instant
    const rl = new RateLimiter({ now: () => 0, sleep: async () => {} });
    const waits = await Promise.all(Array.from({ length: 5 }, () => rl.acquire({ scope: 'm', action: 'exec', kind: 'action' })));
    expect(waits).toEqual([0, 0, 0, ACTION_MS, Math.ceil((2 * 1000) / PACING)]);
  });

  it('the client paces exec calls to one machine before Fly would answer 429', async () => {
    const server = await startServer(() => ({ json: { exit_code: 0, stdout: 'ok' } }));
    const time = fakeTime();
    const client = new FlyClient({ token: 't', baseUrl: server.url, env: {}, sleep: time.sleep, now: time.now });
    cleanups.push(() => server.close(), () => client.close());
    for (let i = 0; i < 5; i++) await client.exec('a', 'm1', { command: ['true'], timeoutSeconds: 5 });
    expect(server.requests).toHaveLength(5);
    expect(time.sleeps).toEqual([ACTION_MS, ACTION_MS]);
  });
});
