// The whole pure pipeline in one object: bytes of Claude's stdout and stderr
// in, workflow-log text out (through the injection-safe writer), run state
// kept. The action feeds it from the machine; replay feeds it from a file.
// It lives with the renderer it joins to the stream layer, which knows
// nothing of reports.
import { Redactor } from '../redact.ts';
import { parseEventLine } from '../stream/events.ts';
import { LineSplitter, type LineEnding } from '../stream/lines.ts';
import type { Outcome } from '../stream/outcome.ts';
import { RunState } from '../stream/run-state.ts';
import type { RunChange, RunSnapshot } from '../stream/types.ts';
import { LogRenderer, type ToolOutputMode } from './log.ts';
import { LogWriter } from './log-writer.ts';

export type { ToolOutputMode } from './log.ts';

export interface PipelineOptions {
  /** Where workflow-log text goes (the runner's stdout, or a test buffer). */
  write: (text: string) => void;
  redactor?: Redactor;
  toolOutput?: ToolOutputMode;
  /** Clock in ms for tool durations; omit in replay (durations unknown). */
  now?: () => number | undefined;
  /** Each stdout line, already redacted, with its ending as it came: the transcript file. */
  onTranscriptLine?: (line: string, ending: LineEnding) => void;
  /** Every change after the log has rendered it (live PR comment, idle timer, fail-fast). */
  onChange?: (change: RunChange, state: RunState) => void;
}

export class Pipeline {
  readonly state: RunState;
  readonly writer: LogWriter;
  private readonly log: LogRenderer;
  private readonly redactor: Redactor;
  private readonly stdoutLines: LineSplitter;
  private readonly stderrLines: LineSplitter;
  private readonly emit: (change: RunChange) => void;
  private finished = false;

  constructor(options: PipelineOptions) {
    this.redactor = options.redactor ?? new Redactor([]);
    this.state = new RunState(options.now ? { now: options.now } : {});
    this.writer = new LogWriter(options.write, { redactor: this.redactor });
    this.log = new LogRenderer(this.writer, { toolOutput: options.toolOutput ?? 'truncated' });
    const onChange = options.onChange;
    this.emit = (change) => {
      this.log.change(change);
      onChange?.(change, this.state);
    };
    const transcript = options.onTranscriptLine;
    this.stdoutLines = new LineSplitter((line, ending) => {
      transcript?.(this.redactor.redact(line), ending);
      if (line.trim() === '') return;
      this.state.apply(parseEventLine(line), this.emit);
    });
    this.stderrLines = new LineSplitter((line) => this.state.stderrLine(line, this.emit));
  }

  stdout(chunk: Uint8Array): void {
    this.stdoutLines.push(chunk);
  }

  stderr(chunk: Uint8Array): void {
    this.stderrLines.push(chunk);
  }

  /** Flushes last lines without a newline; call once both streams have ended. */
  endStreams(): RunSnapshot {
    this.stdoutLines.end();
    this.stderrLines.end();
    return this.state.snapshot();
  }

  /** Writes the final line and closes the log (re-enables workflow commands). Idempotent. */
  finish(outcome: Outcome): RunSnapshot {
    const snapshot = this.endStreams();
    if (!this.finished) {
      this.finished = true;
      this.log.finish(snapshot, { conclusion: outcome.conclusion, reason: outcome.reason });
    }
    return snapshot;
  }
}
