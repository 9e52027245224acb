// The bundle as shipped: its size, and how long `node dist/main/index.js`
// takes to start and exit on a trivial path (no inputs: a settings error,
// printed before any network), timed as a whole process from outside, after
// a warm-up run, on this Node.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { median } from './measure.ts';

export const DIST = join(import.meta.dirname, '..', '..', 'dist');

export interface BundleSize {
  name: string;
  bytes: number;
  gzipBytes: number;
}

export function bundleSizes(dist = DIST): BundleSize[] {
  return ['main', 'post'].map((name) => {
    const bytes = readFileSync(join(dist, name, 'index.js'));
    return { name, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
}

export interface ColdStart {
  ms: number[];
  exitCode: number | null;
  /** What it printed on the last run (the settings error). */
  stdout: string;
}

/** One run: spawn to exit, ms. Only PATH in the environment: no inputs, no runner variables. */
function once(entry: string, node: string): Promise<{ ms: number; code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(node, [entry], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.resume();
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ms: performance.now() - t0, code, stdout }));
  });
}

export async function coldStart(runs: number, options: { entry?: string; node?: string; warmup?: number } = {}): Promise<ColdStart> {
  const entry = options.entry ?? join(DIST, 'main', 'index.js');
  const node = options.node ?? process.execPath;
  for (let i = 0; i < (options.warmup ?? 1); i++) await once(entry, node);
  const ms: number[] = [];
  let last = { ms: 0, code: null as number | null, stdout: '' };
  for (let i = 0; i < runs; i++) {
    last = await once(entry, node);
    ms.push(last.ms);
  }
  return { ms, exitCode: last.code, stdout: last.stdout };
}

const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;

export function coldStartLines(start: ColdStart, sizes: readonly BundleSize[]): string[] {
  const trivial = start.exitCode === 1 && start.stdout.includes('::error::');
  return [
    `cold start: ${Math.round(median(start.ms))} ms (median of ${start.ms.length} runs after a warm-up, range ${Math.round(Math.min(...start.ms))}–${Math.round(Math.max(...start.ms))} ms; node dist/main/index.js with no inputs, spawn to exit)`,
    ...(trivial ? [] : [`WARNING: the trivial path did not end in a settings error (exit ${start.exitCode}): the figure may include more than start-up`]),
    ...sizes.map((s) => `bundle size ${s.name}: ${s.bytes} bytes (${kib(s.bytes)}; gzip -9 ${s.gzipBytes} bytes, ${kib(s.gzipBytes)})`),
  ];
}
