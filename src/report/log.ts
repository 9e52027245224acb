// The live workflow log: what a person reads in the Actions UI while Claude
// works. Renders RunChanges through the LogWriter (so everything is redacted
// and no untrusted text can become a workflow command).
//
// Layout:
// - one group for the session (a short one for a later session);
// - the main thread's narration outside any group, subagent narration
//   prefixed with its label;
// - a start marker line per tool call when it arrives, then ONE group per tool
//   call when it ends (input and output inside, bounded by toolOutput);
//   with toolOutput 'none' the end is a single status line, no group;
// - retries, compaction, permission denials, subagents, hooks, API errors and
//   results as single lines; stderr lines prefixed `stderr │ `;
// - finish(): the final line, then the writer is closed.
// Groups are written whole inside one call, so none is ever left open between
// changes, and they never nest.

import type { ApiRetryEvent, InitEvent, ResultEvent, RunChange, RunSnapshot, ToolCall } from '../stream/types.ts';
/** Below this a tool call's duration is within the transport's batching and is not shown. */
export const MIN_SHOWN_DURATION_MS = 1000;

import { RETRY_ANNOTATION } from './annotations.ts';
import { clip, formatBytes, formatCount, formatDuration, formatTokens, formatUsd, truncateLines } from './format.ts';
import type { LogWriter } from './log-writer.ts';

export type ToolOutputMode = 'none' | 'truncated' | 'full';

export interface LogRendererOptions {
  toolOutput: ToolOutputMode;
  /** Per section (input, output) in 'truncated' mode. */
  maxLines?: number;
  maxBytes?: number;
}

export const DEFAULT_MAX_LINES = 200;
export const DEFAULT_MAX_BYTES = 20 * 1024;

/** Longest single line we build from an untrusted value (hook output, summaries, ...). */
const SHORT = 300;

const STDERR_PREFIX = 'stderr │ ';


function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function prefixLines(text: string, prefix: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => prefix + l)
    .join('\n');
}

export class LogRenderer {
  private readonly w: LogWriter;
  private readonly mode: ToolOutputMode;
  private readonly maxLines: number;
  private readonly maxBytes: number;
  private retryWarned = false;
  private finished = false;

  constructor(writer: LogWriter, options: LogRendererOptions) {
    this.w = writer;
    this.mode = options.toolOutput;
    this.maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  change(c: RunChange): void {
    switch (c.type) {
      case 'session':
        this.session(c.init, c.index);
        return;
      case 'narration':
        if (c.text.trim() === '') return;
        this.w.text(c.agentLabel ? prefixLines(c.text, `[${this.oneLine(c.agentLabel, 80)}] `) : c.text);
        return;
      case 'thinking':
        // One dim line: enough to show Claude is thinking, not the whole monologue.
        if (c.text.trim() === '') return;
        this.w.text(`\u001b[2m∴ ${c.agentLabel ? `[${this.oneLine(c.agentLabel, 80)}] ` : ''}thinking: ${this.oneLine(c.text, 160)}\u001b[0m`);
        return;
      case 'tool-start':
        this.w.text(`▸ ${this.callHead(c.call)}`);
        return;
      case 'tool-end':
        this.toolEnd(c.call);
        return;
      case 'subagent':
        this.w.text(this.subagentLine(c));
        return;
      case 'retry':
        this.retry(c.retry);
        return;
      case 'compaction':
        this.w.text(
          `⟳ context compacted (${c.trigger || 'unknown trigger'}${c.preTokens !== undefined ? `, ${formatTokens(c.preTokens)} tokens before` : ''})`,
        );
        return;
      case 'permission-denied':
        this.w.text(`⛔ permission denied: ${this.oneLine(c.toolName)}${c.message ? ` — ${this.oneLine(c.message)}` : ''}`);
        return;
      case 'hook': {
        const h = c.hook;
        const what = [h.hookEvent, h.hookName].filter(Boolean).join(' ');
        const out = h.output.trim() ? `: ${this.oneLine(h.output, 200)}` : '';
        this.w.text(`↪ hook ${this.oneLine(what) || '(unnamed)'} ${h.subtype.replace(/^hook_/, '')}${h.outcome ? ` (${this.oneLine(h.outcome, 40)})` : ''}${out}`);
        return;
      }
      case 'api-error':
        this.w.text(`✗ API error: ${this.oneLine(c.message, 1000)}`);
        return;
      case 'result':
        this.w.text(this.resultLine(c.result, c.index));
        return;
      case 'text':
        this.w.text(c.text);
        return;
      case 'stderr':
        this.w.text(prefixLines(c.text, STDERR_PREFIX));
        return;
      default:
        return;
    }
  }

  /** The final line; then the writer is closed (any group ends, commands are re-enabled). */
  finish(s: RunSnapshot, outcome: { conclusion: string; reason?: string }): void {
    if (this.finished) return;
    this.finished = true;
    this.w.endGroup();
    const reason = outcome.reason ? ` (${this.oneLine(outcome.reason, 500)})` : '';
    const parts: string[] = [];
    if (s.numTurns !== undefined) parts.push(`${s.numTurns} turn${s.numTurns === 1 ? '' : 's'}`);
    if (s.durationMs !== undefined) parts.push(formatDuration(s.durationMs));
    parts.push(`cost ${formatUsd(s.costUsd)} (Claude's estimate)`);
    const u = s.usage;
    parts.push(
      `tokens in ${formatTokens(u.inputTokens)} / out ${formatTokens(u.outputTokens)} / cache read ${formatTokens(u.cacheReadTokens)} / cache write ${formatTokens(u.cacheWriteTokens)}`,
    );
    if (s.results.length === 0) {
      this.w.text(`■ Claude Code ended without a result: ${this.oneLine(outcome.conclusion, 80)}${reason} · ${parts.join(' · ')}`);
    } else {
      const note = s.results.length > 1 ? ` · ${s.results.length} results (totals from the last)` : '';
      this.w.text(`■ Claude Code ${this.oneLine(outcome.conclusion, 80)}${reason} · ${parts.join(' · ')}${note}`);
    }
    this.w.close();
  }

  // --- pieces ---

  /** One line of untrusted text: masked first (so a cut never shows part of a secret), blanks collapsed, bounded. */
  private oneLine(s: string, max = SHORT): string {
    const raw = String(s ?? '');
    // Bounded work: far more than fits in max characters is never read.
    const masked = raw.length > max * 4 ? this.w.redactPrefix(raw, max * 4) : this.w.redact(raw);
    return clip(masked.replace(/\s+/g, ' ').trim(), max);
  }

  private session(init: InitEvent, index: number): void {
    const sid = init.sessionId ? `session ${init.sessionId.slice(0, 8)}` : 'session ?';
    const model = init.model || 'unknown model';
    if (index > 0) {
      this.w.group(`Claude Code session ${index + 1} · ${model} · ${sid}`, (w) => {
        w.text(`A further session started (usually a background agent that finished after the main turn).`);
        w.text(`model: ${model}\ncwd: ${init.cwd}`);
      });
      return;
    }
    const version = init.claudeCodeVersion ? ` ${init.claudeCodeVersion}` : '';
    this.w.group(`Claude Code${version} · ${model} · ${sid}`, (w) => {
      const mcp = init.mcpServers.length
        ? init.mcpServers.map((m) => `${m.name}: ${m.status}`).join(', ')
        : '(none)';
      const lines = [
        `session:         ${init.sessionId}`,
        `model:           ${model}`,
        `cwd:             ${init.cwd}`,
        `permission mode: ${init.permissionMode || 'default'}`,
        `API key source:  ${init.apiKeySource || 'unknown'}`,
        `tools:           ${init.tools.length ? `${init.tools.join(', ')} (${init.tools.length})` : '(none)'}`,
        `MCP servers:     ${mcp}`,
        `agents:          ${init.agents.join(', ') || '(none)'}`,
      ];
      w.text(lines.join('\n'));
    });
  }

  /** `[3] Bash: npm test` or `[agent 2: explore deps · 5] Read: src/x.ts`. */
  private callHead(call: ToolCall): string {
    const where = call.agentLabel ? `${this.oneLine(call.agentLabel, 80)} · ${call.seq}` : `${call.seq}`;
    const summary = call.summary ? `: ${this.oneLine(call.summary, 160)}` : '';
    return `[${where}] ${this.oneLine(call.name, 80) || 'tool'}${summary}`;
  }

  private toolEnd(call: ToolCall): void {
    const status = call.isError ? '✗' : '✓';
    const ms = call.startedAt !== undefined && call.endedAt !== undefined ? call.endedAt - call.startedAt : undefined;
    // Output arrives in reads about a second apart, so shorter durations are not measured: say nothing.
    const duration = ms !== undefined && ms >= MIN_SHOWN_DURATION_MS ? ` (${formatDuration(ms)})` : '';
    const title = `${status} ${this.callHead(call)}${duration}`;
    if (this.mode === 'none') {
      this.w.text(title);
      return;
    }
    this.w.group(title, () => {
      this.w.text('── input ──');
      this.input(call);
      this.w.text(call.isError ? '── output (error) ──' : '── output ──');
      if (call.output === '') this.w.text('(no output)');
      else this.section(call.output);
    });
  }

  private input(call: ToolCall): void {
    const input = call.input;
    if (!isRecord(input)) {
      this.section(input === undefined ? '(none)' : this.json(input));
      return;
    }
    const str = (k: string): string | undefined => (typeof input[k] === 'string' ? (input[k] as string) : undefined);
    const name = call.name;
    if (name === 'Bash' && str('command') !== undefined) {
      const extra: string[] = [];
      if (str('description')) extra.push(`# ${this.oneLine(str('description')!)}`);
      if (input['run_in_background'] === true) extra.push('# (in background)');
      if (extra.length) this.w.text(extra.join('\n'));
      this.section(`$ ${str('command')}`);
      return;
    }
    if ((name === 'Edit' || name === 'Write') && str('file_path') !== undefined) {
      this.w.text(`file: ${str('file_path')}${input['replace_all'] === true ? ' (replace all)' : ''}`);
      for (const key of ['old_string', 'new_string', 'content']) {
        const v = str(key);
        if (v === undefined) continue;
        this.w.text(`${key}:`);
        this.section(v);
      }
      return;
    }
    this.section(this.json(input));
  }

  /** Pretty JSON; in 'truncated' mode long strings are cut first so the work stays bounded. */
  private json(value: unknown): string {
    const limit = this.mode === 'full' ? Infinity : this.maxBytes;
    const bound = (v: unknown, depth: number): unknown => {
      if (typeof v === 'string') {
        return v.length > limit ? `${this.w.redactPrefix(v, limit)}… (${formatBytes(Buffer.byteLength(v))})` : v;
      }
      if (depth > 20 || typeof v !== 'object' || v === null) return v;
      if (Array.isArray(v)) {
        const items = v.length > this.maxLines && limit !== Infinity ? v.slice(0, this.maxLines) : v;
        const out = items.map((x) => bound(x, depth + 1));
        if (items.length < v.length) out.push(`… ${v.length - items.length} more items`);
        return out;
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = bound(x, depth + 1);
      return out;
    };
    try {
      return JSON.stringify(bound(value, 0), null, 2) ?? String(value);
    } catch {
      return String(value);
    }
  }

  /** A block of untrusted text, bounded in 'truncated' mode with a note on what was left out. */
  private section(text: string): void {
    if (this.mode === 'full') {
      this.w.text(text);
      return;
    }
    const t = truncateLines(text, this.maxLines, this.maxBytes);
    if (t.omittedLines === 0 && t.omittedChars === 0) {
      this.w.text(text);
      return;
    }
    // Cut the raw text, then mask: a secret running past the cut is masked whole.
    this.w.text(this.w.redactPrefix(text, t.text.length));
    this.w.text(
      `… ${formatCount(t.omittedLines)}${t.omittedLinesExact ? '' : '+'} more line${t.omittedLines === 1 && t.omittedLinesExact ? '' : 's'} (${formatCount(t.omittedChars)} characters) not shown`,
    );
  }

  private subagentLine(c: Extract<RunChange, { type: 'subagent' }>): string {
    const a = c.agent;
    const label = `agent ${a.index}`;
    const desc = a.description ? `: ${this.oneLine(a.description, 120)}` : '';
    if (c.event === 'started') {
      const kind = [a.subagentType, a.background ? 'background' : ''].filter(Boolean).join(', ');
      return `⇢ ${label} started${desc}${kind ? ` (${this.oneLine(kind, 80)})` : ''}`;
    }
    const summary = c.summary ? ` — ${this.oneLine(c.summary)}` : '';
    if (c.event === 'finished') return `⇠ ${label} finished (${this.oneLine(a.status || 'done', 40)})${desc}${summary}`;
    return `· ${label} ${this.oneLine(a.status || 'updated', 40)}${desc}${summary}`;
  }

  private retry(r: ApiRetryEvent): void {
    const http = r.errorStatus !== null ? ` (HTTP ${r.errorStatus})` : '';
    const next = Number.isFinite(r.retryDelayMs) ? `, next attempt in ${formatDuration(r.retryDelayMs)}` : '';
    const line = `API retry ${r.attempt}/${r.maxRetries}: ${this.oneLine(r.error || 'unknown', 80)}${http}${next}`;
    this.w.text(`⚠ ${line}`);
    // Annotations are limited per step: one for the first retry, the rest are log lines. Its words
    // are fixed: the error text is Claude Code's (or whoever answered the API), so it stays in the log line.
    if (!this.retryWarned) {
      this.retryWarned = true;
      this.w.warning(RETRY_ANNOTATION);
    }
  }

  private resultLine(r: ResultEvent, index: number): string {
    const parts = [`${r.subtype || 'unknown'}${r.isError ? ' (is_error)' : ''}`];
    if (r.numTurns !== undefined) parts.push(`${r.numTurns} turn${r.numTurns === 1 ? '' : 's'}`);
    if (r.durationMs !== undefined) parts.push(formatDuration(r.durationMs));
    if (index === 0) {
      parts.push(`cost ${formatUsd(r.totalCostUsd)} (Claude's estimate)`);
      if (r.errors.length) parts.push(`errors: ${this.oneLine(r.errors.join('; '), 500)}`);
      return `result ${index + 1}: ${parts.join(' · ')}`;
    }
    // A later result (a background agent finished after the main turn) is cumulative: say so, do not add it up.
    parts.push(`session cost so far ${formatUsd(r.totalCostUsd)} (cumulative: includes the earlier result, not added to it)`);
    if (r.errors.length) parts.push(`errors: ${this.oneLine(r.errors.join('; '), 500)}`);
    return `result ${index + 1}: ${parts.join(' · ')} — a further result after a late background agent; this is normal`;
  }
}
