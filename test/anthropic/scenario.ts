// Scenarios for the Messages API stand-in: what the scripted "model" answers.
//
// File format (test/anthropic/scenarios/*.json): one scenario per file, or an
// array of scenarios in one file.
//
//   {
//     "name": "basic",                    // unique; defaults to the file name
//     "match": "Fix the greeting",        // substring of the FIRST user message's text
//     "steps": [ Step, Step, ... ]        // steps[n] answers a request that already
//   }                                     // holds n assistant messages
//
// A conversation is recognised by its first user message: the text of its text
// blocks (or its string content) with every <system-reminder>...</system-reminder>
// section removed, which the CLI injects into that message. When several
// scenarios match, the one with the longest `match` wins, so a subagent's
// conversation (whose first user message is the Task prompt) can have a script
// of its own even when its prompt quotes the parent's.
//
// Step (all fields optional; blocks are emitted in this order: thinking, text, tools):
//   "thinking":  "..."                      a thinking block (with a signature)
//   "text":      "..."                      a text block
//   "tools":     [{"name": "Read", "input": {...}, "id"?: "toolu_..."}]
//                                           tool_use blocks (several = parallel calls)
//   "content":   [block, ...]               explicit blocks instead of the three above:
//                {"type":"text","text"} | {"type":"thinking","thinking","signature"?}
//                | {"type":"tool_use","name","input","id"?}
//   "stop_reason": "end_turn" | "tool_use" | "max_tokens"
//                                           default: tool_use when the step has tools
//   "usage": {"input_tokens", "output_tokens", "cache_creation_input_tokens",
//             "cache_read_input_tokens"}    default: 10 / 5 / 0 / 0
//   "delayMs":   1500                       wait before answering (every attempt)
//   "failures":  [Failure, ...]             attempts 1..n of this step fail in turn,
//                                           the next attempt gets the normal answer
// Failure (one attempt, or `times` attempts; "always" = every later attempt too):
//   {"status": 429, "type"?: "rate_limit_error", "message"?: "...", "retryAfter"?: 1,
//    "times"?: 2 | "always"}                an HTTP error in Anthropic's error shape;
//                                           `type` defaults from the status
//   {"cutAfterEvents": 3}                   start the SSE answer, then drop the
//                                           connection after that many events
//   {"streamError": "overloaded_error", "afterEvents"?: 2}
//                                           an in-stream `event: error` (HTTP 200)
//
// Requests that offer no tools (title, summary and other side requests of the
// CLI) are not matched against scenarios: they get a short text answer.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type AnswerBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'tool_use'; name: string; input: Record<string, unknown>; id?: string };

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens';

export type Failure =
  | { kind: 'http'; status: number; type: string; message: string; retryAfter: number | undefined }
  | { kind: 'cut'; afterEvents: number }
  | { kind: 'stream-error'; type: string; message: string; afterEvents: number };

export interface Step {
  content: AnswerBlock[];
  stopReason: StopReason;
  usage: Usage;
  delayMs: number;
  /** failures[i] answers attempt i+1; past the end, the normal answer. */
  failures: Failure[];
  /** When set, every attempt past `failures` fails like this (auth failure that never ends). */
  failAlways: Failure | undefined;
}

export interface Scenario {
  name: string;
  match: string;
  steps: Step[];
}

export const DEFAULT_USAGE: Usage = {
  input_tokens: 10,
  output_tokens: 5,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

/** Error type of each status, per Anthropic's published list of HTTP errors. */
export const ERROR_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(where: string, what: string): never {
  throw new ScenarioError(`${where}: ${what}`);
}

function nonNegativeInt(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(where, `expected a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string') fail(where, `expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function checkKeys(obj: Json, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(where, `unknown field "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function parseToolUse(v: unknown, where: string): AnswerBlock {
  if (!isObject(v)) fail(where, 'expected an object {name, input, id?}');
  checkKeys(v, ['type', 'name', 'input', 'id'], where);
  const input = v.input ?? {};
  if (!isObject(input)) fail(`${where}.input`, 'expected an object');
  const block: AnswerBlock = { type: 'tool_use', name: str(v.name, `${where}.name`), input };
  if (v.id !== undefined) block.id = str(v.id, `${where}.id`);
  return block;
}

function parseBlock(v: unknown, where: string): AnswerBlock {
  if (!isObject(v)) fail(where, 'expected a content block object');
  switch (v.type) {
    case 'text':
      checkKeys(v, ['type', 'text'], where);
      return { type: 'text', text: str(v.text, `${where}.text`) };
    case 'thinking': {
      checkKeys(v, ['type', 'thinking', 'signature'], where);
      const block: AnswerBlock = { type: 'thinking', thinking: str(v.thinking, `${where}.thinking`) };
      if (v.signature !== undefined) block.signature = str(v.signature, `${where}.signature`);
      return block;
    }
    case 'tool_use':
      return parseToolUse(v, where);
    default:
      return fail(`${where}.type`, `expected "text", "thinking" or "tool_use", got ${JSON.stringify(v.type)}`);
  }
}

function parseUsage(v: unknown, where: string): Usage {
  if (v === undefined) return { ...DEFAULT_USAGE };
  if (!isObject(v)) fail(where, 'expected an object');
  const keys = Object.keys(DEFAULT_USAGE) as (keyof Usage)[];
  checkKeys(v, keys, where);
  const usage = { ...DEFAULT_USAGE };
  for (const key of keys) if (v[key] !== undefined) usage[key] = nonNegativeInt(v[key], `${where}.${key}`);
  return usage;
}

function parseFailure(v: unknown, where: string): { failure: Failure; times: number | 'always' } {
  if (!isObject(v)) fail(where, 'expected an object');
  let times: number | 'always' = 1;
  if (v.times === 'always') times = 'always';
  else if (v.times !== undefined) {
    times = nonNegativeInt(v.times, `${where}.times`);
    if (times < 1) fail(`${where}.times`, 'must be at least 1');
  }
  if (v.cutAfterEvents !== undefined) {
    checkKeys(v, ['cutAfterEvents', 'times'], where);
    return { failure: { kind: 'cut', afterEvents: nonNegativeInt(v.cutAfterEvents, `${where}.cutAfterEvents`) }, times };
  }
  if (v.streamError !== undefined) {
    checkKeys(v, ['streamError', 'message', 'afterEvents', 'times'], where);
    const type = str(v.streamError, `${where}.streamError`);
    const message = v.message === undefined ? `Stand-in ${type}` : str(v.message, `${where}.message`);
    const afterEvents = v.afterEvents === undefined ? 1 : nonNegativeInt(v.afterEvents, `${where}.afterEvents`);
    return { failure: { kind: 'stream-error', type, message, afterEvents }, times };
  }
  checkKeys(v, ['status', 'type', 'message', 'retryAfter', 'times'], where);
  const status = nonNegativeInt(v.status, `${where}.status`);
  if (status < 400 || status > 599) fail(`${where}.status`, `expected an HTTP error status (4xx/5xx), got ${status}`);
  const type = v.type === undefined ? ERROR_TYPE_BY_STATUS[status] : str(v.type, `${where}.type`);
  if (type === undefined) fail(`${where}.type`, `no default error type for status ${status}: give "type"`);
  const message = v.message === undefined ? `Stand-in ${type}` : str(v.message, `${where}.message`);
  const retryAfter = v.retryAfter === undefined ? undefined : nonNegativeInt(v.retryAfter, `${where}.retryAfter`);
  return { failure: { kind: 'http', status, type, message, retryAfter }, times };
}

const STEP_KEYS = ['thinking', 'text', 'tools', 'content', 'stop_reason', 'usage', 'delayMs', 'failures', 'comment'] as const;
const STOP_REASONS: readonly StopReason[] = ['end_turn', 'tool_use', 'max_tokens'];

export function parseStep(v: unknown, where: string): Step {
  if (!isObject(v)) fail(where, 'expected a step object');
  checkKeys(v, STEP_KEYS, where);
  let content: AnswerBlock[] = [];
  if (v.content !== undefined) {
    if (v.thinking !== undefined || v.text !== undefined || v.tools !== undefined) {
      fail(where, 'give either "content" or "thinking"/"text"/"tools", not both');
    }
    if (!Array.isArray(v.content)) fail(`${where}.content`, 'expected an array');
    content = v.content.map((b, i) => parseBlock(b, `${where}.content[${i}]`));
  } else {
    if (v.thinking !== undefined) content.push({ type: 'thinking', thinking: str(v.thinking, `${where}.thinking`) });
    if (v.text !== undefined) content.push({ type: 'text', text: str(v.text, `${where}.text`) });
    if (v.tools !== undefined) {
      if (!Array.isArray(v.tools) || v.tools.length === 0) fail(`${where}.tools`, 'expected a non-empty array');
      v.tools.forEach((t, i) => content.push(parseToolUse(t, `${where}.tools[${i}]`)));
    }
  }
  const failures: Failure[] = [];
  let failAlways: Failure | undefined;
  if (v.failures !== undefined) {
    if (!Array.isArray(v.failures)) fail(`${where}.failures`, 'expected an array');
    v.failures.forEach((f, i) => {
      const w = `${where}.failures[${i}]`;
      if (failAlways) fail(w, 'nothing can follow a failure with "times": "always"');
      const { failure, times } = parseFailure(f, w);
      if (times === 'always') failAlways = failure;
      else for (let n = 0; n < times; n++) failures.push(failure);
    });
  }
  if (content.length === 0 && !failAlways) fail(where, 'a step needs "text", "tools", "thinking" or "content"');
  const hasTools = content.some((b) => b.type === 'tool_use');
  let stopReason: StopReason = hasTools ? 'tool_use' : 'end_turn';
  if (v.stop_reason !== undefined) {
    if (!STOP_REASONS.includes(v.stop_reason as StopReason)) {
      fail(`${where}.stop_reason`, `expected one of ${STOP_REASONS.join(', ')}, got ${JSON.stringify(v.stop_reason)}`);
    }
    stopReason = v.stop_reason as StopReason;
  }
  const delayMs = v.delayMs === undefined ? 0 : nonNegativeInt(v.delayMs, `${where}.delayMs`);
  return { content, stopReason, usage: parseUsage(v.usage, `${where}.usage`), delayMs, failures, failAlways };
}

export function parseScenario(v: unknown, where: string, defaultName?: string): Scenario {
  if (!isObject(v)) fail(where, 'expected a scenario object {name, match, steps}');
  checkKeys(v, ['name', 'match', 'steps', 'comment'], where);
  const name = v.name === undefined && defaultName !== undefined ? defaultName : str(v.name, `${where}.name`);
  const match = str(v.match, `${where}.match`);
  if (match.trim() === '') fail(`${where}.match`, 'must not be empty');
  if (!Array.isArray(v.steps) || v.steps.length === 0) fail(`${where}.steps`, 'expected a non-empty array');
  const steps = v.steps.map((s, i) => parseStep(s, `${where}.steps[${i}]`));
  return { name, match, steps };
}

/** Parses the text of one scenario file (a scenario or an array of them). */
export function parseScenarioFile(text: string, file: string): Scenario[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  const stem = basename(file).replace(/\.json$/, '');
  if (Array.isArray(json)) return json.map((s, i) => parseScenario(s, `${file}[${i}]`));
  return [parseScenario(json, file, stem)];
}

/** Loads a scenario file, or every *.json file of a directory (sorted by name). */
export function loadScenarios(path: string): Scenario[] {
  const files = statSync(path).isDirectory()
    ? readdirSync(path).filter((f) => f.endsWith('.json')).sort().map((f) => join(path, f))
    : [path];
  const scenarios = files.flatMap((f) => parseScenarioFile(readFileSync(f, 'utf8'), f));
  const seen = new Set<string>();
  for (const s of scenarios) {
    if (seen.has(s.name)) throw new ScenarioError(`${path}: two scenarios are named "${s.name}"`);
    seen.add(s.name);
  }
  return scenarios;
}
