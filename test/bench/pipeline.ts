// The stream pipeline's throughput and peak memory on large generated
// transcripts against two baselines on the same bytes, each run in its own
// child process on this Node. Prints figures and whether the targets are met;
// it reports, it does not judge.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildReport } from './child.ts';
import { BASELINES, STAGES, type ConsumerName } from './consumers.ts';
import { generateTranscript, type TranscriptStats } from './generate.ts';
import { median, runChild } from './measure.ts';
import { MIB, table, targetLines, targets, type SizeResult, type Figures } from './report.ts';

/** Bump when the generator's output changes, so --keep does not reuse stale files. */
const GENERATOR_VERSION = 1;
const CACHE = resolve(import.meta.dirname, '../.cache/bench');

export interface PipelineArgs {
  /** Transcript sizes in MiB. */
  sizes: number[];
  /** Runs per consumer; the median is reported. */
  runs: number;
  /** Keep generated transcripts in test/.cache/bench and reuse them. */
  keep: boolean;
  /** Also time the pipeline's stages. */
  stages: boolean;
  seed: number;
}

async function transcript(sizeMiB: number, args: PipelineArgs): Promise<{ file: string; stats: TranscriptStats }> {
  mkdirSync(CACHE, { recursive: true });
  const base = join(CACHE, `transcript-${sizeMiB}mib-seed${args.seed}-v${GENERATOR_VERSION}`);
  const file = `${base}.jsonl`;
  const statsFile = `${base}.stats.json`;
  if (args.keep && existsSync(file) && existsSync(statsFile)) {
    process.stdout.write(`reusing ${file}\n`);
    return { file, stats: JSON.parse(readFileSync(statsFile, 'utf8')) as TranscriptStats };
  }
  const start = performance.now();
  const stats = await generateTranscript(file, { targetBytes: Math.round(sizeMiB * MIB), seed: args.seed });
  const s = (performance.now() - start) / 1000;
  writeFileSync(statsFile, `${JSON.stringify(stats)}\n`);
  process.stdout.write(`generated ${file} (${(stats.bytes / MIB).toFixed(1)} MiB in ${s.toFixed(1)} s, ${(stats.bytes / MIB / s).toFixed(0)} MiB/s)\n`);
  return { file, stats };
}

function mismatches(reports: ChildReport[], stats: TranscriptStats): string[] {
  const out: string[] = [];
  for (const r of reports) {
    if (r.lines >= 0 && r.lines !== stats.lines) out.push(`${r.consumer} parsed ${r.lines} lines, the generator wrote ${stats.lines}`);
    if (r.tools >= 0 && r.tools !== stats.toolCalls) out.push(`${r.consumer} saw ${r.tools} tool calls, the generator wrote ${stats.toolCalls}`);
    if (r.results >= 0 && r.results !== stats.results) out.push(`${r.consumer} saw ${r.results} results, the generator wrote ${stats.results}`);
  }
  return [...new Set(out)];
}

async function measureSize(sizeMiB: number, args: PipelineArgs, consumers: readonly ConsumerName[]): Promise<SizeResult> {
  const { file, stats } = await transcript(sizeMiB, args);
  const reports = new Map<ConsumerName, ChildReport[]>(consumers.map((c) => [c, []]));
  for (let run = 1; run <= args.runs; run++) {
    // Interleaved, so slow phases of a shared machine spread over all consumers.
    for (const consumer of consumers) {
      process.stdout.write(`  ${sizeMiB} MiB run ${run}/${args.runs}: ${consumer} ... `);
      const report = await runChild(consumer, file);
      process.stdout.write(`${(report.ms / 1000).toFixed(2)} s, ${(report.maxRssKiB / 1024).toFixed(0)} MiB\n`);
      reports.get(consumer)!.push(report);
    }
  }
  const figures: Figures[] = consumers.map((consumer) => {
    const list = reports.get(consumer)!;
    const ms = list.map((r) => r.ms);
    const rss = list.map((r) => r.maxRssKiB / 1024);
    return {
      consumer,
      ms: median(ms),
      minMs: Math.min(...ms),
      maxMs: Math.max(...ms),
      rssMiB: median(rss),
      minRssMiB: Math.min(...rss),
      maxRssMiB: Math.max(...rss),
      retainedMiB: list[0]?.retainedKiB === undefined ? undefined : median(list.map((r) => (r.retainedKiB ?? 0) / 1024)),
      runs: list.length,
    };
  });
  const all = [...reports.values()].flat();
  const logChars = reports.get('pipeline')?.[0]?.logChars ?? 0;
  if (!args.keep) {
    rmSync(file, { force: true });
    rmSync(file.replace(/\.jsonl$/, '.stats.json'), { force: true });
  }
  return { sizeMiB, bytes: stats.bytes, stats, figures, mismatches: mismatches(all, stats), logChars };
}

export async function runPipelineBench(args: PipelineArgs, machine: string): Promise<void> {
  process.stdout.write(`\n== stream pipeline ==\n`);
  process.stdout.write(`runs: ${args.runs} per consumer (median), each in its own process; time = consuming only (start-up excluded); peak RSS = maxRSS of that process\n\n`);
  const consumers: ConsumerName[] = [...BASELINES, ...(args.stages ? STAGES : [])];
  const results: SizeResult[] = [];
  for (const size of args.sizes) results.push(await measureSize(size, args, consumers));

  process.stdout.write(`\n=== results (Node ${process.version}; ${machine}) ===\n`);
  for (const r of results) process.stdout.write(`\n${table(r)}\n`);
  process.stdout.write(`\ntargets (reported, not enforced):\n${targetLines(targets(results))}\n`);
  process.stdout.write('  (peak RSS with multi-MB lines depends on when V8 collects them: compare with the min–max column before reading much into a few MiB)\n');
  if (results.some((r) => r.mismatches.length > 0)) process.stdout.write('\nWARNING: consumers disagree on counts (see above): figures may not compare like with like\n');
}
