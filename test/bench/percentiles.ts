// Percentiles of measured figures, by the nearest-rank method: the value
// reported is always one that was measured (p95 of 20 values is the 19th
// smallest), never an interpolation. Pure.

export interface Spread {
  n: number;
  p50: number;
  p95: number;
  max: number;
  min: number;
}

/** The smallest value with at least p % of the values at or below it; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1] as number;
}

export function spread(values: readonly number[]): Spread {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: values.length ? Math.max(...values) : Number.NaN,
    min: values.length ? Math.min(...values) : Number.NaN,
  };
}
