// Figures of the live runs and their lines of output. Pure: measurements in,
// numbers and text out; one figure per line, `name: value unit (detail)`.

import { cpuShare, type CpuSample, type CpuShare } from './proc-cpu.ts';
import type { LineLatency } from './log-times.ts';
import { spread, type Spread } from './percentiles.ts';
import { median } from './measure.ts';

/** Targets of the issue (reported, never enforced). */
export const TARGETS = {
  latencyP50Ms: 600,
  latencyP95Ms: 1500,
  /** "About one round trip": a quiet-spell line's median within this many round trips. */
  quietRoundTrips: 1.5,
  overheadMs: 1000,
  cpuPercent: 1,
} as const;

export interface LatencyFigures {
  lines: number;
  /** Lines the log showed (the rest never appeared: a bug, reported). */
  shown: number;
  all: Spread;
  /** The first line after each quiet spell. */
  afterQuiet: Spread;
}

export function latencyFigures(lines: readonly LineLatency[], quietBefore: readonly number[]): LatencyFigures {
  const known = lines.filter((l) => l.latencyMs !== undefined);
  const ms = known.map((l) => l.latencyMs as number);
  const quiet = known.filter((l) => (quietBefore[l.index] ?? 0) > 0).map((l) => l.latencyMs as number);
  return { lines: lines.length, shown: known.length, all: spread(ms), afterQuiet: spread(quiet) };
}

export interface ApiFigures {
  calls: number;
  minutes: number;
  perMinute: number;
  byAction: Record<string, number>;
  rateLimited: number;
}

export function apiFigures(requests: readonly { action: string; status: number | string }[], wallMs: number): ApiFigures {
  const byAction: Record<string, number> = {};
  for (const r of requests) byAction[r.action] = (byAction[r.action] ?? 0) + 1;
  const minutes = wallMs / 60_000;
  return {
    calls: requests.length,
    minutes,
    perMinute: minutes > 0 ? requests.length / minutes : Number.NaN,
    byAction,
    rateLimited: requests.filter((r) => r.status === 429).length,
  };
}

export interface CpuFigures {
  /** From the process's start to its last reading. */
  whole: CpuShare | undefined;
  /** While Claude wrote its transcript (first to last line written). */
  whileRunning: CpuShare | undefined;
}

export function cpuFigures(samples: readonly CpuSample[], runningFrom: number, runningTo: number): CpuFigures {
  return { whole: cpuShare(samples), whileRunning: cpuShare(samples, runningFrom, runningTo) };
}

export interface OverheadRun {
  wallMs: number;
  machineRunMs: number;
  overheadMs: number;
  /** Step start to the machine's start, and the machine's end to the step's end (when the step's start is known). */
  beforeMs: number | undefined;
  afterMs: number | undefined;
  /** Inside the machine's run: its start to the handover's arrival (the action's exec), when known. */
  handoverWaitMs: number | undefined;
}

/** The main step's wall time beyond the machine's own run (its start event to its end record). */
export function overheadRun(
  wallMs: number,
  machineStartedAt: number,
  machineEndedAt: number,
  stepStartedAt: number | undefined,
  handoverAt?: number,
): OverheadRun {
  const machineRunMs = machineEndedAt - machineStartedAt;
  return {
    wallMs,
    machineRunMs,
    overheadMs: wallMs - machineRunMs,
    beforeMs: stepStartedAt === undefined ? undefined : machineStartedAt - stepStartedAt,
    afterMs: stepStartedAt === undefined ? undefined : stepStartedAt + wallMs - machineEndedAt,
    handoverWaitMs: handoverAt === undefined ? undefined : handoverAt - machineStartedAt,
  };
}

// --- text ---

const ms = (n: number): string => (Number.isFinite(n) ? `${Math.round(n)} ms` : 'n/a');
const met = (ok: boolean): string => (ok ? 'met' : 'MISSED');

function range(values: readonly number[]): string {
  if (values.length === 0) return 'n/a';
  return `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))} ms`;
}

export function latencyLines(f: LatencyFigures, roundTrips: readonly number[]): string[] {
  const rt = median(roundTrips);
  const ratio = f.afterQuiet.p50 / rt;
  const out = [
    `latency p50: ${ms(f.all.p50)}`,
    `latency p95: ${ms(f.all.p95)}`,
    `latency max: ${ms(f.all.max)}`,
    `lines shown: ${f.shown} of ${f.lines}`,
    `latency after a quiet spell p50: ${ms(f.afterQuiet.p50)} (first line after each of ${f.afterQuiet.n} quiet spells)`,
    `latency after a quiet spell max: ${ms(f.afterQuiet.max)}`,
    `read round trip: ${ms(rt)} (median of ${roundTrips.length} reads with data ready, range ${range(roundTrips)})`,
    `targets (reported, not enforced): p50 <= ${TARGETS.latencyP50Ms} ms ${met(f.all.p50 <= TARGETS.latencyP50Ms)}; ` +
      `p95 <= ${TARGETS.latencyP95Ms} ms ${met(f.all.p95 <= TARGETS.latencyP95Ms)}; ` +
      `after a quiet spell about one round trip (<= ${TARGETS.quietRoundTrips}x): ${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'}x ${met(ratio <= TARGETS.quietRoundTrips)}`,
  ];
  if (f.shown < f.lines) out.push(`WARNING: ${f.lines - f.shown} line(s) never showed in the log`);
  return out;
}

export function apiLines(f: ApiFigures): string[] {
  const actions = Object.entries(f.byAction)
    .sort((a, b) => b[1] - a[1])
    .map(([a, n]) => `${a} ${n}`)
    .join(', ');
  return [`api calls per minute: ${f.perMinute.toFixed(0)} (${f.calls} calls in ${f.minutes.toFixed(2)} min of the main step: ${actions}; ${f.rateLimited} answered 429)`];
}

export function cpuLines(f: CpuFigures): string[] {
  const line = (name: string, s: CpuShare | undefined, what: string): string =>
    s ? `${name}: ${s.percent.toFixed(2)} % (${(s.cpuMs / 1000).toFixed(2)} s CPU in ${(s.wallMs / 1000).toFixed(1)} s ${what})` : `${name}: n/a (the process was not sampled)`;
  return [
    line('cpu share', f.whole, 'from the main step process start to its last reading'),
    line('cpu share while claude ran', f.whileRunning, 'from its first line to its last'),
    `target (reported, not enforced): cpu share < ${TARGETS.cpuPercent} % ${f.whole ? met(f.whole.percent < TARGETS.cpuPercent) : 'n/a'}`,
  ];
}

export function overheadLines(runs: readonly OverheadRun[]): string[] {
  const pick = (key: keyof OverheadRun): number[] => runs.map((r) => r[key]).filter((v): v is number => v !== undefined);
  const overhead = pick('overheadMs');
  const before = pick('beforeMs');
  const after = pick('afterMs');
  return [
    `overhead: ${ms(median(overhead))} (median of ${runs.length} runs, range ${range(overhead)})`,
    `  = main step wall time ${ms(median(pick('wallMs')))} - machine's own run ${ms(median(pick('machineRunMs')))} (medians)`,
    `  machine's own run: from its start event to its supervisor's end record (state \`exited\`: Claude exited, its output complete)`,
    `overhead before the machine started: ${ms(median(before))} (process start, settings, checks, create; median)`,
    `overhead after the machine's end: ${ms(median(after))} (final drain, destroy, report, exit; median)`,
    `machine waiting for the handover: ${ms(median(pick('handoverWaitMs')))} (inside the machine's run, not in the overhead: its start to the action's handover exec; median)`,
    `target (reported, not enforced): overhead < ${TARGETS.overheadMs} ms ${met(median(overhead) < TARGETS.overheadMs)}`,
  ];
}
