// Typed errors of the Fly client. Every message names what a person needs to
// report the problem to Fly: method, path, status, Fly's own words and the
// fly-request-id.

const MAX_MESSAGE_CHARS = 500;

export interface FlyApiErrorFields {
  status: number;
  message: string;
  flyStatus?: string;
  requestId?: string;
  method: string;
  path: string;
  /** The raw Retry-After header, when Fly sent one. */
  retryAfter?: string;
}

/** Fly answered with a status outside 2xx. */
export class FlyApiError extends Error {
  override name = 'FlyApiError';
  readonly status: number;
  /** Fly's words only (the `message`/`error` field or the body text). */
  readonly apiMessage: string;
  /** The body's `status` field, e.g. `insufficient_capacity`. */
  readonly flyStatus: string | undefined;
  readonly requestId: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly retryAfter: string | undefined;

  constructor(fields: FlyApiErrorFields) {
    super(describeApiError(fields));
    this.status = fields.status;
    this.apiMessage = fields.message;
    this.flyStatus = fields.flyStatus;
    this.requestId = fields.requestId;
    this.method = fields.method;
    this.path = fields.path;
    this.retryAfter = fields.retryAfter;
  }
}

function describeApiError(f: FlyApiErrorFields): string {
  const parts = [`Fly API ${f.method} ${f.path} failed with HTTP ${f.status}`];
  if (f.flyStatus) parts.push(`(${f.flyStatus})`);
  let text = parts.join(' ');
  if (f.message) text += `: ${f.message}`;
  text += f.requestId ? ` [fly-request-id: ${f.requestId}]` : ' [no fly-request-id]';
  return text;
}

export type NetworkFailureKind = 'timeout' | 'network';

/** No HTTP answer: connection refused or reset, DNS, TLS, or our timeout. */
export class FlyNetworkError extends Error {
  override name = 'FlyNetworkError';
  readonly kind: NetworkFailureKind;
  /** The low-level code (ECONNRESET, UND_ERR_SOCKET, ...) when known. */
  readonly code: string | undefined;
  readonly method: string;
  readonly path: string;
  /** True when the request certainly never reached Fly (connect failed). */
  readonly notSent: boolean;

  constructor(fields: { kind: NetworkFailureKind; code?: string; method: string; path: string; notSent: boolean; cause?: unknown; detail: string }) {
    super(
      `Fly API ${fields.method} ${fields.path} got no answer (${fields.kind}${fields.code ? ` ${fields.code}` : ''}): ${fields.detail}`,
      { cause: fields.cause },
    );
    this.kind = fields.kind;
    this.code = fields.code;
    this.method = fields.method;
    this.path = fields.path;
    this.notSent = fields.notSent;
  }
}

/** Fly's error body: {error, status, details?} (the Go client also reads message). */
export function parseErrorBody(text: string): { message: string; flyStatus?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const body = parsed as Record<string, unknown>;
    const message = firstString(body.message, body.error) ?? '';
    const flyStatus = typeof body.status === 'string' && body.status ? body.status : undefined;
    return { message: bound(message), ...(flyStatus ? { flyStatus } : {}) };
  }
  return { message: bound(text.trim()) };
}

function firstString(...values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return undefined;
}

function bound(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

/** Fly's machine creation ran out of room in that region. */
export function isCapacityError(err: unknown): boolean {
  if (!(err instanceof FlyApiError)) return false;
  if (err.flyStatus === 'insufficient_capacity') return true;
  if (err.status === 412) return true;
  return /capacity/i.test(err.apiMessage);
}

/**
 * The request may or may not have taken effect: no answer, a timeout, or a
 * server failure. For a create, look before creating again.
 */
export function isAmbiguousFailure(err: unknown): boolean {
  if (err instanceof FlyNetworkError) return !err.notSent;
  if (err instanceof FlyApiError) return err.status === 408 || err.status >= 500;
  return false;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof FlyApiError && err.status === 404;
}

/** The caller's AbortSignal fired; never retried, never wrapped. */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
