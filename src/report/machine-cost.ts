// Estimated Fly.io price of the machine a run used: Fly bills a started
// Machine per second for its CPU preset plus any RAM beyond what the preset
// includes, with a per-region markup over the cheapest regions. Pure: no I/O.
//
// Prices taken on 2026-11-22 from Fly's pricing page,
// https://fly.io/docs/about/pricing/ ("Started Fly Machines": the per-region
// price table's data — per-vCPU-second rates for iad/ewr, the RAM each vCPU
// includes, the per-GB-second price of additional RAM, and each region's
// markup over iad). They agree with the page's own summary table:
// shared-cpu-1x 256 MB $2.19, shared-cpu-2x 2 GB $13.39, performance-1x 2 GB
// $33.00, performance-2x 4 GB $66.00 per 30 days, additional RAM $6.00/GB/30
// days, all in iad/ewr. A region missing from Fly's list is priced at the
// base (iad) rate and the basis says so. Reservation discounts, rootfs of
// stopped machines, volumes and data transfer are not included.

export type MachineCpuKind = 'shared' | 'performance';

export const FLY_PRICES = {
  source: 'https://fly.io/docs/about/pricing/',
  takenOn: '2026-11-22',
  /** USD per vCPU per second in the base regions (iad, ewr), RAM included below. */
  perCpuSecond: { shared: 0.0000008465, performance: 0.000012732 } as Record<MachineCpuKind, number>,
  /** RAM included with each vCPU of the preset. */
  includedMbPerCpu: { shared: 256, performance: 2048 } as Record<MachineCpuKind, number>,
  /** USD per GB (1024 MB) of additional RAM per second in the base regions. */
  extraRamPerGbSecond: 0.000002316,
  baseRegion: 'iad',
  /** Price relative to iad, as Fly lists it. */
  regionMarkup: {
    ams: 1.038461538,
    arn: 1.038461538,
    cdg: 1.134615385,
    dfw: 1.25,
    ewr: 1,
    fra: 1.153846154,
    gru: 1.615384615,
    iad: 1,
    jnb: 1.302884615,
    lax: 1.199519231,
    lhr: 1.134615385,
    nrt: 1.307692308,
    ord: 1.25,
    sin: 1.269230769,
    sjc: 1.192307692,
    syd: 1.269230769,
    yyz: 1.115384615,
  } as Record<string, number>,
} as const;

export interface MachineCostInput {
  cpuKind: string;
  cpus: number;
  memoryMb: number;
  /** Fly region code; unknown or empty uses the base price. */
  region?: string;
  /** Time the machine was started (billed), ms. */
  runningMs: number;
}

export interface MachineCostEstimate {
  usd: number;
  /** One line a person can check: size, region, time and which price list. */
  basis: string;
  /** The price per second used (region markup applied). */
  perSecondUsd: number;
  /** False when the region is not in Fly's list and the base price was used. */
  regionPriced: boolean;
}

function isCpuKind(kind: string): kind is MachineCpuKind {
  return kind === 'shared' || kind === 'performance';
}

/** shared-cpu-2x / performance-4x: Fly's preset name for a CPU kind and count. */
export function presetName(cpuKind: MachineCpuKind, cpus: number): string {
  return cpuKind === 'shared' ? `shared-cpu-${cpus}x` : `performance-${cpus}x`;
}

/** USD per second for a machine size in a region, or undefined when the size cannot be priced. */
export function machinePricePerSecond(cpuKind: string, cpus: number, memoryMb: number, region?: string): number | undefined {
  if (!isCpuKind(cpuKind) || !Number.isFinite(cpus) || cpus <= 0 || !Number.isFinite(memoryMb) || memoryMb < 0) return undefined;
  const extraMb = Math.max(0, memoryMb - cpus * FLY_PRICES.includedMbPerCpu[cpuKind]);
  const base = cpus * FLY_PRICES.perCpuSecond[cpuKind] + (extraMb / 1024) * FLY_PRICES.extraRamPerGbSecond;
  return base * (regionMarkupOf(region) ?? 1);
}

function regionMarkupOf(region: string | undefined): number | undefined {
  const code = (region ?? '').trim().toLowerCase();
  return Object.hasOwn(FLY_PRICES.regionMarkup, code) ? FLY_PRICES.regionMarkup[code] : undefined;
}

/** A compact duration for the basis line: 45s, 3m 12s, 1h 02m 05s. */
function clock(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m ${String(s).padStart(2, '0')}s`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Estimated cost of a machine that ran `runningMs`, prorated to the
 * millisecond (Fly bills per second). Undefined when the size cannot be
 * priced (unknown CPU kind, no CPUs) or the time is unknown or negative.
 */
export function estimateMachineCostUsd(input: MachineCostInput): MachineCostEstimate | undefined {
  const perSecond = machinePricePerSecond(input.cpuKind, input.cpus, input.memoryMb, input.region);
  if (perSecond === undefined || !Number.isFinite(input.runningMs) || input.runningMs < 0) return undefined;
  const kind = input.cpuKind as MachineCpuKind;
  const usd = perSecond * (input.runningMs / 1000);
  const regionCode = (input.region ?? '').trim().toLowerCase();
  const regionPriced = regionMarkupOf(regionCode) !== undefined;
  const where = regionPriced
    ? `in ${regionCode}`
    : `in ${regionCode ? `${safeToken(regionCode)} (not in Fly's regional price list: ${FLY_PRICES.baseRegion} price used)` : `an unknown region (${FLY_PRICES.baseRegion} price used)`}`;
  const basis =
    `${presetName(kind, input.cpus)} ${Math.round(input.memoryMb)} MB ${where}, ${clock(input.runningMs)} ` +
    `at Fly's per-second price of ${FLY_PRICES.takenOn} ($${perSecond.toFixed(8)}/s)`;
  return { usd, basis, perSecondUsd: perSecond, regionPriced };
}

/** Region codes are short letters; anything else is shown cut and cleaned (the basis lands in markdown). */
function safeToken(s: string): string {
  return s.replace(/[^a-z0-9-]/g, '').slice(0, 16) || '?';
}
