// Shared types of the stream pipeline: lines -> events -> run state -> renderers.
// Shapes follow Claude Code's stream-json (the SDKMessage union of
// @anthropic-ai/claude-agent-sdk). Every field read from the wire is optional
// in practice: absent fields become neutral values, never a crash.

/** Agent a message belongs to: null for the main thread, else the id of the Task/Agent tool_use that started it. */
export type ParentId = string | null;

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface ModelUsageEntry extends TokenUsage {
  model: string;
  costUsd: number | undefined;
}

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'other'; blockType: string };

export interface ToolResultBlock {
  toolUseId: string;
  /** Text of the result, whichever of the two wire shapes (string or [{type:'text',text}]) it came in. */
  content: string;
  isError: boolean;
}

export type ResultSubtype =
  | 'success'
  | 'error_max_turns'
  | 'error_during_execution'
  | 'error_max_budget_usd'
  | 'error_max_structured_output_retries'
  | (string & {});

export interface InitEvent {
  kind: 'init';
  sessionId: string;
  model: string;
  cwd: string;
  tools: string[];
  mcpServers: { name: string; status: string }[];
  permissionMode: string;
  apiKeySource: string;
  claudeCodeVersion: string;
  agents: string[];
}

export interface AssistantEvent {
  kind: 'assistant';
  messageId: string;
  model: string;
  parentToolUseId: ParentId;
  blocks: ContentBlock[];
  /** Per-line usage; not final while streaming: count a message id once. */
  usage: TokenUsage | undefined;
  /** Set when the CLI reports an API error through a synthetic assistant message. */
  error: string | undefined;
}

export interface UserEvent {
  kind: 'user';
  parentToolUseId: ParentId;
  toolResults: ToolResultBlock[];
  /** Plain text content of a user message that is not a tool result (for example a replayed prompt). */
  text: string;
  /** `tool_use_result` of the line, when present: may hold the full output where `content` holds a preview. */
  toolUseResult: unknown;
}

export interface ApiRetryEvent {
  kind: 'api_retry';
  attempt: number;
  maxRetries: number;
  retryDelayMs: number;
  errorStatus: number | null;
  error: string;
}

export interface CompactBoundaryEvent {
  kind: 'compact_boundary';
  trigger: string;
  preTokens: number | undefined;
}

export interface TaskEvent {
  kind: 'task';
  /** task_started | task_progress | task_updated | task_notification */
  subtype: string;
  taskId: string;
  toolUseId: string | undefined;
  description: string | undefined;
  subagentType: string | undefined;
  /** completed | failed | stopped | running ... when the line says. */
  status: string | undefined;
  summary: string | undefined;
  lastToolName: string | undefined;
}

export interface PermissionDeniedEvent {
  kind: 'permission_denied';
  toolName: string;
  toolUseId: string;
  message: string;
}

export interface HookEvent {
  kind: 'hook';
  /** hook_started | hook_progress | hook_response */
  subtype: string;
  hookName: string;
  hookEvent: string;
  outcome: string | undefined;
  output: string;
}

export interface StreamDeltaEvent {
  kind: 'stream_event';
  eventType: string;
  deltaType: string | undefined;
  parentToolUseId: ParentId;
}

export interface ResultEvent {
  kind: 'result';
  subtype: ResultSubtype;
  isError: boolean;
  durationMs: number | undefined;
  durationApiMs: number | undefined;
  numTurns: number | undefined;
  /** The final answer (success only); may be only a fragment, see RunState.finalText. */
  result: string | undefined;
  /** The CLI's own cost estimate, cumulative for the session (also `cost_usd`/`total_cost` of older CLIs). */
  totalCostUsd: number | undefined;
  /** Main loop only. */
  usage: TokenUsage | undefined;
  /** All models and subagents; preferred for totals. */
  modelUsage: ModelUsageEntry[];
  permissionDenials: { toolName: string; toolUseId: string }[];
  errors: string[];
  structuredOutput: unknown;
  sessionId: string;
  terminalReason: string | undefined;
}

/** A `system` line of a subtype we do not model (status, thinking_tokens, ...). */
export interface OtherSystemEvent {
  kind: 'system';
  subtype: string;
}

/** A JSON object whose `type` we do not know. */
export interface UnknownEvent {
  kind: 'unknown';
  type: string;
  line: string;
}

/** A line that is not a JSON object (debug output, banners, broken JSON). */
export interface TextLineEvent {
  kind: 'text';
  text: string;
}

export type StreamEvent =
  | InitEvent
  | AssistantEvent
  | UserEvent
  | ApiRetryEvent
  | CompactBoundaryEvent
  | TaskEvent
  | PermissionDeniedEvent
  | HookEvent
  | StreamDeltaEvent
  | ResultEvent
  | OtherSystemEvent
  | UnknownEvent
  | TextLineEvent;

// ---------------------------------------------------------------------------
// Run state: what the fold of events knows, and the changes it announces.

export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
  /** One line: command, path, pattern or description, bounded. */
  summary: string;
  parentToolUseId: ParentId;
  /** Sequence number in order of arrival, 1-based, over the whole run. */
  seq: number;
  /** Label of the agent the call belongs to: '' for the main thread, else e.g. 'agent 2: explore deps'. */
  agentLabel: string;
  /** Milliseconds from the injected clock; undefined when the clock gives none (replay). */
  startedAt: number | undefined;
  endedAt: number | undefined;
  /** Set once the result arrived. */
  done: boolean;
  isError: boolean;
  /** Result text (full; renderers bound it). */
  output: string;
}

export interface Subagent {
  /** The Task/Agent tool_use id that started it. */
  toolUseId: string;
  /** Ordinal among subagents, 1-based. */
  index: number;
  description: string;
  subagentType: string;
  taskId: string | undefined;
  status: string;
  background: boolean;
}

export interface ToolStats {
  name: string;
  calls: number;
  errors: number;
  /** Sum of known durations, ms. */
  totalMs: number;
}

export interface RunSnapshot {
  inits: InitEvent[];
  /** Every result in arrival order; the last one is authoritative (results are cumulative). */
  results: ResultEvent[];
  lastResult: ResultEvent | undefined;
  tools: ToolCall[];
  inFlight: ToolCall[];
  toolStats: ToolStats[];
  subagents: Subagent[];
  retries: ApiRetryEvent[];
  permissionDenials: { toolName: string; toolUseId: string; message: string }[];
  compactions: number;
  /** Token totals: modelUsage of the last result when present, else usage counted once per message id. */
  usage: TokenUsage;
  models: string[];
  costUsd: number | undefined;
  numTurns: number | undefined;
  durationMs: number | undefined;
  /** Final answer: result.result, or the main thread's last assistant text when that is longer. */
  finalText: string;
  errors: string[];
  sessionId: string | undefined;
  claudeCodeVersion: string | undefined;
  structuredOutput: unknown;
  textLines: number;
}

export type RunChange =
  | { type: 'session'; init: InitEvent; index: number }
  | { type: 'narration'; text: string; parentToolUseId: ParentId; agentLabel: string }
  | { type: 'thinking'; text: string; parentToolUseId: ParentId; agentLabel: string }
  | { type: 'tool-start'; call: ToolCall }
  | { type: 'tool-end'; call: ToolCall }
  | { type: 'subagent'; agent: Subagent; event: 'started' | 'updated' | 'finished'; summary: string | undefined }
  | { type: 'retry'; retry: ApiRetryEvent }
  | { type: 'compaction'; trigger: string; preTokens: number | undefined }
  | { type: 'permission-denied'; toolName: string; toolUseId: string; message: string }
  | { type: 'hook'; hook: HookEvent }
  | { type: 'api-error'; message: string }
  | { type: 'result'; result: ResultEvent; index: number }
  | { type: 'text'; text: string }
  | { type: 'stderr'; text: string };
