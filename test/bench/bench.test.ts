// Keeps the bench honest (behaviour, never speed): on a small generated
// transcript, every consumer parses the same lines the generator wrote, and
// the pipeline ends with the tool calls and result the generator put in; the
// live bench's pure parts (percentiles, log times, /proc CPU, the timed
// transcript, the latency model, the figures) do what they say, and its
// measurements run end to end and produce figures (whatever their values).

import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideOutcome } from '../../src/stream/outcome.ts';
import { Pipeline } from '../../src/report/pipeline.ts';
import { FAKE_CLAUDE } from '../e2e/world.ts';
import { bundleSizes, coldStart, coldStartLines } from './cold-start.ts';
import { BASELINES, consume, STAGES, type ConsumerName } from './consumers.ts';
import { generateTranscript, type TranscriptStats } from './generate.ts';
import { describeModel, FLY_LATENCY, latencyModel } from './latency-model.ts';
import { measureLive, measureOverhead } from './live.ts';
import { apiFigures, latencyFigures, latencyLines, overheadLines, overheadRun } from './live-report.ts';
import { lineLatencies, LogTimes, parseWriteTimes } from './log-times.ts';
import { runChild } from './measure.ts';
import { percentile, spread } from './percentiles.ts';
import { cpuShare, parseProcStat, ticksPerSecond, watchCpu } from './proc-cpu.ts';
import { targets, type Figures, type SizeResult } from './report.ts';
import { NEEDLE_PATTERN, RESULT_NEEDLE, timedFileText, timedTranscript } from './timed-transcript.ts';

const KIB = 1024;
let dir: string;
let file: string;
let stats: TranscriptStats;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
  file = join(dir, 'small.jsonl');
  // ~1 MB with big results scaled down, so several lines still span many 64 KiB chunks.
  stats = await generateTranscript(file, {
    targetBytes: 1024 * KIB,
    seed: 7,
    bigBytes: [150 * KIB, 300 * KIB],
    bigFirstAt: 64 * KIB,
    bigEvery: [100 * KIB, 150 * KIB],
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function chunks(): AsyncIterable<Buffer> {
  return createReadStream(file, { highWaterMark: 64 * KIB });
}

describe('generated transcript', () => {
  it('is what the generator says it wrote: valid JSON lines of the expected kinds', () => {
    const text = readFileSync(file, 'utf8');
    expect(text.length).toBeGreaterThan(0);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines.length).toBe(stats.lines);
    expect(Buffer.byteLength(text)).toBe(stats.bytes);
    expect(stats.bytes).toBeGreaterThanOrEqual(1024 * KIB);
    const kinds = new Set(lines.map((l) => {
      const o = JSON.parse(l) as { type: string; subtype?: string };
      return o.subtype ? `${o.type}/${o.subtype}` : o.type;
    }));
    for (const kind of ['system/init', 'assistant', 'user', 'result/success']) expect(kinds).toContain(kind);
    expect(stats.bigResults).toBeGreaterThanOrEqual(2);
    expect(stats.maxLineBytes).toBeGreaterThan(150 * KIB);
  });

  it('is deterministic for a seed', async () => {
    const again = join(dir, 'again.jsonl');
    const options = { targetBytes: 200 * KIB, seed: 3, bigBytes: [20 * KIB, 40 * KIB] as [number, number], bigFirstAt: 10 * KIB };
    await generateTranscript(again, options);
    const first = readFileSync(again);
    await generateTranscript(again, options);
    expect(readFileSync(again).equals(first)).toBe(true);
    await generateTranscript(again, { ...options, seed: 4 });
    expect(readFileSync(again).equals(first)).toBe(false);
  });
});

describe('consumers agree', () => {
  for (const name of ['bare', 'naive', ...STAGES] as ConsumerName[]) {
    it(`${name} parses every generated line`, async () => {
      const result = await consume(name, chunks());
      expect(result.lines).toBe(stats.lines);
    });
  }

  it('the pipeline sees every line, every tool call and the result, and writes a log', async () => {
    const result = await consume('pipeline', chunks(), { countLines: true });
    expect(result.lines).toBe(stats.lines);
    expect(result.tools).toBe(stats.toolCalls);
    expect(result.results).toBe(stats.results);
    expect(result.logChars).toBeGreaterThan(0);
  });

  it('the run-state stage sees the same tool calls as the pipeline', async () => {
    const result = await consume('state', chunks());
    expect(result.tools).toBe(stats.toolCalls);
    expect(result.results).toBe(1);
  });

  it('the consumers count a line cut across chunks once, and a last line without a newline', async () => {
    const lines = ['{"type":"system","subtype":"init","model":"m"}', '{"type":"result","subtype":"success","result":"ü✓"}'];
    const bytes = Buffer.from(lines.join('\n'));
    async function* split(): AsyncIterable<Buffer> {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    for (const name of [...BASELINES, ...STAGES]) {
      const result = await consume(name, split(), { countLines: true });
      expect(result.lines, name).toBe(2);
    }
  });
});

describe('child process', () => {
  it('reports counts, time and peak RSS for each baseline', async () => {
    for (const name of BASELINES) {
      const report = await runChild(name, file);
      expect(report.consumer).toBe(name);
      if (name !== 'pipeline') expect(report.lines).toBe(stats.lines);
      else expect(report.tools).toBe(stats.toolCalls);
      expect(report.ms).toBeGreaterThan(0);
      expect(report.maxRssKiB).toBeGreaterThan(1024);
    }
  });

  it('fails loudly on an unknown consumer', async () => {
    await expect(runChild('nope' as ConsumerName, file)).rejects.toThrow(/child failed/);
  });
});

describe('targets', () => {
  const fig = (consumer: ConsumerName, ms: number, rssMiB: number): Figures => ({ consumer, ms, minMs: ms, maxMs: ms, rssMiB, minRssMiB: rssMiB, maxRssMiB: rssMiB, runs: 1 });
  const size = (sizeMiB: number, figures: Figures[]): SizeResult => ({
    sizeMiB, bytes: sizeMiB * 1024 * KIB, stats, figures, mismatches: [], logChars: 0,
  });

  it('are met or missed by the figures, per line', () => {
    const list = targets([
      size(20, [fig('bare', 100, 100), fig('naive', 300, 200), fig('pipeline', 140, 120)]),
      size(200, [fig('bare', 1000, 110), fig('naive', 900, 300), fig('pipeline', 1600, 190)]),
    ]);
    expect(list.map((t) => t.met)).toEqual([true, true, true, false, false, false, false]);
    expect(list[6]?.label).toMatch(/^flat/);
  });
});

describe('percentiles', () => {
  it('are values that were measured, by nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    const twenty = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(twenty, 95)).toBe(19);
    expect(percentile(twenty, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(spread([3, 1, 2])).toEqual({ n: 3, p50: 2, p95: 3, max: 3, min: 1 });
  });
});

describe('log times', () => {
  it('stamps a needle with the arrival of the first complete log line that holds it', () => {
    const times = new LogTimes({ exact: [RESULT_NEEDLE] });
    times.push('▸ [1] Bash: npm test # bench-L0000', 10);
    times.push('01\n[bench-L000002] narration\n', 20);
    times.push('✓ [1] Bash: npm test # bench-L000001\n', 30);
    times.push('result 1: success · 3 turns\nlast bench-L000003', 40);
    expect(times.seen.get('bench-L000001')).toBe(20);
    expect(times.seen.get('bench-L000002')).toBe(20);
    expect(times.seen.get(RESULT_NEEDLE)).toBe(40);
    expect(times.seen.has('bench-L000003')).toBe(false);
    times.end(50);
    expect(times.seen.get('bench-L000003')).toBe(50);
  });

  it('give each line its latency from its write time, and none when the log never showed it', () => {
    const written = parseWriteTimes('1\t1000000\n2\t1500500\nnoise\n3\t2000000\n9\t1\n', 4);
    expect(written).toEqual([1000, 1500.5, 2000, undefined]);
    const seen = new Map([['a', 1250], ['b', 1600], ['c', 2100]]);
    const lines = lineLatencies(['a', 'b', 'x', 'c'], written, seen);
    expect(lines.map((l) => l.latencyMs)).toEqual([250, 99.5, undefined, undefined]);
  });
});

describe('cpu from /proc', () => {
  // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime ...
  const stat = (comm: string, utime: number, stime: number, start: number): string =>
    `4242 (${comm}) S 1 4242 4242 0 -1 4194560 9000 0 0 0 ${utime} ${stime} 77 88 20 0 11 0 ${start} 1234567 8901 18446744073709551615\n`;

  it('reads user and system ticks and the start, whatever the command name holds', () => {
    expect(parseProcStat(stat('node', 150, 25, 987654))).toEqual({ utimeTicks: 150, stimeTicks: 25, startTicks: 987654 });
    expect(parseProcStat(stat('we ird) (name', 3, 4, 5))).toEqual({ utimeTicks: 3, stimeTicks: 4, startTicks: 5 });
    expect(() => parseProcStat('garbage')).toThrow();
  });

  it('turns samples into a share of the wall time, over a window', () => {
    const samples = [
      { at: 1000, cpuMs: 0 },
      { at: 2000, cpuMs: 300 },
      { at: 11_000, cpuMs: 350 },
      { at: 12_000, cpuMs: 600 },
    ];
    expect(cpuShare(samples)).toEqual({ cpuMs: 600, wallMs: 11_000, percent: (600 / 11_000) * 100 });
    expect(cpuShare(samples, 1500, 11_000)).toEqual({ cpuMs: 50, wallMs: 9000, percent: (50 / 9000) * 100 });
    expect(cpuShare(samples, 1500, 1900)).toBeUndefined();
    expect(cpuShare([])).toBeUndefined();
  });

  it('samples a live process it finds by a marker in its environment', async () => {
    const marker = `bench-test-${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end); setTimeout(() => {}, 200)'], {
      env: { ...process.env, CPU_TEST_MARK: marker },
      stdio: 'ignore',
    });
    const watch = watchCpu('CPU_TEST_MARK', marker, { intervalMs: 20 });
    await new Promise((r) => child.on('exit', r));
    const trace = await watch.stop();
    expect(trace.pid).toBe(child.pid);
    expect(trace.samples.length).toBeGreaterThan(2);
    // It spun for 400 ms: it used CPU, counted up in whole ticks from its start.
    expect(cpuShare(trace.samples)?.cpuMs).toBeGreaterThan(0);
    const tickMs = 1000 / ticksPerSecond();
    for (const [i, s] of trace.samples.entries()) {
      expect(s.cpuMs % tickMs).toBeCloseTo(0, 6);
      if (i > 0) expect(s.cpuMs).toBeGreaterThanOrEqual(trace.samples[i - 1]!.cpuMs);
    }
    expect(trace.startedAt).toBe(trace.samples[0]?.at);
  });
});

describe('timed transcript', () => {
  const t = timedTranscript({ seconds: 30, seed: 5 });

  it('is seeded, lasts about as long as asked, and has quiet spells and bursts', () => {
    expect(timedTranscript({ seconds: 30, seed: 5 })).toEqual(t);
    expect(timedTranscript({ seconds: 30, seed: 6 }).lines).not.toEqual(t.lines);
    expect(t.stats.durationMs).toBeGreaterThanOrEqual(30_000);
    expect(t.lines.reduce((sum, l) => sum + l.delayMs, 0)).toBe(t.stats.durationMs);
    const quiet = t.lines.filter((l) => l.quietBeforeMs > 0);
    expect(quiet.length).toBe(t.stats.quietSpells);
    expect(quiet.length).toBeGreaterThanOrEqual(2);
    for (const l of quiet) expect(l.delayMs).toBeGreaterThanOrEqual(3000);
    // A burst: many lines within a few ms.
    const fast = t.lines.filter((l) => l.delayMs <= 3).length;
    expect(fast).toBeGreaterThan(t.lines.length / 3);
  });

  it('is stream-json with a unique needle per line, in the field the log shows, and tool results after their calls', () => {
    const needles = t.lines.map((l) => l.needle);
    expect(new Set(needles).size).toBe(needles.length);
    const opened = new Set<string>();
    for (const [i, l] of t.lines.entries()) {
      const value = JSON.parse(l.text) as { type: string; message?: { content: { type: string; id?: string; tool_use_id?: string }[] } };
      if (i === t.lines.length - 1) {
        expect(value.type).toBe('result');
        expect(l.needle).toBe(RESULT_NEEDLE);
        continue;
      }
      expect(l.needle).toMatch(NEEDLE_PATTERN);
      expect(l.text).toContain(l.needle);
      const block = value.message?.content[0];
      if (block?.type === 'tool_use') opened.add(block.id as string);
      if (block?.type === 'tool_result') expect(opened.has(block.tool_use_id as string)).toBe(true);
    }
    expect(t.stats.toolCalls).toBe(opened.size);
  });

  it('shows every line in the log the moment the pipeline gets it', () => {
    const times = new LogTimes({ exact: [RESULT_NEEDLE] });
    let at = 0;
    const pipeline = new Pipeline({ write: (text) => times.push(text, at), toolOutput: 'truncated' });
    for (const [i, l] of t.lines.entries()) {
      at = i;
      pipeline.stdout(Buffer.from(`${l.text}\n`));
    }
    pipeline.finish(decideOutcome({ snapshot: pipeline.endStreams() }));
    times.end(t.lines.length);
    expect(t.lines.map((l) => [l.needle, times.seen.get(l.needle) ?? 'never'])).toEqual(t.lines.map((l, i) => [l.needle, i]));
  });

  it('is written as DELAY<TAB>LINE for the scripted claude', () => {
    const text = timedFileText(t.lines.slice(0, 3));
    expect(text.split('\n').slice(0, 3).map((row) => row.split('\t')[0])).toEqual(t.lines.slice(0, 3).map((l) => String(l.delayMs)));
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe("the scripted claude's timed step", () => {
  it('writes each line on its schedule and records when', () => {
    const work = mkdtempSync(join(tmpdir(), 'bench-timed-'));
    try {
      const lines = ['{"a":1}', '{"b":"x\\ty \\\\ z"}', '{"c":3}'];
      writeFileSync(join(work, 'lines.tsv'), `0\t${lines[0]}\n300\t${lines[1]}\n0\t${lines[2]}\n`);
      writeFileSync(join(work, 'plan'), `timed ${join(work, 'lines.tsv')} ${join(work, 'times')}\n`);
      const before = Date.now();
      const out = execFileSync(join(FAKE_CLAUDE, 'claude'), { env: { ...process.env, FAKE_CLAUDE_PLAN: join(work, 'plan') }, encoding: 'utf8' });
      expect(out).toBe(`${lines.join('\n')}\n`);
      const written = parseWriteTimes(readFileSync(join(work, 'times'), 'utf8'), 3) as number[];
      expect(written.every(Number.isFinite)).toBe(true);
      // The 300 ms delay is a lower bound on the schedule, which starts after `before`: a late first
      // write (a loaded machine) may shorten the gap between the two writes, never the schedule.
      expect(written[1]! - before).toBeGreaterThanOrEqual(299);
      expect(written[0]!).toBeGreaterThanOrEqual(before - 1);
      expect(written[2]!).toBeGreaterThanOrEqual(written[1]!);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('latency model and figures', () => {
  it('draws exec delays and other delays from their ranges, the same for a seed', () => {
    const model = latencyModel(FLY_LATENCY, 3);
    const exec = Array.from({ length: 200 }, () => model('machine_exec'));
    const other = Array.from({ length: 200 }, () => model('machine_get'));
    expect(Math.min(...exec)).toBeGreaterThanOrEqual(150);
    expect(Math.max(...exec)).toBeLessThanOrEqual(300);
    expect(Math.min(...other)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...other)).toBeLessThanOrEqual(150);
    const again = latencyModel(FLY_LATENCY, 3);
    expect(Array.from({ length: 200 }, () => again('machine_exec'))).toEqual(exec);
    expect(describeModel()).toMatch(/150–300 ms.*50–150 ms.*1\/s burst 3/);
  });

  it('separates the lines after quiet spells, counts calls per minute, and splits the overhead', () => {
    const lines = [10, 20, 30, undefined].map((latencyMs, index) => ({ index, needle: String(index), writtenAt: 0, shownAt: latencyMs, latencyMs }));
    const f = latencyFigures(lines, [0, 5000, 0, 4000]);
    expect(f.shown).toBe(3);
    expect(f.all.max).toBe(30);
    expect(f.afterQuiet).toMatchObject({ n: 1, p50: 20 });
    const api = apiFigures([{ action: 'machine_exec', status: 200 }, { action: 'machine_exec', status: 429 }, { action: 'machine_create', status: 200 }], 30_000);
    expect(api).toEqual({ calls: 3, minutes: 0.5, perMinute: 6, byAction: { machine_exec: 2, machine_create: 1 }, rateLimited: 1 });
    const o = overheadRun(5000, 10_300, 14_800, 10_000, 10_350);
    expect(o).toEqual({ wallMs: 5000, machineRunMs: 4500, overheadMs: 500, beforeMs: 300, afterMs: 200, handoverWaitMs: 50 });
    expect(overheadLines([o])[0]).toBe('overhead: 500 ms (median of 1 runs, range 500–500 ms)');
    expect(latencyLines(f, [25])).toContain('latency p95: 30 ms');
  });
});

describe('live measurement, end to end on a tiny transcript', () => {
  it('runs the bundle against the emulator and produces every figure', async () => {
    const bench = await measureLive({
      seconds: 2,
      seed: 3,
      roundTrips: 1,
      transcript: { quietMs: [1500, 2000], burstLines: [3, 5], trickleLines: [2, 3], trickleGapMs: [100, 200] },
    });
    expect(bench.run.main.outputs.conclusion).toBe('success');
    expect(bench.latency.shown).toBe(bench.transcript.lines.length);
    expect(bench.latency.afterQuiet.n).toBe(bench.transcript.stats.quietSpells);
    // Causality, not speed: nothing shows before it was written.
    expect(bench.run.lines.every((l) => (l.latencyMs as number) >= 0)).toBe(true);
    expect(bench.api.byAction.machine_exec).toBeGreaterThan(1);
    expect(bench.api.perMinute).toBeGreaterThan(0);
    expect(bench.cpu.whole?.cpuMs).toBeGreaterThan(0);
    expect(bench.roundTrips).toHaveLength(1);
    expect(latencyLines(bench.latency, bench.roundTrips).join('\n')).toMatch(/^latency p50: \d+ ms$/m);
  }, 120_000);

  it('measures the overhead as the step beyond the machine\'s own run', async () => {
    const [run] = await measureOverhead({ runs: 1, warmup: 0 });
    expect(run).toBeDefined();
    expect(run!.machineRunMs).toBeGreaterThan(0);
    expect(run!.wallMs).toBeGreaterThan(run!.machineRunMs);
    expect(run!.beforeMs! + run!.afterMs!).toBeCloseTo(run!.overheadMs, 6);
    expect(run!.handoverWaitMs).toBeGreaterThanOrEqual(0);
  }, 120_000);
});

describe('cold start and size', () => {
  it('times the bundle to its settings error and measures its size', async () => {
    const start = await coldStart(1, { warmup: 0 });
    expect(start.exitCode).toBe(1);
    expect(start.stdout).toContain('::error::');
    expect(start.ms).toHaveLength(1);
    const sizes = bundleSizes();
    expect(sizes.map((s) => s.name)).toEqual(['main', 'post']);
    for (const s of sizes) expect(s.gzipBytes).toBeLessThan(s.bytes);
    expect(coldStartLines(start, sizes)[0]).toMatch(/^cold start: \d+ ms/);
  });
});
