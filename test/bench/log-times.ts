// When each transcript line showed in the workflow log: the step's stdout
// arrives in chunks, each stamped with the time it arrived; a log line counts
// as shown once its newline has arrived, and a needle's time is that of the
// first log line holding it (later lines may repeat it: a tool's end group
// repeats its start line's command). Pure: the caller gives the times.

import { NEEDLE_PATTERN } from './timed-transcript.ts';

export class LogTimes {
  /** needle -> first time (ms) a complete log line held it. */
  readonly seen = new Map<string, number>();
  private partial = '';
  private readonly exact: readonly string[];
  private readonly pattern: RegExp;

  /**
   * `pattern` finds the needles most lines carry (global regex); `exact` lists
   * needles matched as plain text (the result line's).
   */
  constructor(options: { pattern?: RegExp; exact?: readonly string[] } = {}) {
    this.pattern = new RegExp((options.pattern ?? NEEDLE_PATTERN).source, 'g');
    this.exact = options.exact ?? [];
  }

  /** A chunk of stdout that arrived at `at`. */
  push(chunk: string, at: number): void {
    const text = this.partial + chunk;
    const end = text.lastIndexOf('\n');
    if (end === -1) {
      this.partial = text;
      return;
    }
    this.partial = text.slice(end + 1);
    for (const line of text.slice(0, end).split('\n')) this.line(line, at);
  }

  /** The stream ended: a last line without a newline counts now. */
  end(at: number): void {
    if (this.partial) this.line(this.partial, at);
    this.partial = '';
  }

  private line(line: string, at: number): void {
    for (const m of line.matchAll(this.pattern)) if (!this.seen.has(m[0])) this.seen.set(m[0], at);
    for (const needle of this.exact) if (!this.seen.has(needle) && line.includes(needle)) this.seen.set(needle, at);
  }
}

export interface LineLatency {
  index: number;
  needle: string;
  writtenAt: number;
  shownAt: number | undefined;
  /** shownAt - writtenAt, ms; undefined when the log never showed it. */
  latencyMs: number | undefined;
}

/** Latency of each line: written on the machine at writtenAt[i] (ms), shown when `seen` says. */
export function lineLatencies(needles: readonly string[], writtenAt: readonly (number | undefined)[], seen: ReadonlyMap<string, number>): LineLatency[] {
  return needles.map((needle, index) => {
    const written = writtenAt[index];
    const shown = seen.get(needle);
    return {
      index,
      needle,
      writtenAt: written ?? Number.NaN,
      shownAt: shown,
      latencyMs: shown === undefined || written === undefined ? undefined : shown - written,
    };
  });
}

/** The `timed` step's side file: `N<TAB>EPOCH_µs` per written line (N from 1) -> write time in ms by index. */
export function parseWriteTimes(text: string, count: number): (number | undefined)[] {
  const out: (number | undefined)[] = new Array<number | undefined>(count).fill(undefined);
  for (const row of text.split('\n')) {
    const m = /^(\d+)\t(\d+)$/.exec(row);
    if (!m) continue;
    const i = Number(m[1]) - 1;
    if (i >= 0 && i < count) out[i] = Number(m[2]) / 1000;
  }
  return out;
}
