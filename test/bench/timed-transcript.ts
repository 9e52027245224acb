// A stream-json transcript with its original timing, for the live latency
// bench: quiet spells of several seconds (Claude waiting on the model or a
// long tool), bursts of many lines within milliseconds (a message's blocks,
// parallel tool results) and trickles of lines some hundred ms apart. Every
// line carries a needle (`bench-L000042`) where the workflow log prints it,
// so the time it is printed can be found; the result line's needle is what
// the log prints for it. Pure and seeded: the same options give the same lines.

import { CODE, COMMANDS, FILES, LOG, MODEL, NARRATION, PATTERNS, THINKING } from './generate.ts';
import { Random } from './random.ts';

export interface TimedLine {
  /** Milliseconds after the previous line (the first: after Claude started). */
  delayMs: number;
  /** One stream-json line, without its newline. */
  text: string;
  /** A string the workflow log prints for this line and for no earlier one. */
  needle: string;
  /** The quiet spell just before this line, ms; 0 unless it is the first line after one. */
  quietBeforeMs: number;
}

export interface TimedTranscriptOptions {
  /** About how long the transcript lasts, in seconds (it ends once this is passed). */
  seconds: number;
  seed?: number;
  /** Length range of the quiet spells, ms. */
  quietMs?: [number, number];
  /** Lines in a burst, and the gap range between them, ms. */
  burstLines?: [number, number];
  burstGapMs?: [number, number];
  /** Lines in a trickle, and the gap range between them, ms. */
  trickleLines?: [number, number];
  trickleGapMs?: [number, number];
}

export interface TimedTranscriptStats {
  lines: number;
  bytes: number;
  /** Sum of the delays, ms. */
  durationMs: number;
  quietSpells: number;
  bursts: number;
  toolCalls: number;
}

export interface TimedTranscript {
  lines: TimedLine[];
  stats: TimedTranscriptStats;
  options: Required<TimedTranscriptOptions>;
}

/** What the log prints for the one result line ("result 1: success · 3 turns · ..."). */
export const RESULT_NEEDLE = 'result 1: success';
/** Needles of every other line. */
export const NEEDLE_PATTERN = /bench-L\d{6}/g;

export function needleOf(n: number): string {
  return `bench-L${String(n).padStart(6, '0')}`;
}

const DEFAULTS: Omit<Required<TimedTranscriptOptions>, 'seconds'> = {
  seed: 1,
  quietMs: [3000, 8000],
  burstLines: [8, 40],
  burstGapMs: [0, 3],
  trickleLines: [3, 10],
  trickleGapMs: [150, 900],
};

const SESSION = 'b3e1c0de-5eed-4b1e-a000-000000000001';
/** Open tool calls at most: a burst closes some before it opens more. */
const MAX_OPEN_TOOLS = 5;

type Json = Record<string, unknown>;

export function timedTranscript(options: TimedTranscriptOptions): TimedTranscript {
  const opts = { ...DEFAULTS, ...options };
  return new TimedGenerator(opts).run();
}

/** The file the scripted claude's `timed` step plays: `DELAY_MS<TAB>LINE` per line. */
export function timedFileText(lines: readonly TimedLine[]): string {
  return lines.map((l) => `${Math.round(l.delayMs)}\t${l.text}\n`).join('');
}

class TimedGenerator {
  private readonly rand: Random;
  private readonly lines: TimedLine[] = [];
  private readonly open: { id: string; name: string }[] = [];
  private pendingDelay = 0;
  private pendingQuiet = 0;
  private elapsed = 0;
  private turn = 0;
  private message = '';
  private readonly stats: TimedTranscriptStats = { lines: 0, bytes: 0, durationMs: 0, quietSpells: 0, bursts: 0, toolCalls: 0 };

  private readonly opts: Required<TimedTranscriptOptions>;

  constructor(opts: Required<TimedTranscriptOptions>) {
    this.opts = opts;
    this.rand = new Random(opts.seed);
  }

  run(): TimedTranscript {
    this.init();
    const end = this.opts.seconds * 1000;
    while (this.elapsed < end) {
      this.quiet();
      this.burst();
      if (this.elapsed >= end) break;
      this.trickle();
      if (this.rand.chance(0.5)) this.burst();
    }
    // The end: what is still open gets its result, a last word, the result.
    this.gap(this.rand.int(...this.opts.trickleGapMs));
    while (this.open.length > 0) {
      this.toolResult();
      this.gap(this.rand.int(...this.opts.burstGapMs));
    }
    this.text();
    this.gap(this.rand.int(...this.opts.burstGapMs));
    this.result();
    return { lines: this.lines, stats: this.stats, options: this.opts };
  }

  // --- timing ---

  private gap(ms: number): void {
    this.pendingDelay += ms;
  }

  private quiet(): void {
    const ms = this.rand.int(...this.opts.quietMs);
    this.gap(ms);
    this.pendingQuiet = ms;
    this.stats.quietSpells++;
  }

  private burst(): void {
    this.stats.bursts++;
    const n = this.rand.int(...this.opts.burstLines);
    this.newMessage();
    for (let i = 0; i < n; i++) {
      if (i > 0) this.gap(this.rand.int(...this.opts.burstGapMs));
      this.someLine(false);
    }
  }

  private trickle(): void {
    const n = this.rand.int(...this.opts.trickleLines);
    for (let i = 0; i < n; i++) {
      this.gap(this.rand.int(...this.opts.trickleGapMs));
      if (this.rand.chance(0.4)) this.newMessage();
      this.someLine(true);
    }
  }

  /** A result when tools are open (more likely when many are), else narration or a call. */
  private someLine(slow: boolean): void {
    if (this.open.length > 0 && (this.open.length >= MAX_OPEN_TOOLS || this.rand.chance(0.45))) return this.toolResult();
    const r = this.rand.next();
    if (slow && r < 0.15) return this.thinking();
    if (r < 0.45) return this.text();
    return this.toolUse();
  }

  // --- lines ---

  private emit(value: Json, needle: string): void {
    const text = JSON.stringify(value);
    this.elapsed += this.pendingDelay;
    this.lines.push({ delayMs: this.pendingDelay, text, needle, quietBeforeMs: this.pendingQuiet });
    this.stats.lines++;
    this.stats.bytes += Buffer.byteLength(text) + 1;
    this.stats.durationMs = this.elapsed;
    this.pendingDelay = 0;
    this.pendingQuiet = 0;
  }

  private nextNeedle(): string {
    return needleOf(this.lines.length);
  }

  private newMessage(): void {
    this.turn++;
    this.message = `msg_${this.rand.id(24)}`;
  }

  private init(): void {
    const needle = this.nextNeedle();
    this.emit({
      type: 'system', subtype: 'init', cwd: `/home/runner/work/app/${needle}`, session_id: SESSION, tools: ['Bash', 'Edit', 'Grep', 'Read', 'Write'],
      mcp_servers: [], model: MODEL, permissionMode: 'bypassPermissions', apiKeySource: 'ANTHROPIC_API_KEY',
      claude_code_version: '2.1.330', output_style: 'default', agents: ['general-purpose'], uuid: this.rand.uuid(),
    }, needle);
  }

  private assistant(content: Json[], needle: string): void {
    if (!this.message) this.newMessage();
    this.emit({
      type: 'assistant',
      message: {
        id: this.message, type: 'message', role: 'assistant', model: MODEL, content, stop_reason: null, stop_sequence: null,
        usage: { input_tokens: this.rand.int(3, 40), output_tokens: this.rand.int(1, 900), cache_creation_input_tokens: this.rand.int(0, 5000), cache_read_input_tokens: this.rand.int(0, 90000) },
      },
      parent_tool_use_id: null, session_id: SESSION, uuid: this.rand.uuid(),
    }, needle);
  }

  private text(): void {
    const needle = this.nextNeedle();
    this.assistant([{ type: 'text', text: `[${needle}] ${this.rand.pick(NARRATION)}` }], needle);
  }

  private thinking(): void {
    const needle = this.nextNeedle();
    // The log shows thinking as one line of its first 160 characters: the needle goes first.
    this.assistant([{ type: 'thinking', thinking: `${needle}: ${this.rand.pick(THINKING)}`, signature: `sig_${this.rand.id(40)}` }], needle);
  }

  private toolUse(): void {
    const needle = this.nextNeedle();
    const id = `toolu_${this.rand.id(24)}`;
    const kind = this.rand.int(0, 2);
    // The needle sits in the field the log's start line shows (command, path, pattern).
    const [name, input]: [string, Json] =
      kind === 0
        ? ['Bash', { command: `${this.rand.pick(COMMANDS)} # ${needle}`, description: 'Run a check' }]
        : kind === 1
          ? ['Read', { file_path: `/home/runner/work/app/app/${this.rand.pick(FILES).replace(/[^/]*$/, `${needle}.ts`)}` }]
          : ['Grep', { pattern: `${this.rand.pick(PATTERNS)}|${needle}`, path: 'src', output_mode: 'content' }];
    this.open.push({ id, name });
    this.stats.toolCalls++;
    this.assistant([{ type: 'tool_use', id, name, input }], needle);
  }

  private toolResult(): void {
    const call = this.open.shift();
    if (!call) return;
    const needle = this.nextNeedle();
    const pool = call.name === 'Bash' ? LOG : CODE;
    const body: string[] = [needle];
    const chars = this.rand.chance(0.85) ? this.rand.int(20, 800) : this.rand.int(2000, 20000);
    for (let size = 0; size < chars; ) {
      const line = this.rand.pick(pool);
      body.push(line);
      size += line.length + 1;
    }
    this.emit({
      type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: body.join('\n'), is_error: false }] },
      parent_tool_use_id: null, session_id: SESSION, uuid: this.rand.uuid(),
    }, needle);
  }

  private result(): void {
    const cost = Math.round(this.turn * 0.0123 * 1e6) / 1e6;
    this.emit({
      type: 'result', subtype: 'success', is_error: false, duration_ms: this.elapsed, duration_api_ms: Math.floor(this.elapsed * 0.7),
      num_turns: this.turn, result: 'Done.', stop_reason: 'end_turn', session_id: SESSION, total_cost_usd: cost,
      usage: { input_tokens: this.turn * 20, cache_creation_input_tokens: this.turn * 900, cache_read_input_tokens: this.turn * 40000, output_tokens: this.turn * 300 },
      permission_denials: [], uuid: this.rand.uuid(),
    }, RESULT_NEEDLE);
  }
}
