// Client-side pacing so that the action slows itself down before Fly answers
// 429. Fly limits each action per machine (or per app) to about 1 request/s
// with bursts of 3 (kind `action`: exec, wait, stop, create, ...), and Get
// Machine to 5/s with bursts of 10 (kind `get`).

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface BucketLimits {
  ratePerSecond: number;
  burst: number;
}

export type RateKind = 'get' | 'action';

export const DEFAULT_LIMITS: Readonly<Record<RateKind, BucketLimits>> = {
  get: { ratePerSecond: 5, burst: 10 },
  action: { ratePerSecond: 1, burst: 3 },
};

/**
 * The share of Fly's rate the action uses. Fly counts a request when it
 * arrives, we when we send it: paced at exactly Fly's rate, a few ms of
 * jitter made one read in twenty arrive early and cost a 429 and a second's
 * wait (the live benchmark saw it). 5 % under the rate absorbs that.
 */
export const PACING = 0.95;

/** Which bucket a request draws from: one per (machine or app, action). */
export interface RateKey {
  /** A machine id, or `app:<name>` for app-wide calls such as create. */
  scope: string;
  /** Fly's action name: get, list, create, exec, wait, stop, destroy, ... */
  action: string;
  kind: RateKind;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets that hand out reservations: a caller that finds the bucket
 * empty takes a token "on credit" (the count goes negative) and sleeps for
 * exactly as long as the refill needs, so concurrent callers queue up in
 * order without a timer loop.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;
  readonly #sleep: Sleep;
  readonly #limits: Readonly<Record<RateKind, BucketLimits>>;

  constructor(options: { now: () => number; sleep: Sleep; limits?: Partial<Record<RateKind, BucketLimits>> }) {
    this.#now = options.now;
    this.#sleep = options.sleep;
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /** Waits until the request may go; returns the milliseconds waited. */
  async acquire(key: RateKey, signal?: AbortSignal): Promise<number> {
    const { burst } = this.#limits[key.kind];
    const ratePerSecond = this.#limits[key.kind].ratePerSecond * PACING;
    const id = `${key.scope}\u0000${key.action}`;
    const now = this.#now();
    const bucket = this.#buckets.get(id) ?? { tokens: burst, updatedAt: now };
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * ratePerSecond) / 1000);
    bucket.updatedAt = now;
    bucket.tokens -= 1;
    this.#buckets.set(id, bucket);
    if (bucket.tokens >= 0) return 0;
    const waitMs = Math.ceil((-bucket.tokens * 1000) / ratePerSecond);
    try {
      await this.#sleep(waitMs, signal);
    } catch (err) {
      bucket.tokens += 1; // give the unused reservation back
      throw err;
    }
    return waitMs;
  }
}
