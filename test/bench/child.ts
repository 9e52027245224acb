// One measured run in its own process, so peak RSS belongs to one consumer:
//   node test/bench/child.ts <consumer> <file>
// Reads the file in 64 KiB chunks, feeds the consumer, and prints one JSON
// line: the consumer's counts, the time spent consuming (process start-up and
// module loading excluded) and the process's peak RSS.

import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { BASELINES, consume, STAGES, type ConsumeResult, type ConsumerName } from './consumers.ts';

export interface ChildReport extends ConsumeResult {
  consumer: ConsumerName;
  ms: number;
  /** process.resourceUsage().maxRSS, in KiB. */
  maxRssKiB: number;
  /** Heap in use after a full GC with the consumer's state still alive (needs --expose-gc), KiB. */
  retainedKiB: number | undefined;
}

const NAMES: readonly string[] = [...BASELINES, ...STAGES];

async function main(argv: string[]): Promise<number> {
  const [name, file] = argv;
  if (name === undefined || file === undefined || !NAMES.includes(name)) {
    process.stderr.write(`usage: child.ts <${NAMES.join('|')}> FILE\n`);
    return 2;
  }
  const consumer = name as ConsumerName;
  const start = performance.now();
  const result = await consume(consumer, createReadStream(file, { highWaterMark: 64 * 1024 }));
  const ms = performance.now() - start;
  const maxRssKiB = process.resourceUsage().maxRSS;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const retainedKiB = gc ? Math.round(process.memoryUsage().heapUsed / 1024) : undefined;
  const { keep: _keep, ...counts } = result;
  const report: ChildReport = { consumer, ...counts, ms, maxRssKiB, retainedKiB };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`child: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
