// The one place where the action talks HTTP to Fly: base URL, auth, JSON,
// timeouts, pacing, retries and error mapping. Endpoint methods (client.ts)
// only say which method, path, query and body.

import { setTimeout as sleepTimer } from 'node:timers/promises';
import { request as undiciRequest } from 'undici';
import type { Dispatcher } from 'undici';
import { authorizationHeader } from './auth.ts';
import { DEFAULT_RETRY, backoffDelay, parseRetryAfter } from './backoff.ts';
import type { RetryPolicy } from './backoff.ts';
import { chooseDispatcher } from './dispatcher.ts';
import type { DispatcherChoice } from './dispatcher.ts';
import { FlyApiError, FlyNetworkError, parseErrorBody } from './errors.ts';
import { RateLimiter } from './rate-limit.ts';
import type { RateKey, Sleep, BucketLimits, RateKind } from './rate-limit.ts';

export const DEFAULT_BASE_URL = 'https://api.machines.dev';
export const DEFAULT_TIMEOUT_MS = 30_000;
export const USER_AGENT = 'claude-fly-action/0.1 (+undici)';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Query pairs in order (repeats allowed) or a record (undefined is skipped). */
export type QueryParams = ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string | number | boolean | undefined>>;

export interface FlyCall {
  method: HttpMethod;
  /** Path below /v1, e.g. `/apps/my-app/machines`. Encode segments yourself. */
  path: string;
  query?: QueryParams;
  /** Sent as JSON when defined. */
  body?: unknown;
  /**
   * May the request run twice? Default: true for GET, PUT, DELETE; false for
   * POST. Only idempotent requests are retried after an ambiguous failure
   * (no answer, 408, 5xx). A 429, or a connection that never opened, is
   * retried either way: Fly did not act on it.
   */
  idempotent?: boolean;
  /**
   * Statuses that are answers, not errors: returned to the caller, never
   * retried (wait: 408 = "not yet"; destroy: 404 = "already gone").
   */
  expect?: readonly number[];
  timeoutMs?: number;
  /** Bucket to draw from before each try; none = not paced. */
  rate?: RateKey;
  signal?: AbortSignal;
}

export interface FlyResponse {
  method: HttpMethod;
  /** `/v1/...` with the query, as shown in errors. */
  path: string;
  status: number;
  /** The body as text ('' when empty). */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  requestId: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** How many tries it took. */
  attempts: number;
}

export interface RetryNotice {
  method: HttpMethod;
  path: string;
  /** The try that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: FlyApiError | FlyNetworkError;
}

export interface FlyRequestOptions {
  token: string;
  /** Default https://api.machines.dev; `/v1` is appended. */
  baseUrl?: string;
  userAgent?: string;
  /** Per-try timeout unless the call sets one. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Default: chosen from `env` (proxy variables) by chooseDispatcher. */
  dispatcher?: Dispatcher;
  /** Where proxy settings are read; default process.env. */
  env?: Record<string, string | undefined>;
  /** Injected for tests: sleep (must honour the signal), clock and randomness. */
  sleep?: Sleep;
  now?: () => number;
  random?: () => number;
  /** Override Fly's published per-machine limits (tests, or to disable: very high rates). */
  rateLimits?: Partial<Record<RateKind, BucketLimits>>;
  /** Told before each retry (e.g. to log a warning). */
  onRetry?: (notice: RetryNotice) => void;
}

export type FlyRequest = (call: FlyCall) => Promise<FlyResponse>;

export interface FlyRequester {
  request: FlyRequest;
  /** The same sleep/clock/random the requester uses, for callers that poll. */
  sleep: Sleep;
  now: () => number;
  random: () => number;
  retry: Readonly<RetryPolicy>;
  dispatcherKind: DispatcherChoice['kind'] | 'given';
  /** Closes the dispatcher this requester created (not a given one). */
  close: () => Promise<void>;
}

export const realSleep: Sleep = (ms, signal) => sleepTimer(ms, undefined, signal ? { signal } : {});

// Codes meaning the TCP/TLS connection never opened: Fly cannot have acted.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_PRX_CONN',
]);
// Codes of a connection that broke after the request may have left.
const BROKEN_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

export function buildUrl(baseUrl: string, path: string, query?: QueryParams): string {
  const base = baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  const params = new URLSearchParams();
  if (query) {
    const pairs: ReadonlyArray<readonly [string, unknown]> = Array.isArray(query) ? (query as ReadonlyArray<readonly [string, string]>) : Object.entries(query);
    for (const [k, v] of pairs) if (v !== undefined) params.append(k, String(v));
  }
  const qs = params.toString();
  return `${base}/v1${path}${qs ? `?${qs}` : ''}`;
}

export function createFlyRequester(options: FlyRequestOptions): FlyRequester {
  const auth = authorizationHeader(options.token); // fail early, before any machine exists
  const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const limiter = new RateLimiter({ now, sleep, ...(options.rateLimits ? { limits: options.rateLimits } : {}) });
  const choice: DispatcherChoice | undefined = options.dispatcher ? undefined : chooseDispatcher(options.env ?? process.env);
  const dispatcher = options.dispatcher ?? choice!.dispatcher;
  const connection: Connection = { auth, userAgent: options.userAgent ?? USER_AGENT, dispatcher, defaultTimeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };

  /** Tries until an answer, a failure not worth retrying, or the last attempt; paced, with backoff or Retry-After between. */
  async function request(call: FlyCall): Promise<FlyResponse> {
    const url = buildUrl(baseUrl, call.path, call.query);
    const shownPath = url.slice(url.indexOf('/v1/'));
    for (let attempt = 1; ; attempt++) {
      if (call.rate) await limiter.acquire(call.rate, call.signal);
      const outcome = await sendOnce(connection, call, url, shownPath);
      if (!(outcome instanceof Error)) return { ...outcome, attempts: attempt };
      if (attempt >= policy.maxAttempts || !mayRetry(call, outcome)) throw outcome;
      const delayMs = retryDelay(attempt, outcome, policy, random, now);
      options.onRetry?.({ method: call.method, path: shownPath, attempt, delayMs, error: outcome });
      await sleep(delayMs, call.signal);
    }
  }

  return {
    request,
    sleep,
    now,
    random,
    retry: policy,
    dispatcherKind: choice ? choice.kind : 'given',
    close: async () => {
      if (choice) await choice.dispatcher.close();
    },
  };
}

/** What every try of every call shares: who we are and how we reach Fly. */
interface Connection {
  auth: string;
  userAgent: string;
  dispatcher: Dispatcher;
  defaultTimeoutMs: number;
}

/**
 * One try: Fly's answer (2xx or an expected status), the error it answered
 * with, or the network failure. Throws only when the caller aborted, or on
 * an error that is not a network one (a bug).
 */
async function sendOnce(connection: Connection, call: FlyCall, url: string, shownPath: string): Promise<FlyResponse | FlyApiError | FlyNetworkError> {
  const headers: Record<string, string> = {
    authorization: connection.auth,
    accept: 'application/json',
    'user-agent': connection.userAgent,
  };
  let body: string | undefined;
  if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers['content-type'] = 'application/json';
  }
  const timeout = new AbortController();
  const timeoutMs = call.timeoutMs ?? connection.defaultTimeoutMs;
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout.signal]) : timeout.signal;
  try {
    const res = await undiciRequest(url, { method: call.method, headers, body, signal, dispatcher: connection.dispatcher });
    const text = await res.body.text();
    return answerOf(call, shownPath, res.statusCode, text, res.headers);
  } catch (err) {
    if (call.signal?.aborted) throw call.signal.reason ?? err;
    if (timeout.signal.aborted) {
      return new FlyNetworkError({ kind: 'timeout', method: call.method, path: shownPath, notSent: false, cause: err, detail: `no answer within ${timeoutMs} ms` });
    }
    const code = errorCode(err);
    if (code && (NOT_SENT_CODES.has(code) || BROKEN_CODES.has(code))) {
      return new FlyNetworkError({ kind: 'network', code, method: call.method, path: shownPath, notSent: NOT_SENT_CODES.has(code), cause: err, detail: (err as Error).message });
    }
    throw err; // a programming error, not a network one
  } finally {
    clearTimeout(timer);
  }
}

/** Fly's answer as a response (2xx or expected), or as the error it means. */
function answerOf(
  call: FlyCall,
  shownPath: string,
  status: number,
  text: string,
  headers: Record<string, string | string[] | undefined>,
): FlyResponse | FlyApiError {
  const requestId = headerValue(headers['fly-request-id']);
  if ((status >= 200 && status < 300) || call.expect?.includes(status)) {
    return { method: call.method, path: shownPath, status, text, json: parseJson(text), requestId, headers, attempts: 0 };
  }
  const { message, flyStatus } = parseErrorBody(text);
  const retryAfter = headerValue(headers['retry-after']);
  return new FlyApiError({
    status,
    message,
    method: call.method,
    path: shownPath,
    ...(flyStatus ? { flyStatus } : {}),
    ...(requestId ? { requestId } : {}),
    ...(retryAfter ? { retryAfter } : {}),
  });
}

/** A failure is retried when Fly cannot have acted on it, or when acting twice does no harm. */
function mayRetry(call: FlyCall, error: FlyApiError | FlyNetworkError): boolean {
  const idempotent = call.idempotent ?? call.method !== 'POST';
  if (error instanceof FlyNetworkError) return error.notSent || idempotent;
  if (error.status === 429) return true;
  if (error.status === 408 || error.status >= 500) return idempotent;
  return false;
}

/** Backoff after the attempt, unless Fly said when to come back (capped by the policy). */
function retryDelay(attempt: number, error: FlyApiError | FlyNetworkError, policy: RetryPolicy, random: () => number, now: () => number): number {
  const delayMs = backoffDelay(attempt, random, policy);
  if (error instanceof FlyApiError) {
    const retryAfter = parseRetryAfter(error.retryAfter, now());
    if (retryAfter !== undefined) return Math.min(retryAfter, policy.maxRetryAfterMs);
  }
  return delayMs;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value[0];
  return value === undefined || value === '' ? undefined : value;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NOT_SENT_CODES.has(code) || BROKEN_CODES.has(code))) return code;
  }
  return undefined;
}
