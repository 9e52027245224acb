// The latency model the live bench runs the emulator with: how long Fly takes
// to answer, beyond the emulator's own work. Uniformly random in fixed ranges,
// from a seed, so two runs of the bench see the same sequence of delays.

import type { ApiAction } from '../fly/emulator/types.ts';
import { FLY_DEFAULT_RATE, FLY_GET_RATE } from '../fly/emulator/rate-limit.ts';
import { Random } from './random.ts';

export interface LatencyRanges {
  /** An exec's answer, after its command ended, ms. */
  execMs: [number, number];
  /** Every other call, ms. */
  otherMs: [number, number];
}

export const FLY_LATENCY: LatencyRanges = { execMs: [150, 300], otherMs: [50, 150] };

export function latencyModel(ranges: LatencyRanges = FLY_LATENCY, seed = 1): (action: ApiAction) => number {
  const rand = new Random(seed);
  return (action) => {
    const [lo, hi] = action === 'machine_exec' ? ranges.execMs : ranges.otherMs;
    return lo + rand.next() * (hi - lo);
  };
}

/** The model and the rate limits in words, for the bench's output. */
export function describeModel(ranges: LatencyRanges = FLY_LATENCY, rateLimits = true): string {
  const limits = rateLimits
    ? `Fly's rate limits on: ${FLY_DEFAULT_RATE.perSecond}/s burst ${FLY_DEFAULT_RATE.burst} per action per machine (exec included), get machine ${FLY_GET_RATE.perSecond}/s burst ${FLY_GET_RATE.burst}`
    : 'rate limits off';
  return (
    `exec answers ${ranges.execMs[0]}–${ranges.execMs[1]} ms after its command ended, every other call ${ranges.otherMs[0]}–${ranges.otherMs[1]} ms ` +
    `after it was processed (uniformly random, seeded); ${limits}`
  );
}
