// Folds stream events into what the run knows so far, announcing each change
// to the caller. Pure: time comes from an injected clock (replay passes none,
// so durations stay unknown).
//
// Memory: nothing grows per line except the tool list and the subagents (plus
// API errors and retries, which are few). A finished call's `output` is
// released once its 'tool-end' change was emitted (renderers read it during
// that callback, and must copy what they want to keep), so a 500 MB transcript
// of big tool results is not held. Changes and snapshots hand out the live
// ToolCall and Subagent objects: read them, do not change them.

import type {
  ApiRetryEvent,
  AssistantEvent,
  InitEvent,
  ParentId,
  ResultEvent,
  RunChange,
  RunSnapshot,
  StreamEvent,
  Subagent,
  TaskEvent,
  TokenUsage,
  ToolCall,
  ToolResultBlock,
  ToolStats,
  UserEvent,
} from './types.ts';

export interface RunStateOptions {
  /** Clock in ms; returns undefined (or is absent) when times are unknown, as in replay. */
  now?: () => number | undefined;
}

type Emit = (change: RunChange) => void;

/** Tools whose call starts a subagent; its messages carry the call's id as parent_tool_use_id. */
const AGENT_TOOLS: ReadonlySet<string> = new Set(['Task', 'Agent']);

/**
 * Bound of a tool call's one-line summary, kept for every call of the run.
 * Renderers redact secrets and then cut to what they show (at most 160
 * characters); this bound stays well past that, so a cut here, before
 * redaction, never leaves a visible start of a secret that no longer matches.
 */
export const TOOL_SUMMARY_MAX = 400;
const SUMMARY_MAX = TOOL_SUMMARY_MAX;
/** Input fields that best say what a call does, most telling first. */
const SUMMARY_KEYS = ['command', 'file_path', 'notebook_path', 'pattern', 'url', 'query', 'path', 'description', 'prompt', 'skill'];

interface AgentRecord {
  agent: Subagent;
  label: string;
  finished: boolean;
}

function zeroUsage(): TokenUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
}

function addUsage(into: TokenUsage, u: TokenUsage, sign: 1 | -1): void {
  into.inputTokens += sign * u.inputTokens;
  into.outputTokens += sign * u.outputTokens;
  into.cacheReadTokens += sign * u.cacheReadTokens;
  into.cacheWriteTokens += sign * u.cacheWriteTokens;
}

const NON_SPACE = /\S/;

/** One line that says what a tool call does: its command, path, pattern, ... bounded to ~120 chars. */
export function toolSummary(input: unknown): string {
  if (typeof input === 'string') return oneLine(input);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return '';
  const fields = input as Record<string, unknown>;
  for (const key of SUMMARY_KEYS) {
    const v = fields[key];
    if (typeof v === 'string' && NON_SPACE.test(v)) return oneLine(v);
  }
  for (const key of Object.keys(fields)) {
    const v = fields[key];
    if (typeof v === 'string' && NON_SPACE.test(v)) return oneLine(v);
  }
  return '';
}

/** Whitespace that oneLine would change: any but single inner spaces. */
const NEEDS_CLEANING = /[\t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]| {2}|^ | $/;

/** First non-blank line, whitespace collapsed, cut with an ellipsis when longer or followed by more lines. */
function oneLine(s: string): string {
  if (s.length <= SUMMARY_MAX && !NEEDS_CLEANING.test(s)) return s; // the common case
  let start = 0;
  let nl = s.indexOf('\n');
  // Skip leading blank lines without touching the rest of a long value.
  while (nl !== -1 && !NON_SPACE.test(s.slice(start, nl))) {
    start = nl + 1;
    nl = s.indexOf('\n', start);
  }
  const end = nl === -1 ? s.length : nl;
  let more = nl !== -1 && NON_SPACE.test(s.slice(nl + 1, nl + 1 + 4096));
  // Collapse only a bounded prefix: the first line of a value can be megabytes.
  const window = Math.min(end, start + SUMMARY_MAX * 4);
  if (window < end) more = true;
  let line = s.slice(start, window).replace(/\s+/g, ' ').trim();
  if (line.length > SUMMARY_MAX || (more && line.length > SUMMARY_MAX - 1)) {
    let cut = SUMMARY_MAX - 1;
    const c = line.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) cut--; // do not split a surrogate pair
    line = line.slice(0, cut).trimEnd();
    more = true;
  }
  return more ? `${line}…` : line;
}

const PERSISTED_TAG = '<persisted-output>';

/** Whether a tool_result's content is Claude Code's preview of an output it saved to a file (the tag comes first). */
function isPersistedPreview(content: string): boolean {
  let i = 0;
  while (i < 64 && i < content.length && content.charCodeAt(i) <= 0x20) i++;
  return content.startsWith(PERSISTED_TAG, i);
}

/** The fuller output a tool_use_result may hold: a string, or Bash's stdout and stderr. */
function fullerOutput(toolUseResult: unknown): string | undefined {
  if (typeof toolUseResult === 'string') return toolUseResult;
  if (typeof toolUseResult !== 'object' || toolUseResult === null) return undefined;
  const r = toolUseResult as Record<string, unknown>;
  const stdout = typeof r.stdout === 'string' ? r.stdout : undefined;
  const stderr = typeof r.stderr === 'string' ? r.stderr : undefined;
  if (stdout === undefined && stderr === undefined) return undefined;
  if (stdout && stderr) return `${stdout}\n${stderr}`;
  return stdout || stderr || '';
}

export class RunState {
  private readonly now: () => number | undefined;

  private readonly inits: InitEvent[] = [];
  private readonly results: ResultEvent[] = [];

  private readonly tools: ToolCall[] = [];
  private readonly toolsById = new Map<string, ToolCall>();
  /** Per tool name, in first-seen order. */
  private readonly toolStats = new Map<string, ToolStats>();
  private seq = 0;

  private readonly agents: AgentRecord[] = [];
  private readonly agentsByToolUseId = new Map<string, AgentRecord>();
  private readonly agentsByTaskId = new Map<string, AgentRecord>();

  private readonly retries: ApiRetryEvent[] = [];
  private readonly permissionDenials: { toolName: string; toolUseId: string; message: string }[] = [];
  private readonly deniedIds = new Set<string>();
  private compactions = 0;

  /** Usage counted once per message id: the sum, and each thread's open message ('' = main thread). */
  private readonly usageSum: TokenUsage = zeroUsage();
  private readonly openMessages = new Map<string, { id: string; usage: TokenUsage }>();
  private lastThread: string | undefined;
  private lastOpen: { id: string; usage: TokenUsage } | undefined;
  private readonly modelsSeen = new Set<string>();
  private lastModel = '';

  private readonly apiErrors: string[] = [];
  /** Main-thread assistant text since the last main-thread tool_use (the answer being written). */
  private mainTail: string[] = [];
  /** That text as it stood when the last result arrived. */
  private tailAtLastResult = '';
  private textLines = 0;

  constructor(options: RunStateOptions = {}) {
    this.now = options.now ?? (() => undefined);
  }

  apply(event: StreamEvent, emit: Emit): void {
    switch (event.kind) {
      case 'init':
        this.inits.push(event);
        this.noteModel(event.model);
        // A new init starts a new turn: its answer starts afresh.
        this.mainTail = [];
        emit({ type: 'session', init: event, index: this.inits.length - 1 });
        return;
      case 'assistant':
        this.assistant(event, emit);
        return;
      case 'user':
        this.user(event, emit);
        return;
      case 'task':
        this.task(event, emit);
        return;
      case 'api_retry':
        this.retries.push(event);
        emit({ type: 'retry', retry: event });
        return;
      case 'compact_boundary':
        this.compactions++;
        emit({ type: 'compaction', trigger: event.trigger, preTokens: event.preTokens });
        return;
      case 'permission_denied':
        this.denied(event.toolName, event.toolUseId, event.message, emit);
        return;
      case 'hook':
        emit({ type: 'hook', hook: event });
        return;
      case 'result':
        this.result(event, emit);
        return;
      case 'text':
        // Blank lines between JSON lines carry nothing.
        if (!NON_SPACE.test(event.text)) return;
        this.textLines++;
        emit({ type: 'text', text: event.text });
        return;
      case 'stream_event':
      case 'system':
      case 'unknown':
        return;
    }
  }

  stderrLine(text: string, emit: Emit): void {
    emit({ type: 'stderr', text });
  }

  snapshot(): RunSnapshot {
    const last = this.results.at(-1);
    let usage: TokenUsage;
    let models: string[];
    if (last && last.modelUsage.length > 0) {
      usage = zeroUsage();
      for (const m of last.modelUsage) addUsage(usage, m, 1);
      models = last.modelUsage.map((m) => m.model);
    } else {
      usage = { ...this.usageSum };
      models = [...this.modelsSeen];
    }
    let costUsd: number | undefined;
    for (let i = this.results.length - 1; i >= 0 && costUsd === undefined; i--) costUsd = this.results[i]?.totalCostUsd;
    // Unlike cost and modelUsage, num_turns counts one query's turns (measured with 2.1.330: a late
    // background-agent result says 1 after a main result of 2): the session's turns are their sum.
    let numTurns: number | undefined;
    for (const r of this.results) if (r.numTurns !== undefined) numTurns = (numTurns ?? 0) + r.numTurns;
    // duration_ms is per query too (the late result covers only its own short query).
    let durationMs: number | undefined;
    for (const r of this.results) if (r.durationMs !== undefined) durationMs = (durationMs ?? 0) + r.durationMs;

    const resultText = last?.result ?? '';
    const rebuilt = last ? this.tailAtLastResult : this.mainTail.join('\n\n');
    const finalText = rebuilt.length > resultText.length ? rebuilt : resultText;

    const errors = [...this.apiErrors];
    for (const e of last?.errors ?? []) if (!errors.includes(e)) errors.push(e);

    let sessionId: string | undefined = last?.sessionId || undefined;
    let claudeCodeVersion: string | undefined;
    for (let i = this.inits.length - 1; i >= 0; i--) {
      const init = this.inits[i] as InitEvent;
      sessionId ||= init.sessionId || undefined;
      claudeCodeVersion ||= init.claudeCodeVersion || undefined;
    }

    return {
      inits: [...this.inits],
      results: [...this.results],
      lastResult: last,
      tools: [...this.tools],
      inFlight: this.tools.filter((t) => !t.done),
      toolStats: [...this.toolStats.values()].map((s) => ({ ...s })),
      subagents: this.agents.map((r) => r.agent),
      retries: [...this.retries],
      permissionDenials: [...this.permissionDenials],
      compactions: this.compactions,
      usage,
      models,
      costUsd,
      numTurns,
      durationMs,
      finalText,
      errors,
      sessionId,
      claudeCodeVersion,
      structuredOutput: last?.structuredOutput,
      textLines: this.textLines,
    };
  }

  // -------------------------------------------------------------------------

  private noteModel(model: string): void {
    if (model === this.lastModel) return; // skip hashing the same name on every line
    this.lastModel = model;
    if (model !== '' && model !== '<synthetic>') this.modelsSeen.add(model);
  }

  private assistant(event: AssistantEvent, emit: Emit): void {
    this.noteModel(event.model);
    if (event.usage) this.countUsage(event.parentToolUseId, event.messageId, event.usage);
    const parent = event.parentToolUseId;
    const agentLabel = this.labelOf(parent, emit);

    if (event.error !== undefined) {
      // A synthetic message that reports an API error: its text is the error, not narration.
      const texts: string[] = [];
      for (const b of event.blocks) if (b.type === 'text' && NON_SPACE.test(b.text)) texts.push(b.text);
      const message = texts.length > 0 ? texts.join('\n') : `API error: ${event.error}`;
      this.apiErrors.push(message);
      emit({ type: 'api-error', message });
    }

    for (const block of event.blocks) {
      switch (block.type) {
        case 'text':
          if (event.error !== undefined || !NON_SPACE.test(block.text)) break;
          if (parent === null) this.mainTail.push(block.text);
          emit({ type: 'narration', text: block.text, parentToolUseId: parent, agentLabel });
          break;
        case 'thinking':
          if (NON_SPACE.test(block.thinking)) emit({ type: 'thinking', text: block.thinking, parentToolUseId: parent, agentLabel });
          break;
        case 'tool_use':
          if (parent === null) this.mainTail = [];
          this.startTool(block.id, block.name, block.input, parent, agentLabel, emit);
          break;
        case 'other':
          break;
      }
    }
  }

  /**
   * While streaming, several lines share a message id, each with the usage so
   * far: the last one seen for an id counts, once. The lines of one message come
   * in a row within their thread (main or one subagent), though threads may
   * interleave; so only each thread's open message is kept, and a new id on a
   * thread closes the previous one, whose last usage stays in the sum.
   */
  private countUsage(parent: ParentId, messageId: string, usage: TokenUsage): void {
    if (messageId === '') {
      addUsage(this.usageSum, usage, 1);
      return;
    }
    const thread = parent ?? '';
    let open = thread === this.lastThread ? this.lastOpen : this.openMessages.get(thread);
    if (!open) {
      open = { id: messageId, usage: { ...usage } };
      this.openMessages.set(thread, open);
    } else {
      if (open.id === messageId) addUsage(this.usageSum, open.usage, -1);
      else open.id = messageId;
      const u = open.usage;
      u.inputTokens = usage.inputTokens;
      u.outputTokens = usage.outputTokens;
      u.cacheReadTokens = usage.cacheReadTokens;
      u.cacheWriteTokens = usage.cacheWriteTokens;
    }
    addUsage(this.usageSum, open.usage, 1);
    this.lastThread = thread;
    this.lastOpen = open;
  }

  private startTool(id: string, name: string, input: unknown, parent: ParentId, agentLabel: string, emit: Emit): ToolCall | undefined {
    if (id !== '' && this.toolsById.get(id) !== undefined) return undefined; // the same block sent twice
    const call: ToolCall = {
      id,
      name,
      input,
      summary: toolSummary(input),
      parentToolUseId: parent,
      seq: ++this.seq,
      agentLabel,
      startedAt: this.now(),
      endedAt: undefined,
      done: false,
      isError: false,
      output: '',
    };
    this.tools.push(call);
    if (id !== '') this.toolsById.set(id, call);
    this.statsOf(name).calls++;
    emit({ type: 'tool-start', call });
    if (AGENT_TOOLS.has(name) && id !== '' && !this.agentsByToolUseId.has(id)) {
      const fields = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
      this.addAgent(
        id,
        typeof fields.description === 'string' ? fields.description : '',
        typeof fields.subagent_type === 'string' ? fields.subagent_type : '',
        fields.run_in_background === true,
        emit,
      );
    }
    return call;
  }

  private statsOf(name: string): ToolStats {
    let s = this.toolStats.get(name);
    if (!s) {
      s = { name, calls: 0, errors: 0, totalMs: 0 };
      this.toolStats.set(name, s);
    }
    return s;
  }

  private user(event: UserEvent, emit: Emit): void {
    if (event.toolResults.length === 0) {
      // A new prompt on the main thread (such as a task notification): a new answer follows.
      if (event.parentToolUseId === null && NON_SPACE.test(event.text)) this.mainTail = [];
      return;
    }
    // tool_use_result belongs to the line: only unambiguous with one result in it.
    const fuller = event.toolResults.length === 1 ? fullerOutput(event.toolUseResult) : undefined;
    for (const block of event.toolResults) this.endTool(block, event.parentToolUseId, fuller, event.toolUseResult, emit);
  }

  private endTool(block: ToolResultBlock, parent: ParentId, fuller: string | undefined, toolUseResult: unknown, emit: Emit): void {
    let call = block.toolUseId === '' ? undefined : this.toolsById.get(block.toolUseId);
    if (!call) {
      // A result whose call we never saw (a cut transcript): keep it under a neutral name.
      call = this.startTool(block.toolUseId, 'unknown', {}, parent, this.labelOf(parent, emit), emit);
      if (!call) return;
    }
    if (call.done) return; // the same result sent twice
    let output = block.content;
    if (fuller !== undefined && (fuller.length > output.length || isPersistedPreview(output))) output = fuller;
    call.done = true;
    call.isError = block.isError;
    call.endedAt = this.now();
    call.output = output;
    const stats = this.statsOf(call.name);
    if (call.isError) stats.errors++;
    if (call.startedAt !== undefined && call.endedAt !== undefined) stats.totalMs += Math.max(0, call.endedAt - call.startedAt);
    emit({ type: 'tool-end', call });
    // Released once renderers have seen it: see the note at the top of this file.
    // The input goes too (Edit and Write carry whole files): only the tool-end render reads it.
    call.output = '';
    call.input = undefined;
    if (AGENT_TOOLS.has(call.name)) this.agentToolEnded(call, toolUseResult, emit);
  }

  /** The Task/Agent call returned: the subagent is done, unless it was launched in the background. */
  private agentToolEnded(call: ToolCall, toolUseResult: unknown, emit: Emit): void {
    const record = this.agentsByToolUseId.get(call.id);
    if (!record || record.finished) return;
    const agent = record.agent;
    const status =
      typeof toolUseResult === 'object' && toolUseResult !== null ? (toolUseResult as Record<string, unknown>).status : undefined;
    if (status === 'async_launched' || status === 'remote_launched') {
      agent.background = true;
      emit({ type: 'subagent', agent, event: 'updated', summary: undefined });
      return;
    }
    if (!call.isError && status !== 'completed' && agent.background) return;
    agent.status = call.isError ? 'failed' : 'completed';
    record.finished = true;
    emit({ type: 'subagent', agent, event: 'finished', summary: undefined });
  }

  private addAgent(toolUseId: string, description: string, subagentType: string, background: boolean, emit: Emit): AgentRecord {
    const agent: Subagent = {
      toolUseId,
      index: this.agents.length + 1,
      description,
      subagentType,
      taskId: undefined,
      status: 'running',
      background,
    };
    const record: AgentRecord = { agent, label: agentLabel(agent), finished: false };
    this.agents.push(record);
    this.agentsByToolUseId.set(toolUseId, record);
    emit({ type: 'subagent', agent, event: 'started', summary: undefined });
    return record;
  }

  /** '' for the main thread; else the subagent's label, registering a subagent we had not heard of. */
  private labelOf(parent: ParentId, emit: Emit): string {
    if (parent === null) return '';
    const record = this.agentsByToolUseId.get(parent) ?? this.addAgent(parent, '', '', false, emit);
    return record.label;
  }

  private task(event: TaskEvent, emit: Emit): void {
    let record = event.toolUseId !== undefined ? this.agentsByToolUseId.get(event.toolUseId) : undefined;
    if (!record && event.taskId !== '') record = this.agentsByTaskId.get(event.taskId);
    let created = false;
    if (!record) {
      // Background shells report task events too: not a subagent.
      if (event.toolUseId !== undefined && this.toolsById.has(event.toolUseId)) return;
      if (event.subtype !== 'task_started') return;
      record = this.addAgent(event.toolUseId ?? `task:${event.taskId}`, event.description ?? '', event.subagentType ?? '', false, emit);
      created = true;
    }
    const agent = record.agent;
    if (event.taskId !== '' && agent.taskId === undefined) {
      agent.taskId = event.taskId;
      this.agentsByTaskId.set(event.taskId, record);
    }
    if (event.description && agent.description === '') {
      agent.description = event.description;
      record.label = agentLabel(agent);
    }
    if (event.subagentType && agent.subagentType === '') agent.subagentType = event.subagentType;
    if (event.status !== undefined) agent.status = event.status;
    else if (event.subtype === 'task_notification') agent.status = 'completed';
    if (created) return;
    // The notification is the task's closing bookend and carries its summary; a
    // task_updated with an end status comes just before it and only updates.
    if (event.subtype === 'task_notification' && !record.finished) {
      record.finished = true;
      emit({ type: 'subagent', agent, event: 'finished', summary: event.summary });
    } else {
      emit({ type: 'subagent', agent, event: 'updated', summary: event.summary });
    }
  }

  private denied(toolName: string, toolUseId: string, message: string, emit: Emit): void {
    if (toolUseId !== '') {
      if (this.deniedIds.has(toolUseId)) return;
      this.deniedIds.add(toolUseId);
    }
    this.permissionDenials.push({ toolName, toolUseId, message });
    emit({ type: 'permission-denied', toolName, toolUseId, message });
  }

  private result(event: ResultEvent, emit: Emit): void {
    for (const d of event.permissionDenials) this.denied(d.toolName, d.toolUseId, '', emit);
    this.results.push(event);
    this.tailAtLastResult = this.mainTail.join('\n\n');
    this.mainTail = [];
    emit({ type: 'result', result: event, index: this.results.length - 1 });
  }
}

function agentLabel(agent: Subagent): string {
  const what = oneLine(agent.description) || agent.subagentType;
  return what ? `agent ${agent.index}: ${what}` : `agent ${agent.index}`;
}
