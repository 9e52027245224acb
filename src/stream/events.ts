// One stream-json line -> one typed event. Pure, total: every input gives an
// event, nothing throws. Wire fields are read defensively (any may be missing
// or of another type): strings default to '', optional numbers to undefined,
// counters to 0, arrays to []. Keys may come in any order.
//
// Blank and whitespace-only lines become TextLineEvents like any other non-JSON
// line; RunState ignores the blank ones.

import type {
  AssistantEvent,
  ContentBlock,
  HookEvent,
  InitEvent,
  ModelUsageEntry,
  ParentId,
  ResultEvent,
  StreamEvent,
  TaskEvent,
  TokenUsage,
  ToolResultBlock,
  UserEvent,
} from './types.ts';

type Obj = Record<string, unknown>;

const EMPTY: Obj = Object.freeze({}) as Obj;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function obj(v: unknown): Obj {
  return isObj(v) ? v : EMPTY;
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function optStr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}
function strings(v: unknown): string[] {
  const out: string[] = [];
  for (const item of arr(v)) if (typeof item === 'string') out.push(item);
  return out;
}
function parentId(v: unknown): ParentId {
  return typeof v === 'string' && v !== '' ? v : null;
}
/** An error given as a string or as an object with a message. */
function errorText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObj(v)) {
    if (typeof v.message === 'string') return v.message;
    if (typeof v.type === 'string') return v.type;
  }
  return undefined;
}

function tokenUsage(v: unknown): TokenUsage | undefined {
  if (!isObj(v)) return undefined;
  return {
    inputTokens: count(v.input_tokens),
    outputTokens: count(v.output_tokens),
    cacheReadTokens: count(v.cache_read_input_tokens),
    cacheWriteTokens: count(v.cache_creation_input_tokens),
  };
}

function text(line: string): StreamEvent {
  return { kind: 'text', text: line };
}

export function parseEventLine(line: string): StreamEvent {
  // Cheap pre-check: throwing and catching is slow, and most noise lines do not
  // start like an object.
  let i = 0;
  while (i < line.length && isSpace(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== 0x7b /* { */) return text(line);
  let value: unknown;
  try {
    // JSON.parse refuses a byte order mark: skip one (a file's first line may carry it).
    value = JSON.parse(i > 0 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
  } catch {
    return text(line);
  }
  if (!isObj(value) || typeof value.type !== 'string') return text(line);
  try {
    return toEvent(value, value.type, line);
  } catch {
    // Defensive reads should make this unreachable (a getter cannot come out of
    // JSON.parse); never let one odd line stop the stream.
    return { kind: 'unknown', type: value.type, line };
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0xfeff;
}

function toEvent(o: Obj, type: string, line: string): StreamEvent {
  switch (type) {
    case 'assistant':
      return assistant(o);
    case 'user':
      return user(o);
    case 'system':
      return system(o);
    case 'result':
      return result(o);
    case 'stream_event': {
      const event = obj(o.event);
      return {
        kind: 'stream_event',
        eventType: str(event.type),
        deltaType: optStr(obj(event.delta).type),
        parentToolUseId: parentId(o.parent_tool_use_id),
      };
    }
    default:
      return { kind: 'unknown', type, line };
  }
}

function contentBlock(v: unknown): ContentBlock {
  const b = obj(v);
  switch (b.type) {
    case 'text':
      return { type: 'text', text: str(b.text) };
    case 'thinking':
      return { type: 'thinking', thinking: str(b.thinking) };
    case 'tool_use':
      return { type: 'tool_use', id: str(b.id), name: str(b.name), input: b.input ?? {} };
    default:
      return { type: 'other', blockType: str(b.type) };
  }
}

function assistant(o: Obj): AssistantEvent {
  const message = obj(o.message);
  const content = message.content;
  let blocks: ContentBlock[];
  if (Array.isArray(content)) blocks = content.map(contentBlock);
  else if (typeof content === 'string' && content !== '') blocks = [{ type: 'text', text: content }];
  else blocks = [];
  return {
    kind: 'assistant',
    messageId: str(message.id),
    model: str(message.model),
    parentToolUseId: parentId(o.parent_tool_use_id),
    blocks,
    usage: tokenUsage(message.usage),
    error: errorText(o.error),
  };
}

/** Text of a tool_result's content: a string, or text blocks joined by newlines ("[image]" for images). */
function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  if (content.length === 1) {
    const only = obj(content[0]);
    if (only.type === 'text') return str(only.text);
  }
  const parts: string[] = [];
  for (const item of content) {
    const b = obj(item);
    if (b.type === 'text') parts.push(str(b.text));
    else if (b.type === 'image') parts.push('[image]');
    else if (typeof item === 'string') parts.push(item);
  }
  return parts.join('\n');
}

function user(o: Obj): UserEvent {
  const message = obj(o.message);
  const content = message.content;
  const toolResults: ToolResultBlock[] = [];
  let textOut = '';
  if (typeof content === 'string') {
    textOut = content;
  } else if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const item of content) {
      const b = obj(item);
      if (b.type === 'tool_result') {
        toolResults.push({ toolUseId: str(b.tool_use_id), content: toolResultText(b.content), isError: b.is_error === true });
      } else if (b.type === 'text') {
        texts.push(str(b.text));
      }
    }
    textOut = texts.join('\n');
  }
  return {
    kind: 'user',
    parentToolUseId: parentId(o.parent_tool_use_id),
    toolResults,
    text: textOut,
    toolUseResult: o.tool_use_result,
  };
}

function system(o: Obj): StreamEvent {
  const subtype = str(o.subtype);
  switch (subtype) {
    case 'init':
      return init(o);
    case 'api_retry': {
      const status = o.error_status;
      return {
        kind: 'api_retry',
        attempt: count(o.attempt),
        maxRetries: count(o.max_retries),
        retryDelayMs: count(o.retry_delay_ms),
        errorStatus: typeof status === 'number' && Number.isFinite(status) ? status : null,
        error: errorText(o.error) ?? '',
      };
    }
    case 'compact_boundary': {
      const meta = obj(o.compact_metadata);
      return { kind: 'compact_boundary', trigger: str(meta.trigger), preTokens: num(meta.pre_tokens) };
    }
    case 'task_started':
    case 'task_progress':
    case 'task_updated':
    case 'task_notification':
      return task(o, subtype);
    case 'permission_denied':
      return {
        kind: 'permission_denied',
        toolName: str(o.tool_name),
        toolUseId: str(o.tool_use_id),
        message: str(o.message) || str(o.decision_reason),
      };
    case 'hook_started':
    case 'hook_progress':
    case 'hook_response':
      return hook(o, subtype);
    default:
      return { kind: 'system', subtype };
  }
}

function init(o: Obj): InitEvent {
  const mcpServers: { name: string; status: string }[] = [];
  for (const item of arr(o.mcp_servers)) {
    if (isObj(item)) mcpServers.push({ name: str(item.name), status: str(item.status) });
  }
  const agents: string[] = [];
  for (const item of arr(o.agents)) {
    if (typeof item === 'string') agents.push(item);
    else if (isObj(item) && typeof item.name === 'string') agents.push(item.name);
  }
  return {
    kind: 'init',
    sessionId: str(o.session_id),
    model: str(o.model),
    cwd: str(o.cwd),
    tools: strings(o.tools),
    mcpServers,
    permissionMode: str(o.permissionMode),
    apiKeySource: str(o.apiKeySource),
    claudeCodeVersion: str(o.claude_code_version),
    agents,
  };
}

function task(o: Obj, subtype: string): TaskEvent {
  const patch = obj(o.patch);
  const toolUseId = optStr(o.tool_use_id);
  return {
    kind: 'task',
    subtype,
    taskId: str(o.task_id),
    toolUseId: toolUseId === '' ? undefined : toolUseId,
    description: optStr(o.description) ?? optStr(patch.description),
    subagentType: optStr(o.subagent_type),
    status: optStr(o.status) ?? optStr(patch.status),
    summary: optStr(o.summary) ?? errorText(patch.error),
    lastToolName: optStr(o.last_tool_name),
  };
}

function hook(o: Obj, subtype: string): HookEvent {
  let output = str(o.output);
  if (output === '') {
    const stdout = str(o.stdout);
    const stderr = str(o.stderr);
    output = stdout && stderr ? `${stdout}\n${stderr}` : stdout || stderr;
  }
  return {
    kind: 'hook',
    subtype,
    hookName: str(o.hook_name),
    hookEvent: str(o.hook_event),
    outcome: optStr(o.outcome),
    output,
  };
}

function result(o: Obj): ResultEvent {
  const modelUsage: ModelUsageEntry[] = [];
  const mu = obj(o.modelUsage);
  for (const model of Object.keys(mu)) {
    const u = obj(mu[model]);
    modelUsage.push({
      model,
      inputTokens: count(u.inputTokens),
      outputTokens: count(u.outputTokens),
      cacheReadTokens: count(u.cacheReadInputTokens),
      cacheWriteTokens: count(u.cacheCreationInputTokens),
      costUsd: num(u.costUSD),
    });
  }
  const permissionDenials: { toolName: string; toolUseId: string }[] = [];
  for (const item of arr(o.permission_denials)) {
    if (isObj(item)) permissionDenials.push({ toolName: str(item.tool_name), toolUseId: str(item.tool_use_id) });
  }
  const errors: string[] = [];
  for (const item of arr(o.errors)) {
    const e = errorText(item);
    if (e !== undefined) errors.push(e);
  }
  return {
    kind: 'result',
    subtype: str(o.subtype),
    isError: o.is_error === true,
    durationMs: num(o.duration_ms),
    durationApiMs: num(o.duration_api_ms),
    numTurns: num(o.num_turns),
    result: optStr(o.result),
    totalCostUsd: num(o.total_cost_usd) ?? num(o.cost_usd) ?? num(o.total_cost),
    usage: tokenUsage(o.usage),
    modelUsage,
    permissionDenials,
    errors,
    structuredOutput: o.structured_output,
    sessionId: str(o.session_id),
    terminalReason: optStr(o.terminal_reason),
  };
}
