// Runs one consumer over one file in a child process on this same Node and
// returns what the child reported.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ChildReport } from './child.ts';
import type { ConsumerName } from './consumers.ts';

const CHILD = join(import.meta.dirname, 'child.ts');

export function runChild(consumer: ConsumerName, file: string, node = process.execPath): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['--expose-gc', CHILD, consumer, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`${consumer} child failed (${signal ?? `exit ${code}`}): ${err.trim() || out.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as ChildReport);
      } catch {
        reject(new Error(`${consumer} child printed no report: ${out.trim()} ${err.trim()}`));
      }
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
