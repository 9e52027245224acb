// The bundled action run for real through the runner harness, against the
// Fly emulator (whose machine runs the image's scripts and the scripted
// claude playing a timed transcript), measured from outside:
// - latency of each line, from its write on the machine (the scripted claude
//   records the time) to the step's stdout showing it (stamped on arrival);
// - API calls the main step made, CPU its process used (/proc), its wall time;
// - the machine's own run: from its start event to the supervisor's end
//   record (run/cfa/state turning `exited`, after Claude's output is complete);
// - one read's round trip, probed on a machine of its own after the run.
// The latency model and rate limits are options, so the same run measures
// the live figures (Fly-like delays) and the overhead (instant answers).

import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RecordedRequest } from '../fly/emulator/types.ts';
import type { StepResult } from '../harness/runner.ts';
import { runDir } from '../image/harness.ts';
import { runBundledAction, startWorld, type World } from '../e2e/world.ts';
import { FLY_LATENCY, latencyModel, type LatencyRanges } from './latency-model.ts';
import {
  apiFigures,
  cpuFigures,
  latencyFigures,
  overheadRun,
  type ApiFigures,
  type CpuFigures,
  type LatencyFigures,
  type OverheadRun,
} from './live-report.ts';
import { lineLatencies, LogTimes, parseWriteTimes, type LineLatency } from './log-times.ts';
import { watchCpu, type CpuTrace } from './proc-cpu.ts';
import { RESULT_NEEDLE, timedFileText, timedTranscript, type TimedTranscript, type TimedTranscriptOptions } from './timed-transcript.ts';

const MARK = 'CFA_BENCH_MARK';
const APP = 'cfa-test-app';

export interface WorldSetup {
  /** Fly-like answer delays; false answers at once. */
  latency: LatencyRanges | false;
  rateLimits: boolean;
  seed?: number;
}

export async function startBenchWorld(setup: WorldSetup): Promise<World> {
  return startWorld({
    claude: 'fake',
    emulator: {
      ...(setup.latency ? { latency: latencyModel(setup.latency, setup.seed ?? 1) } : {}),
      ...(setup.rateLimits ? {} : { rateLimits: false as const }),
      // Instant answers also mean no boot delays of the emulator's own.
      ...(setup.latency ? {} : { createToStartMs: 0, bootMs: 0 }),
    },
  });
}

export interface LiveRun {
  main: StepResult;
  lines: LineLatency[];
  /** Every request of the main step, in arrival order. */
  requests: RecordedRequest[];
  cpu: CpuTrace;
  /** Epoch ms of the machine's start event and of its supervisor's end record. */
  machineStartedAt: number;
  machineEndedAt: number;
  /** Epoch ms the handover reached the machine (its file written), if found. */
  handoverAt: number | undefined;
}

/** One run of dist/main (no post step) playing `transcript` on the machine. */
export async function runTimed(world: World, transcript: TimedTranscript, name: string): Promise<LiveRun> {
  const file = join(world.root, `${name}.tsv`);
  const timesFile = join(world.root, `${name}.times`);
  const plan = join(world.root, `${name}.plan`);
  writeFileSync(file, timedFileText(transcript.lines));
  writeFileSync(timesFile, '');
  writeFileSync(plan, `timed ${file} ${timesFile}\n`);

  const logTimes = new LogTimes({ exact: [RESULT_NEEDLE] });
  const marker = randomUUID();
  const cpu = watchCpu(MARK, marker, { isTarget: (cmdline) => /main[/\\]index\.js/.test(cmdline) });
  const before = world.fly.requests.length;
  const minutes = Math.ceil(transcript.stats.durationMs / 60_000) + 3;
  let main: StepResult;
  try {
    ({ main } = await runBundledAction(world, {
      mainOnly: true,
      inputs: { env: `FAKE_CLAUDE_PLAN=${plan}`, 'timeout-minutes': String(minutes), 'idle-timeout-minutes': String(minutes) },
      env: { [MARK]: marker },
      onStdout: (chunk) => logTimes.push(chunk, Date.now()),
      timeoutMs: (minutes + 1) * 60_000,
    }));
  } finally {
    logTimes.end(Date.now());
  }
  const trace = await cpu.stop();
  const requests = world.fly.requests.slice(before);
  if (main.failed || main.outputs.conclusion !== 'success') {
    throw new Error(`the bundled action did not succeed (${main.outputs.conclusion ?? 'no conclusion'}):\n${main.stdout.slice(-3000)}\n${main.stderr.slice(-2000)}`);
  }
  const written = parseWriteTimes(readFileSync(timesFile, 'utf8'), transcript.lines.length);
  const lines = lineLatencies(transcript.lines.map((l) => l.needle), written, logTimes.seen);
  const machineId = main.outputs['machine-id'] as string;
  const machine = world.fly.machine(machineId);
  const start = [...machine.events].reverse().find((e) => e.type === 'start');
  if (!start) throw new Error(`machine ${machineId} has no start event`);
  const stateFile = join(runDir(machine.root), 'state');
  if (readFileSync(stateFile, 'utf8').trim() !== 'exited') throw new Error(`machine ${machineId} did not record its end`);
  const handover = join(runDir(machine.root), 'handover.json');
  return {
    main,
    lines,
    requests,
    cpu: trace,
    machineStartedAt: start.timestamp,
    machineEndedAt: statSync(stateFile).mtimeMs,
    handoverAt: existsSync(handover) ? statSync(handover).mtimeMs : undefined,
  };
}

/**
 * The time of one read when there is something to read: `cfa-read` over exec
 * on a machine of its own (the image waiting for a handover), the answer's
 * bytes read, `reads` times within Fly's exec limit. Client-side, ms.
 */
export async function readRoundTrips(world: World, reads: number): Promise<number[]> {
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`${world.fly.url}${path}`, {
      method,
      headers: { authorization: `FlyV1 ${world.fly.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const created = await call('POST', `/v1/apps/${APP}/machines`, {
    config: { image: 'registry.example/claude-fly-action:test', auto_destroy: true, restart: { policy: 'no' } },
  });
  if (created.status !== 200) throw new Error(`probe machine: create answered ${created.status}`);
  const id = (created.json as { id: string }).id;
  const times: number[] = [];
  try {
    const started = await call('GET', `/v1/apps/${APP}/machines/${id}/wait?state=started&timeout=30`);
    if (started.status !== 200) throw new Error(`probe machine: wait answered ${started.status}`);
    while (times.length < reads) {
      const t0 = performance.now();
      const res = await call('POST', `/v1/apps/${APP}/machines/${id}/exec`, { command: ['cfa-read', '--wait-ms', '0'], timeout: 10 });
      const ms = performance.now() - t0;
      if (res.status === 200 && /"v":1/.test((res.json as { stdout?: string }).stdout ?? '')) times.push(ms);
      else if (res.status !== 429) throw new Error(`probe read answered ${res.status}`);
      // Within the exec limit (1/s), as the action paces itself.
      await new Promise((r) => setTimeout(r, Math.max(0, 1100 - ms)));
    }
  } finally {
    await call('DELETE', `/v1/apps/${APP}/machines/${id}?force=true`).catch(() => undefined);
  }
  return times;
}

export interface LiveBenchOptions {
  /** Length of the transcript, s. */
  seconds: number;
  seed?: number;
  /** Reads of the round-trip probe (0: none). */
  roundTrips: number;
  /** Overrides of the transcript's shape (quiet spells, bursts). */
  transcript?: Omit<TimedTranscriptOptions, 'seconds' | 'seed'>;
  latency?: LatencyRanges;
}

export interface LiveBench {
  transcript: TimedTranscript;
  run: LiveRun;
  roundTrips: number[];
  latency: LatencyFigures;
  api: ApiFigures;
  cpu: CpuFigures;
}

/** The live figures: a timed transcript through the bundle, Fly-like delays and rate limits. */
export async function measureLive(options: LiveBenchOptions): Promise<LiveBench> {
  const seed = options.seed ?? 1;
  const transcript = timedTranscript({ ...options.transcript, seconds: options.seconds, seed });
  const world = await startBenchWorld({ latency: options.latency ?? FLY_LATENCY, rateLimits: true, seed });
  try {
    const run = await runTimed(world, transcript, 'live');
    const roundTrips = options.roundTrips > 0 ? await readRoundTrips(world, options.roundTrips) : [];
    const written = run.lines.map((l) => l.writtenAt).filter(Number.isFinite);
    return {
      transcript,
      run,
      roundTrips,
      latency: latencyFigures(run.lines, transcript.lines.map((l) => l.quietBeforeMs)),
      api: apiFigures(run.requests, run.main.durationMs),
      cpu: cpuFigures(run.cpu.samples, Math.min(...written), Math.max(...written)),
    };
  } finally {
    await world.close();
  }
}

/** A short ordinary run: a few lines, a tool call, the result. */
export function shortTranscript(seed = 1): TimedTranscript {
  return timedTranscript({ seconds: 0.5, seed, quietMs: [100, 200], burstLines: [4, 6], trickleLines: [2, 3], trickleGapMs: [20, 60] });
}

/** The overhead: the same bundle, answers at once and no rate limits, `runs` short runs after a warm-up. */
export async function measureOverhead(options: { runs: number; seed?: number; warmup?: number }): Promise<OverheadRun[]> {
  const world = await startBenchWorld({ latency: false, rateLimits: false });
  try {
    const transcript = shortTranscript(options.seed ?? 1);
    const out: OverheadRun[] = [];
    const warmup = options.warmup ?? 1;
    for (let i = 0; i < warmup + options.runs; i++) {
      const run = await runTimed(world, transcript, `overhead-${i}`);
      if (i >= warmup) out.push(overheadRun(run.main.durationMs, run.machineStartedAt, run.machineEndedAt, run.cpu.startedAt, run.handoverAt));
    }
    return out;
  } finally {
    await world.close();
  }
}
