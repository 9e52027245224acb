import { describe, expect, it } from 'vitest';
import { estimateMachineCostUsd, FLY_PRICES, machinePricePerSecond, presetName } from '../../src/report/machine-cost.ts';

// Figures printed on https://fly.io/docs/about/pricing/ (taken 2026-11-22),
// per 30 days of continuous running: the estimate must reproduce them.
const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;

function monthly(cpuKind: string, cpus: number, memoryMb: number, region = 'iad'): number {
  return estimateMachineCostUsd({ cpuKind, cpus, memoryMb, region, runningMs: THIRTY_DAYS_MS })!.usd;
}

describe('estimateMachineCostUsd against the published table', () => {
  it.each([
    ['shared', 1, 256, 2.19],
    ['shared', 1, 512, 3.69],
    ['shared', 1, 1024, 6.7],
    ['shared', 2, 2048, 13.39],
    ['performance', 1, 2048, 33.0],
    ['performance', 2, 4096, 66.0],
  ])('%s x%i with %i MB in iad costs $%f per 30 days', (kind, cpus, mb, usd) => {
    expect(monthly(kind, cpus, mb)).toBeCloseTo(usd, 2);
  });

  it('charges additional RAM at $6.00 per GB per 30 days', () => {
    const extra = monthly('performance', 1, 4096) - monthly('performance', 1, 2048);
    expect(extra).toBeCloseTo(12.0, 1);
    expect(monthly('shared', 4, 1024)).toBeCloseTo(4 * 2.19, 1); // 4 x 256 MB included
  });

  it('applies the regional markup (the page: 1 GB shared machine $7.73 in fra, $8.50 in sin)', () => {
    expect(monthly('shared', 1, 1024, 'fra')).toBeCloseTo(7.73, 2);
    expect(monthly('shared', 1, 1024, 'sin')).toBeCloseTo(8.5, 2);
    expect(monthly('shared', 1, 1024, 'ewr')).toBeCloseTo(6.7, 2);
    expect(monthly('shared', 1, 1024, 'ORD')).toBeCloseTo(6.7 * 1.25, 2);
  });

  it('prorates a short run and explains the basis', () => {
    const e = estimateMachineCostUsd({ cpuKind: 'performance', cpus: 2, memoryMb: 4096, region: 'iad', runningMs: 192_000 })!;
    expect(e.usd).toBeCloseTo(2 * 0.000012732 * 192, 10);
    expect(e.regionPriced).toBe(true);
    expect(e.basis).toContain('performance-2x 4096 MB in iad');
    expect(e.basis).toContain('3m 12s');
    expect(e.basis).toContain(FLY_PRICES.takenOn);
  });

  it('prices an unknown region at the base price and says so', () => {
    const e = estimateMachineCostUsd({ cpuKind: 'shared', cpus: 2, memoryMb: 512, region: 'xyz', runningMs: 60_000 })!;
    expect(e.usd).toBeCloseTo(2 * 0.0000008465 * 60, 12);
    expect(e.regionPriced).toBe(false);
    expect(e.basis).toMatch(/xyz .*not in Fly's regional price list.*iad price used/);
    const none = estimateMachineCostUsd({ cpuKind: 'shared', cpus: 1, memoryMb: 256, runningMs: 1000 })!;
    expect(none.basis).toContain('unknown region');
  });

  it('gives nothing for what it cannot price', () => {
    expect(estimateMachineCostUsd({ cpuKind: 'gpu', cpus: 1, memoryMb: 256, region: 'iad', runningMs: 1000 })).toBeUndefined();
    expect(estimateMachineCostUsd({ cpuKind: 'shared', cpus: 0, memoryMb: 256, region: 'iad', runningMs: 1000 })).toBeUndefined();
    expect(estimateMachineCostUsd({ cpuKind: 'shared', cpus: 1, memoryMb: 256, region: 'iad', runningMs: -1 })).toBeUndefined();
    expect(estimateMachineCostUsd({ cpuKind: 'shared', cpus: 1, memoryMb: 256, region: 'iad', runningMs: Number.NaN })).toBeUndefined();
    expect(machinePricePerSecond('shared', 1, Number.NaN)).toBeUndefined();
  });

  it('costs nothing for no time, and never less for more RAM', () => {
    expect(estimateMachineCostUsd({ cpuKind: 'shared', cpus: 1, memoryMb: 256, region: 'iad', runningMs: 0 })!.usd).toBe(0);
    expect(machinePricePerSecond('shared', 1, 128)).toBe(machinePricePerSecond('shared', 1, 256));
  });

  it('names presets as Fly does', () => {
    expect(presetName('shared', 8)).toBe('shared-cpu-8x');
    expect(presetName('performance', 16)).toBe('performance-16x');
  });

  it('keeps a hostile region out of the basis', () => {
    const e = estimateMachineCostUsd({ cpuKind: 'shared', cpus: 1, memoryMb: 256, region: '<img src=x>', runningMs: 1000 })!;
    expect(e.basis).not.toContain('<');
  });
});
