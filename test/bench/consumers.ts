// The consumers the bench compares, each fed the same stream of chunks:
// - bare:     split on LF with Buffer.indexOf, JSON.parse each line, nothing else
//             (the floor: what any correct consumer must at least do);
// - naive:    the common `buf += chunk.toString()` loop with indexOf/slice;
// - pipeline: src/report/pipeline.ts exactly as replay drives it, minus stdout.
// And, to find where the pipeline's time goes, its stages cumulatively:
// - lines:    LineSplitter only;
// - events:   + parseEventLine;
// - state:    + RunState.apply (changes discarded, no log).

import { Buffer } from 'node:buffer';
import { parseEventLine } from '../../src/stream/events.ts';
import { LineSplitter } from '../../src/stream/lines.ts';
import { decideOutcome } from '../../src/stream/outcome.ts';
import { Pipeline } from '../../src/report/pipeline.ts';
import { RunState } from '../../src/stream/run-state.ts';

export const BASELINES = ['bare', 'naive', 'pipeline'] as const;
export const STAGES = ['lines', 'events', 'state'] as const;
export type ConsumerName = (typeof BASELINES)[number] | (typeof STAGES)[number];

export interface ConsumeResult {
  /** Lines handled (non-empty stdout lines); for the pipeline only when `countLines` is set, else -1. */
  lines: number;
  /** Tool calls the run state knows at the end (stages 'state' and 'pipeline'); -1 otherwise. */
  tools: number;
  /** Results the run state holds at the end; -1 where there is no run state. */
  results: number;
  /** Characters (UTF-16 units) of workflow-log text the pipeline wrote; 0 for the others. */
  logChars: number;
  /** What the consumer still holds at the end (its state), so its retained heap can be measured. */
  keep?: unknown;
}

export type Chunks = AsyncIterable<Buffer | Uint8Array | string>;

export interface ConsumeOptions {
  /** Count lines in the pipeline through onTranscriptLine (replay passes no such callback). */
  countLines?: boolean;
}

function asBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk);
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

const LF = 0x0a;

export async function bareParse(input: Chunks): Promise<ConsumeResult> {
  let lines = 0;
  // The unfinished line: pieces kept as they came, joined once when its LF arrives.
  let carry: Buffer[] = [];
  let carryBytes = 0;
  const parse = (buf: Buffer, start: number, end: number): void => {
    if (end <= start) return;
    JSON.parse(buf.toString('utf8', start, end));
    lines++;
  };
  for await (const raw of input) {
    const buf = asBuffer(raw);
    let start = 0;
    let nl = buf.indexOf(LF);
    if (nl !== -1 && carryBytes > 0) {
      carry.push(buf.subarray(0, nl));
      const line = Buffer.concat(carry, carryBytes + nl);
      carry = [];
      carryBytes = 0;
      parse(line, 0, line.length);
      start = nl + 1;
      nl = buf.indexOf(LF, start);
    }
    while (nl !== -1) {
      parse(buf, start, nl);
      start = nl + 1;
      nl = buf.indexOf(LF, start);
    }
    if (start < buf.length) {
      carry.push(start === 0 ? buf : buf.subarray(start));
      carryBytes += buf.length - start;
    }
  }
  if (carryBytes > 0) {
    const line = Buffer.concat(carry, carryBytes);
    parse(line, 0, line.length);
  }
  return { lines, tools: -1, results: -1, logChars: 0 };
}

export async function naiveParse(input: Chunks): Promise<ConsumeResult> {
  let lines = 0;
  let buf = '';
  let i: number;
  for await (const chunk of input) {
    buf += chunk.toString();
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line === '') continue;
      JSON.parse(line);
      lines++;
    }
  }
  if (buf !== '') {
    JSON.parse(buf);
    lines++;
  }
  return { lines, tools: -1, results: -1, logChars: 0 };
}

export async function pipelineConsume(input: Chunks, options: ConsumeOptions = {}): Promise<ConsumeResult> {
  let logChars = 0;
  let lines = options.countLines ? 0 : -1;
  const pipeline = new Pipeline({
    // A sink that discards and only counts: its cost must not be charged to the
    // pipeline (Buffer.byteLength here took ~4% of the pipeline's time on two-byte text).
    write: (text) => {
      logChars += text.length;
    },
    toolOutput: 'truncated',
    ...(options.countLines ? { onTranscriptLine: (line: string) => void (line.trim() !== '' && lines++) } : {}),
  });
  for await (const chunk of input) pipeline.stdout(asBuffer(chunk));
  const outcome = decideOutcome({ snapshot: pipeline.endStreams() });
  const snapshot = pipeline.finish(outcome);
  return { lines, tools: snapshot.tools.length, results: snapshot.results.length, logChars, keep: pipeline };
}

/** The pipeline cut after a stage, to attribute its time (not what the action runs). */
export async function stageConsume(stage: (typeof STAGES)[number], input: Chunks): Promise<ConsumeResult> {
  let lines = 0;
  const state = new RunState();
  const discard = (): void => {};
  const splitter = new LineSplitter((line) => {
    if (line.trim() === '') return;
    lines++;
    if (stage === 'lines') return;
    const event = parseEventLine(line);
    if (stage === 'state') state.apply(event, discard);
  });
  for await (const chunk of input) splitter.push(asBuffer(chunk));
  splitter.end();
  if (stage !== 'state') return { lines, tools: -1, results: -1, logChars: 0 };
  const snapshot = state.snapshot();
  return { lines, tools: snapshot.tools.length, results: snapshot.results.length, logChars: 0 };
}

export function consume(name: ConsumerName, input: Chunks, options: ConsumeOptions = {}): Promise<ConsumeResult> {
  switch (name) {
    case 'bare':
      return bareParse(input);
    case 'naive':
      return naiveParse(input);
    case 'pipeline':
      return pipelineConsume(input, options);
    default:
      return stageConsume(name, input);
  }
}
