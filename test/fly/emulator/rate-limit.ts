// Token buckets per (action, machine-or-app), like Fly's documented limits:
// 1 req/s burst 3 per action per machine; Get Machine 5 req/s burst 10.
// Pure apart from the clock, which is injectable.
import type { ApiAction, RateLimitOptions, TokenBucketRate } from './types.ts';

export const FLY_DEFAULT_RATE: TokenBucketRate = { perSecond: 1, burst: 3 };
export const FLY_GET_RATE: TokenBucketRate = { perSecond: 5, burst: 10 };

interface Bucket {
  tokens: number;
  last: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly options: RateLimitOptions;
  private readonly clock: () => number;

  constructor(options: RateLimitOptions) {
    this.options = options;
    this.clock = options.clock ?? Date.now;
  }

  rateFor(action: ApiAction): TokenBucketRate | false {
    const override = this.options.perAction?.[action];
    if (override !== undefined) return override;
    if (action === 'machine_get') return FLY_GET_RATE;
    return this.options.default ?? FLY_DEFAULT_RATE;
  }

  /** Take one token; false means "answer 429". `scope` is the machine id or app name. */
  take(action: ApiAction, scope: string): boolean {
    const rate = this.rateFor(action);
    if (rate === false) return true;
    const key = `${action}\u0000${scope}`;
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: rate.burst, last: now };
    bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.last) / 1000) * rate.perSecond);
    bucket.last = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
