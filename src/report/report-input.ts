// The one input of the end-of-run renderers (job summary, PR comment, step
// outputs), and the figures they share. Pure: no I/O.

import type { Redactor } from '../redact.ts';
import type { Outcome } from '../stream/outcome.ts';
import type { RunSnapshot } from '../stream/types.ts';
import { estimateMachineCostUsd } from './machine-cost.ts';

export interface MachineInfo {
  id: string;
  region: string;
  /** fly-vm-size as given, e.g. performance-2x. */
  sizeName: string;
  cpuKind: string;
  cpus: number;
  memoryMb: number;
  /** How long the machine was started (billed), ms. */
  runningMs?: number;
  /** A cost the caller already knows; else estimated from runningMs and Fly's prices. */
  costUsd?: number;
  /** Explanation of costUsd when the caller gives one. */
  costBasis?: string;
}

export interface ClonedCommit {
  repo: string;
  sha: string;
  /** "head of PR #7", "main", ... */
  what: string;
  /** The commit's page, when the repository is on the run's own server. */
  url?: string;
}

export interface RunReport {
  snapshot: RunSnapshot;
  outcome: Outcome;
  /** Masks the run's secrets in every untrusted string. */
  redactor: Redactor;
  /** Epoch ms when the action started the run. */
  startedAt?: number;
  endedAt?: number;
  /** Wall time of the run as the action saw it; else endedAt - startedAt. */
  durationMs?: number;
  machine?: MachineInfo;
  /** The workflow run's log page. */
  runUrl?: string;
  /** The job summary page. */
  summaryUrl?: string;
  /** File name of the transcript saved on the runner (or uploaded). */
  transcriptFile?: string;
  commentUrl?: string;
  /** What the machine cloned: each repository at the commit the runner pinned, and what that commit is. */
  clones?: ClonedCommit[];
  /** Used when the snapshot has no init with a version. */
  claudeCodeVersion?: string;
}

export interface CostFigures {
  /** Claude Code's own estimate (cumulative: the last result's). */
  claudeUsd: number | undefined;
  machineUsd: number | undefined;
  machineBasis: string | undefined;
  /** Sum when both are known, else whichever is. */
  totalUsd: number | undefined;
}

function finite(n: number | undefined | null): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

export function costFigures(report: RunReport): CostFigures {
  const s = report.snapshot;
  const claudeUsd = finite(s.costUsd) ? s.costUsd : finite(s.lastResult?.totalCostUsd) ? s.lastResult.totalCostUsd : undefined;
  let machineUsd: number | undefined;
  let machineBasis: string | undefined;
  const m = report.machine;
  if (m && finite(m.costUsd)) {
    machineUsd = m.costUsd;
    machineBasis = m.costBasis;
  } else if (m && finite(m.runningMs)) {
    const estimate = estimateMachineCostUsd({ cpuKind: m.cpuKind, cpus: m.cpus, memoryMb: m.memoryMb, region: m.region, runningMs: m.runningMs });
    machineUsd = estimate?.usd;
    machineBasis = estimate?.basis;
  }
  const totalUsd = claudeUsd !== undefined && machineUsd !== undefined ? claudeUsd + machineUsd : (claudeUsd ?? machineUsd);
  return { claudeUsd, machineUsd, machineBasis, totalUsd };
}

/** Wall time as the action saw it, else Claude Code's own duration. */
export function runDurationMs(report: RunReport): number | undefined {
  if (finite(report.durationMs)) return report.durationMs;
  if (finite(report.startedAt) && finite(report.endedAt) && report.endedAt >= report.startedAt) return report.endedAt - report.startedAt;
  return finite(report.snapshot.durationMs) ? report.snapshot.durationMs : undefined;
}

export function claudeCodeVersion(report: RunReport): string | undefined {
  return report.snapshot.claudeCodeVersion || report.claudeCodeVersion || undefined;
}

export interface RetrySummary {
  count: number;
  /** error kind -> count and HTTP statuses seen, in first-seen order. */
  kinds: { error: string; count: number; statuses: number[] }[];
}

export function retrySummary(snapshot: RunSnapshot): RetrySummary {
  const byKind = new Map<string, { error: string; count: number; statuses: number[] }>();
  for (const r of snapshot.retries) {
    const key = r.error || 'unknown';
    let entry = byKind.get(key);
    if (!entry) {
      entry = { error: key, count: 0, statuses: [] };
      byKind.set(key, entry);
    }
    entry.count++;
    if (r.errorStatus !== null && !entry.statuses.includes(r.errorStatus)) entry.statuses.push(r.errorStatus);
  }
  return { count: snapshot.retries.length, kinds: [...byKind.values()] };
}

/** True when a background agent ended after the main answer (the CLI then emits a second result). */
export function hasLateResult(snapshot: RunSnapshot): boolean {
  return snapshot.results.length > 1;
}

export const CONCLUSION_EMOJI: Record<Outcome['conclusion'], string> = {
  success: '✅',
  failure: '❌',
  cancelled: '🚫',
  'timed-out': '⏱️',
  'no-result': '⚠️',
};
