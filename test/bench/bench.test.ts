// Keeps the bench honest (behaviour, never speed): on a small generated
// transcript, every consumer parses the same lines the generator wrote, and
// the pipeline ends with the tool calls and result the generator put in.

import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINES, consume, STAGES, type ConsumerName } from './consumers.ts';
import { generateTranscript, type TranscriptStats } from './generate.ts';
import { runChild } from './measure.ts';
import { targets, type Figures, type SizeResult } from './report.ts';

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
