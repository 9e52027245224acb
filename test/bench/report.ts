// Tables and target checks for the bench output. Pure: figures in, text out.

import type { ConsumerName } from './consumers.ts';
import type { TranscriptStats } from './generate.ts';

export const MIB = 1024 * 1024;

/** Median figures of one consumer on one transcript. */
export interface Figures {
  consumer: ConsumerName;
  ms: number;
  minMs: number;
  maxMs: number;
  rssMiB: number;
  minRssMiB: number;
  maxRssMiB: number;
  /** Heap still in use after a full GC at the end, the consumer's state alive (median). */
  retainedMiB?: number | undefined;
  runs: number;
}

export interface SizeResult {
  sizeMiB: number;
  bytes: number;
  stats: TranscriptStats;
  figures: Figures[];
  /** Count mismatches between consumers and the generator; empty when all agree. */
  mismatches: string[];
  logChars: number;
}

export interface Target {
  label: string;
  met: boolean;
  detail: string;
}

/** How far the pipeline may trail the bare parse, in time, and exceed it, in memory. */
export const MAX_TIME_RATIO = 1.5;
export const MAX_EXTRA_RSS_MIB = 64;
export const FLAT_RSS_MIB = 8;

function signed(n: number): string {
  return `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
}

function pad(s: string, width: number, right = false): string {
  return right ? s.padStart(width) : s.padEnd(width);
}

export function table(result: SizeResult): string {
  const mib = result.bytes / MIB;
  const s = result.stats;
  const head =
    `transcript ${result.sizeMiB} MiB: ${mib.toFixed(1)} MiB, ${s.lines} lines, ${s.toolCalls} tool calls, ` +
    `${s.bigResults} big results, longest line ${(s.maxLineBytes / MIB).toFixed(2)} MiB, ${s.subagents} subagents, ${s.retries} retries`;
  const rows = [
    `${pad('consumer', 10)} ${pad('wall s (median)', 16, true)} ${pad('min–max s', 14, true)} ${pad('MiB/s', 8, true)} ${pad('peak RSS MiB', 13, true)} ${pad('min–max MiB', 12, true)} ${pad('heap after GC MiB', 18, true)}`,
  ];
  for (const f of result.figures) {
    rows.push(
      `${pad(f.consumer, 10)} ${pad((f.ms / 1000).toFixed(3), 16, true)} ${pad(`${(f.minMs / 1000).toFixed(2)}–${(f.maxMs / 1000).toFixed(2)}`, 14, true)} ` +
        `${pad((mib / (f.ms / 1000)).toFixed(1), 8, true)} ${pad(f.rssMiB.toFixed(1), 13, true)} ${pad(`${f.minRssMiB.toFixed(0)}–${f.maxRssMiB.toFixed(0)}`, 12, true)} ` +
        `${pad(f.retainedMiB === undefined ? '—' : f.retainedMiB.toFixed(1), 18, true)}`,
    );
  }
  const checks = result.mismatches.length ? result.mismatches.map((m) => `  COUNT MISMATCH: ${m}`) : ['  counts agree (lines: bare = naive = generated; tools and results: pipeline = generated)'];
  return [head, ...rows.map((r) => `  ${r}`), ...checks, `  pipeline wrote ${(result.logChars / 1024).toFixed(0)} Ki characters of workflow log`].join('\n');
}

function find(result: SizeResult, consumer: ConsumerName): Figures | undefined {
  return result.figures.find((f) => f.consumer === consumer);
}

export function targets(results: readonly SizeResult[]): Target[] {
  const out: Target[] = [];
  for (const r of results) {
    const bare = find(r, 'bare');
    const naive = find(r, 'naive');
    const pipe = find(r, 'pipeline');
    if (!pipe) continue;
    if (bare) {
      const ratio = pipe.ms / bare.ms;
      out.push({
        label: `${r.sizeMiB} MiB: pipeline time <= ${MAX_TIME_RATIO}x bare parse`,
        met: ratio <= MAX_TIME_RATIO,
        detail: `${ratio.toFixed(2)}x (${(pipe.ms / 1000).toFixed(2)} s vs ${(bare.ms / 1000).toFixed(2)} s)`,
      });
    }
    if (naive) {
      out.push({
        label: `${r.sizeMiB} MiB: pipeline faster than naive`,
        met: pipe.ms < naive.ms,
        detail: `${(pipe.ms / 1000).toFixed(2)} s vs ${(naive.ms / 1000).toFixed(2)} s (${(naive.ms / pipe.ms).toFixed(2)}x)`,
      });
    }
    if (bare) {
      const extra = pipe.rssMiB - bare.rssMiB;
      out.push({
        label: `${r.sizeMiB} MiB: pipeline peak RSS <= bare + ${MAX_EXTRA_RSS_MIB} MiB`,
        met: extra <= MAX_EXTRA_RSS_MIB,
        detail: `${pipe.rssMiB.toFixed(1)} MiB vs ${bare.rssMiB.toFixed(1)} MiB (${signed(extra)} MiB)`,
      });
    }
  }
  const withPipe = results.filter((r) => find(r, 'pipeline'));
  if (withPipe.length >= 2) {
    const small = withPipe.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    const large = withPipe.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const a = find(small, 'pipeline') as Figures;
    const b = find(large, 'pipeline') as Figures;
    const diff = b.rssMiB - a.rssMiB;
    const bareA = find(small, 'bare');
    const bareB = find(large, 'bare');
    const bareNote = bareA && bareB ? `; bare parse for comparison: ${signed(bareB.rssMiB - bareA.rssMiB)} MiB` : '';
    if (a.retainedMiB !== undefined && b.retainedMiB !== undefined) {
      out.push({
        label: `flat: pipeline heap after GC at ${large.sizeMiB} MiB within ${FLAT_RSS_MIB} MiB of ${small.sizeMiB} MiB (what the pipeline holds)`,
        met: Math.abs(b.retainedMiB - a.retainedMiB) <= FLAT_RSS_MIB,
        detail: `${b.retainedMiB.toFixed(1)} MiB vs ${a.retainedMiB.toFixed(1)} MiB (${signed(b.retainedMiB - a.retainedMiB)} MiB)`,
      });
    }
    out.push({
      label: `flat: pipeline peak RSS at ${large.sizeMiB} MiB within ${FLAT_RSS_MIB} MiB of ${small.sizeMiB} MiB`,
      met: Math.abs(diff) <= FLAT_RSS_MIB,
      detail: `${b.rssMiB.toFixed(1)} MiB vs ${a.rssMiB.toFixed(1)} MiB (${signed(diff)} MiB${bareNote})`,
    });
  }
  return out;
}

export function targetLines(list: readonly Target[]): string {
  return list.map((t) => `  ${t.met ? 'target met   ' : 'target MISSED'}  ${t.label}: ${t.detail}`).join('\n');
}
