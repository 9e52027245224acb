// `npm run bench [-- --only pipeline,live,overhead,start ...]`
//
// pipeline  the stream pipeline's throughput and peak memory on big transcripts (pipeline.ts)
// live      the bundled action through the runner harness and the Fly emulator with a
//           Fly-like latency model and rate limits, the machine playing a timed
//           transcript: line latency, API calls per minute, CPU share (live.ts)
// overhead  the same with instant answers: the action's own time beyond the machine's run
// start     the bundle's cold start and size (cold-start.ts)
// Prints one figure per line and whether the targets are met; it reports, it
// does not judge: the exit code is 0 even when a target is missed.

import os from 'node:os';
import { bundleSizes, coldStart, coldStartLines } from './cold-start.ts';
import { describeModel, FLY_LATENCY } from './latency-model.ts';
import { measureLive, measureOverhead } from './live.ts';
import { apiLines, cpuLines, latencyLines, overheadLines } from './live-report.ts';
import { runPipelineBench, type PipelineArgs } from './pipeline.ts';

const PARTS = ['pipeline', 'live', 'overhead', 'start'] as const;
type Part = (typeof PARTS)[number];

const USAGE = `usage: npm run bench -- [--only ${PARTS.join(',')}] [options]
  --only            parts to run, comma-separated (default: all)
 pipeline:
  --sizes           transcript sizes in MiB (default 20,200)
  --runs            runs per consumer; the median is reported (default 3)
  --keep            keep generated transcripts in test/.cache/bench and reuse them
  --stages          also time the pipeline's stages (lines, +events, +run state) to see where time goes
  --seed            generator seed (default 1; also seeds the live transcript and latency model)
 live:
  --live-seconds    length of the timed transcript, s (default 120)
  --round-trips     reads of the round-trip probe (default 5)
 overhead:
  --overhead-runs   short runs; the median is reported (default 5, after one warm-up)
 start:
  --start-runs      runs of node dist/main/index.js (default 10, after one warm-up)`;

interface Args extends PipelineArgs {
  only: Part[];
  liveSeconds: number;
  roundTrips: number;
  overheadRuns: number;
  startRuns: number;
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = {
    only: [...PARTS], sizes: [20, 200], runs: 3, keep: false, stages: false, seed: 1,
    liveSeconds: 120, roundTrips: 5, overheadRuns: 5, startRuns: 10,
  };
  const count = (v: string, name: string, min: number): number | string => {
    const n = Number(v);
    return Number.isInteger(n) && n >= min ? n : `${name} takes an integer >= ${min}`;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => argv[++i] ?? '';
    let n: number | string;
    if (arg === '--only') {
      const parts = value().split(',');
      if (parts.some((p) => !(PARTS as readonly string[]).includes(p))) return `--only takes ${PARTS.join(', ')}, comma-separated`;
      args.only = parts as Part[];
    } else if (arg === '--sizes') {
      args.sizes = value().split(',').map(Number);
      if (args.sizes.length === 0 || args.sizes.some((s) => !(s > 0))) return '--sizes takes positive numbers, comma-separated';
    } else if (arg === '--runs') {
      if (typeof (n = count(value(), arg, 1)) === 'string') return n;
      args.runs = n;
    } else if (arg === '--seed') {
      args.seed = Number(value());
      if (!Number.isInteger(args.seed)) return '--seed takes an integer';
    } else if (arg === '--live-seconds') {
      args.liveSeconds = Number(value());
      if (!(args.liveSeconds > 0)) return '--live-seconds takes a positive number';
    } else if (arg === '--round-trips') {
      if (typeof (n = count(value(), arg, 0)) === 'string') return n;
      args.roundTrips = n;
    } else if (arg === '--overhead-runs') {
      if (typeof (n = count(value(), arg, 1)) === 'string') return n;
      args.overheadRuns = n;
    } else if (arg === '--start-runs') {
      if (typeof (n = count(value(), arg, 1)) === 'string') return n;
      args.startRuns = n;
    } else if (arg === '--keep') args.keep = true;
    else if (arg === '--stages') args.stages = true;
    else if (arg === '-h' || arg === '--help') return '';
    else return `unknown argument ${arg}`;
  }
  return args;
}

const say = (lines: readonly string[]): void => {
  process.stdout.write(`${lines.join('\n')}\n`);
};

async function live(args: Args): Promise<void> {
  say(['', '== live: latency, API calls, CPU ==', `latency model: ${describeModel(FLY_LATENCY, true)}`]);
  const bench = await measureLive({ seconds: args.liveSeconds, seed: args.seed, roundTrips: args.roundTrips });
  const s = bench.transcript.stats;
  const o = bench.transcript.options;
  say([
    `transcript: ${s.lines} lines, ${(s.durationMs / 1000).toFixed(1)} s, ${s.quietSpells} quiet spells of ${o.quietMs[0] / 1000}–${o.quietMs[1] / 1000} s, ` +
      `${s.bursts} bursts of ${o.burstLines[0]}–${o.burstLines[1]} lines ${o.burstGapMs[0]}–${o.burstGapMs[1]} ms apart, trickles ${o.trickleGapMs[0]}–${o.trickleGapMs[1]} ms apart, ${s.toolCalls} tool calls, ${(s.bytes / 1024).toFixed(0)} KiB`,
    'latency: from the line written on the machine (the scripted claude records the time) to the step\'s stdout showing it (the harness stamps chunks on arrival)',
    `main step: ${(bench.run.main.durationMs / 1000).toFixed(1)} s, conclusion ${bench.run.main.outputs.conclusion}`,
    ...latencyLines(bench.latency, bench.roundTrips),
    ...apiLines(bench.api),
    ...cpuLines(bench.cpu),
  ]);
}

async function overhead(args: Args): Promise<void> {
  say(['', '== overhead ==', 'emulator answering at once (no latency model, no rate limits, no boot delays); a short transcript (a few lines)']);
  say(overheadLines(await measureOverhead({ runs: args.overheadRuns, seed: args.seed })));
}

async function start(args: Args): Promise<void> {
  say(['', '== cold start and size ==']);
  say(coldStartLines(await coldStart(args.startRuns), bundleSizes()));
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stdout.write(`${args ? `${args}\n` : ''}${USAGE}\n`);
    return args ? 2 : 0;
  }
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`;
  say([
    `claude-fly-action bench — Node ${process.version} (${process.execPath})`,
    `machine: ${machine}`,
    `load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (a busy machine makes every figure slower)`,
  ]);
  for (const part of args.only) {
    if (part === 'pipeline') await runPipelineBench(args, machine);
    else if (part === 'live') await live(args);
    else if (part === 'overhead') await overhead(args);
    else await start(args);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
