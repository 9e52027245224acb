// Writes a large, realistic stream-json transcript, deterministically from a
// seed. The line shapes follow the CLI captures in test/fixtures/transcripts:
// init, assistant text / thinking / tool_use (same message id across a
// message's lines), user tool_result with string and array content and a
// tool_use_result, subagents (Agent call, task_* lines, parent_tool_use_id),
// api_retry, and one result at the end. Tool results are mostly small, some
// tens of KB, and every few MB one of several MB (the first of them always the
// largest, so files of different sizes hold the same longest line).

import { ChunkWriter } from './chunk-writer.ts';
import { Random } from './random.ts';

export interface GenerateOptions {
  targetBytes: number;
  seed?: number;
  /** Size range of the big tool results, in characters (ASCII-heavy, so about bytes). */
  bigBytes?: [number, number];
  /** Where the first big result goes, in bytes of output. */
  bigFirstAt?: number;
  /** Distance range between big results, in bytes of output. */
  bigEvery?: [number, number];
}

/** What was written: the consumers' counts are checked against it. */
export interface TranscriptStats {
  bytes: number;
  lines: number;
  toolCalls: number;
  bigResults: number;
  maxLineBytes: number;
  subagents: number;
  retries: number;
  results: number;
}

const MB = 1024 * 1024;
export const MODEL = 'claude-opus-5-5';
const EPOCH = Date.UTC(2026, 10, 22, 0, 0, 0);

const TOOLS = ['Task', 'Bash', 'Edit', 'Glob', 'Grep', 'Read', 'Write', 'WebFetch', 'WebSearch', 'TodoWrite', 'mcp__github__get_file_contents'];

export const NARRATION = [
  "I'll look at how the stream is parsed first.",
  'The failing test expects the summary to include the cost line.',
  'Let me check where the machine is destroyed after a timeout.',
  'That confirms it: the retry counter is never reset between attempts.',
  "Now I'll run the test suite to see what else breaks.",
  'The build passes; two lint warnings remain in `src/report/summary.ts`.',
  'Fixing the off-by-one in the line splitter (a CR at the end of a chunk was dropped).',
  'Les tests passent maintenant — la correction était dans `lines.ts`.',
  '修复完成：现在日志按组显示。',
  'Summary so far:\n- parsing: done\n- rendering: in progress\n- cleanup: `fly machine destroy` always runs',
  'Here is the plan:\n1. reproduce with the fixture\n2. patch `RunState.endTool`\n3. add a regression test',
];

export const THINKING = [
  'The user wants the failing job fixed. The log shows an unhandled rejection in the poller; the timer is not cleared when the request aborts.',
  'Two options: buffer the whole output, or stream it. Streaming keeps memory flat, which matters for multi-hour runs.',
  'I should verify the fix against the captured transcript before touching the renderer.',
];

export const CODE = [
  "import { describe, expect, it } from 'vitest';",
  "export function formatUsd(value: number | undefined): string {",
  "  if (value === undefined) return 'unknown';",
  '  return `$${value.toFixed(4)}`;',
  '}',
  '',
  '  const re = /^(\\s*)##\\[/;',
  "  const path = 'C:\\\\Users\\\\runner\\\\work';",
  '\tfor (let i = 0; i < lines.length; i++) {',
  '\t\tif (lines[i].startsWith("::")) continue;',
  '  // Non-ASCII: naïve café — 日本語のコメント — ✓',
  "  throw new Error(`unexpected \"${token}\" at ${line}:${col}`);",
  '  return { conclusion: "success", reason: "Claude finished the task", exitCode: null };',
  '/** The run\'s conclusion, decided from everything we know together. */',
  '  await fetch(`https://api.machines.dev/v1/apps/${app}/machines/${id}/wait?state=stopped`, { signal });',
];

export const LOG = [
  ' ✓ test/stream/lines.test.ts (42 tests) 31ms',
  ' ✗ test/report/summary.test.ts > renders the cost line',
  '\u001b[32m✓\u001b[39m parses a result line \u001b[2m(3 ms)\u001b[22m',
  '\u001b[31mAssertionError: expected "cost $0.0125" to contain "cost $0.01248"\u001b[39m',
  'npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.',
  'src/stream/run-state.ts(212,7): error TS2322: Type \'string\' is not assignable to type \'number\'.',
  '    at RunState.endTool (file:///work/src/stream/run-state.ts:418:12)',
  '##[warning]this line looks like a workflow command but is only output',
  '::set-output name=x::not really',
  'Downloading https://registry.npmjs.org/undici/-/undici-8.12.4.tgz (412 kB)',
  '构建日志: 编译完成，耗时 3.2 秒',
  '{"level":"info","msg":"machine started","id":"148ed726c04e89","region":"fra"}',
  'warning: CRLF will be replaced by LF in test/fixtures/transcripts/basic.jsonl.',
  '-rw-r--r-- 1 runner docker  11884 Nov 22 00:03 basic.jsonl',
];

export const FILES = [
  'src/stream/lines.ts', 'src/stream/events.ts', 'src/stream/run-state.ts', 'src/report/log.ts', 'src/report/summary.ts',
  'src/machine/poller.ts', 'test/stream/run-state.test.ts', 'README.md', 'action.yml', 'docs/DESIGN.md',
];

export const COMMANDS = ['npm test', 'npm run build', 'npx tsc --noEmit', 'git diff --stat', 'ls -la test/fixtures', 'npm run lint -- --max-warnings 0', 'node dist/replay/index.js run.jsonl'];
export const PATTERNS = ['endTool', 'stop-commands', 'decideOutcome', 'TODO|FIXME', 'parent_tool_use_id', 'maxRSS'];

type Json = Record<string, unknown>;

export async function generateTranscript(file: string, options: GenerateOptions): Promise<TranscriptStats> {
  const gen = new Generator(file, options);
  return gen.run();
}

class Generator {
  private readonly out: ChunkWriter;
  private readonly rand: Random;
  private readonly target: number;
  private readonly bigBytes: [number, number];
  private readonly bigEvery: [number, number];
  private nextBigAt: number;
  private readonly sessionId: string;
  private clock = EPOCH;
  private request = 0;
  private turns = 0;
  private readonly stats: TranscriptStats = {
    bytes: 0, lines: 0, toolCalls: 0, bigResults: 0, maxLineBytes: 0, subagents: 0, retries: 0, results: 0,
  };

  constructor(file: string, options: GenerateOptions) {
    this.out = new ChunkWriter(file);
    this.rand = new Random(options.seed ?? 1);
    this.target = options.targetBytes;
    this.bigBytes = options.bigBytes ?? [2 * MB, 5 * MB];
    this.bigEvery = options.bigEvery ?? [6 * MB, 14 * MB];
    this.nextBigAt = options.bigFirstAt ?? Math.min(MB, Math.floor(this.target / 10));
    this.sessionId = this.rand.uuid();
  }

  async run(): Promise<TranscriptStats> {
    await this.init();
    let first = true;
    while (this.out.bytes < this.target) {
      if (this.out.bytes >= this.nextBigAt) {
        // The first big result is the largest, so every file holds the same longest line.
        await this.bigResult(first ? this.bigBytes[1] : this.rand.int(this.bigBytes[0], this.bigBytes[1]));
        first = false;
        this.nextBigAt = this.out.bytes + this.rand.int(this.bigEvery[0], this.bigEvery[1]);
        continue;
      }
      this.turns++;
      if (this.turns % 400 === 0) await this.retries();
      if (this.turns % 250 === 0) await this.subagent(this.rand.chance(0.5));
      else await this.turn(null);
    }
    await this.finalAnswer();
    await this.out.close();
    this.stats.bytes = this.out.bytes;
    return this.stats;
  }

  // --- lines ---

  private async line(value: Json): Promise<void> {
    const text = `${JSON.stringify(value)}\n`;
    const before = this.out.bytes;
    await this.out.write(text);
    this.stats.lines++;
    this.stats.maxLineBytes = Math.max(this.stats.maxLineBytes, this.out.bytes - before);
  }

  private stamp(): string {
    this.clock += this.rand.int(2, 900);
    return new Date(this.clock).toISOString();
  }

  private async init(): Promise<void> {
    await this.line({
      type: 'system', subtype: 'init', cwd: '/home/runner/work/app/app', session_id: this.sessionId, tools: TOOLS,
      mcp_servers: [{ name: 'github', status: 'connected' }], model: MODEL, permissionMode: 'bypassPermissions',
      slash_commands: ['review', 'compact', 'context', 'cost', 'init', 'pr-comments'], apiKeySource: 'ANTHROPIC_API_KEY',
      claude_code_version: '2.1.330', output_style: 'default', agents: ['general-purpose', 'Explore', 'Plan'],
      skills: [], plugins: [], uuid: this.rand.uuid(),
    });
  }

  private async assistant(messageId: string, content: Json[], parent: string | null, extra: Json = {}): Promise<void> {
    await this.line({
      type: 'assistant',
      message: {
        id: messageId, type: 'message', role: 'assistant', model: MODEL, content,
        stop_reason: null, stop_sequence: null,
        usage: { input_tokens: this.rand.int(3, 40), output_tokens: this.rand.int(1, 900), cache_creation_input_tokens: this.rand.int(0, 5000), cache_read_input_tokens: this.rand.int(0, 90000) },
        context_management: null,
      },
      parent_tool_use_id: parent, session_id: this.sessionId, uuid: this.rand.uuid(), timestamp: this.stamp(),
      request_id: `req_${String(this.request).padStart(6, '0')}`, ...extra,
    });
  }

  private async toolResult(toolUseId: string, content: string | Json[], parent: string | null, toolUseResult: unknown, isError: boolean, extra: Json = {}): Promise<void> {
    const block: Json = { tool_use_id: toolUseId, type: 'tool_result', content };
    if (isError) block.is_error = true;
    const value: Json = {
      type: 'user', message: { role: 'user', content: [block] }, parent_tool_use_id: parent, session_id: this.sessionId,
      uuid: this.rand.uuid(), timestamp: this.stamp(),
    };
    if (toolUseResult !== undefined) value.tool_use_result = toolUseResult;
    value.tool_result_meta = [{ id: toolUseId, permission_decision: { decision: 'accept', source: 'config', reason_type: 'mode' } }];
    await this.line({ ...value, ...extra });
  }

  // --- text bodies ---

  /** Lines drawn from a pool until about `chars` characters; `numbered` gives Read's `N\t` prefixes. */
  private body(pool: readonly string[], chars: number, numbered = false): string {
    const parts: string[] = [];
    let size = 0;
    let n = 0;
    while (size < chars) {
      n++;
      const line = numbered ? `${n}\t${this.rand.pick(pool)}` : this.rand.pick(pool);
      parts.push(line);
      size += line.length + 1;
    }
    return parts.join('\n');
  }

  /** Usual tool output sizes: mostly small, some tens of KB, a few over 100 KB. */
  private outputSize(): number {
    const r = this.rand.next();
    if (r < 0.6) return this.rand.int(20, 800);
    if (r < 0.92) return this.rand.int(2_000, 30_000);
    return this.rand.int(30_000, 150_000);
  }

  // --- turns ---

  /** One assistant message (optional thinking and narration, 1-3 tool calls) and its results. */
  private async turn(parent: string | null, extra: Json = {}): Promise<void> {
    this.request++;
    const messageId = `msg_${this.rand.id(24)}`;
    if (this.rand.chance(0.1)) {
      await this.assistant(messageId, [{ type: 'thinking', thinking: this.rand.pick(THINKING), signature: `sig_${this.rand.id(40)}` }], parent, extra);
    }
    if (this.rand.chance(0.6)) await this.assistant(messageId, [{ type: 'text', text: this.rand.pick(NARRATION) }], parent, extra);
    const calls = this.rand.chance(0.15) ? this.rand.int(2, 3) : 1;
    const pending: (() => Promise<void>)[] = [];
    for (let i = 0; i < calls; i++) {
      const id = `toolu_${this.rand.id(24)}`;
      this.stats.toolCalls++;
      const { name, input, result } = this.toolCall(id, parent, extra);
      await this.assistant(messageId, [{ type: 'tool_use', id, name, input }], parent, extra);
      pending.push(result);
    }
    for (const result of pending) await result();
  }

  private toolCall(id: string, parent: string | null, extra: Json): { name: string; input: Json; result: () => Promise<void> } {
    const kind = this.rand.int(0, 99);
    const file = this.rand.pick(FILES);
    if (kind < 30) {
      const content = this.body(CODE, this.outputSize());
      const lines = content.split('\n').length;
      const numbered = content.split('\n').map((l, i) => `${i + 1}\t${l}`).join('\n');
      return {
        name: 'Read', input: { file_path: `/home/runner/work/app/app/${file}` },
        result: () => this.toolResult(id, numbered, parent, { type: 'text', file: { filePath: file, content, numLines: lines, startLine: 1, totalLines: lines } }, false, extra),
      };
    }
    if (kind < 58) {
      const command = this.rand.pick(COMMANDS);
      const stdout = this.body(LOG, this.outputSize());
      const failed = this.rand.chance(0.1);
      return {
        name: 'Bash', input: { command, description: `Run ${command.split(' ')[0]}` },
        result: () => this.toolResult(id, failed ? `Exit code 1\n${stdout}` : stdout, parent,
          failed ? `Error: Exit code 1\n${stdout}` : { stdout, stderr: '', interrupted: false, isImage: false, noOutputExpected: false }, failed, extra),
      };
    }
    if (kind < 70) {
      const content = this.body(FILES.map((f, i) => `${f}:${i * 7 + 3}:${this.rand.pick(CODE)}`), this.rand.int(100, 6000));
      const pattern = this.rand.pick(PATTERNS);
      return {
        name: 'Grep', input: { pattern, path: 'src', output_mode: 'content', '-n': true },
        result: () => this.toolResult(id, content, parent, { mode: 'content', numFiles: 4, filenames: [], content, numLines: content.split('\n').length }, false, extra),
      };
    }
    if (kind < 82) {
      const oldString = this.body(CODE, this.rand.int(30, 1500));
      const newString = this.body(CODE, this.rand.int(30, 1500));
      const original = this.body(CODE, this.rand.int(1000, 20000));
      return {
        name: 'Edit', input: { replace_all: false, file_path: `/home/runner/work/app/app/${file}`, old_string: oldString, new_string: newString },
        result: () => this.toolResult(id, `The file ${file} has been updated successfully.`, parent, {
          filePath: file, oldString, newString, originalFile: original,
          structuredPatch: [{ oldStart: 12, oldLines: 3, newStart: 12, newLines: 4, lines: [` ${this.rand.pick(CODE)}`, `-${this.rand.pick(CODE)}`, `+${this.rand.pick(CODE)}`] }],
          userModified: false, replaceAll: false,
        }, false, extra),
      };
    }
    if (kind < 88) {
      const content = this.body(CODE, this.rand.int(300, 20000));
      return {
        name: 'Write', input: { file_path: `/home/runner/work/app/app/${file}`, content },
        result: () => this.toolResult(id, `File created successfully at: ${file}`, parent, { type: 'create', filePath: file, content, structuredPatch: [], originalFile: null }, false, extra),
      };
    }
    if (kind < 94) {
      const names = this.body(FILES, this.rand.int(50, 2000));
      return {
        name: 'Glob', input: { pattern: '**/*.ts' },
        result: () => this.toolResult(id, names, parent, { filenames: names.split('\n'), durationMs: this.rand.int(1, 80), numFiles: names.split('\n').length, truncated: false }, false, extra),
      };
    }
    // An MCP tool: array content of text blocks.
    const text = this.body(CODE, this.outputSize());
    return {
      name: 'mcp__github__get_file_contents', input: { owner: 'octo', repo: 'app', path: file },
      result: () => this.toolResult(id, [{ type: 'text', text: `${file} @ main` }, { type: 'text', text }], parent, [{ type: 'text', text: `${file} @ main` }, { type: 'text', text }], false, extra),
    };
  }

  /** A tool result of several MB: Bash output persisted by the CLI (preview in content, full stdout aside), or MCP array content. */
  private async bigResult(chars: number): Promise<void> {
    this.request++;
    this.stats.bigResults++;
    this.stats.toolCalls++;
    const messageId = `msg_${this.rand.id(24)}`;
    const id = `toolu_${this.rand.id(24)}`;
    if (this.stats.bigResults % 2 === 1) {
      await this.assistant(messageId, [{ type: 'tool_use', id, name: 'Bash', input: { command: 'npm run build -- --verbose 2>&1', description: 'Verbose build' } }], null);
      const stdout = this.body(LOG, chars);
      const preview = `<persisted-output>\nOutput too large (${(chars / 1024).toFixed(1)}KB). Full output saved to: /home/runner/.claude/projects/app/${this.sessionId}/tool-results/${this.rand.id(9)}.txt\n\nPreview (first 2KB):\n${stdout.slice(0, 2048)}\n...\n</persisted-output>`;
      await this.toolResult(id, preview, null, {
        stdout, stderr: '', interrupted: false, isImage: false, noOutputExpected: false,
        persistedOutputPath: `/home/runner/.claude/projects/app/${this.sessionId}/tool-results/x.txt`, persistedOutputSize: chars,
      }, false);
    } else {
      await this.assistant(messageId, [{ type: 'tool_use', id, name: 'mcp__github__get_file_contents', input: { owner: 'octo', repo: 'app', path: 'dist/main/index.js' } }], null);
      const half = Math.floor(chars / 2);
      await this.toolResult(id, [{ type: 'text', text: this.body(CODE, half, true) }, { type: 'text', text: this.body(LOG, chars - half) }], null, undefined, false);
    }
  }

  /** An Agent call: task_started, a few subagent turns, task_progress, its result, task_notification. */
  private async subagent(background: boolean): Promise<void> {
    this.request++;
    this.stats.subagents++;
    this.stats.toolCalls++;
    const id = `toolu_${this.rand.id(24)}`;
    const taskId = this.rand.id(17);
    const description = this.rand.pick(['Audit error handling', 'Explore the poller', 'Count repository lines', 'Review the summary renderer']);
    const messageId = `msg_${this.rand.id(24)}`;
    await this.assistant(messageId, [{ type: 'tool_use', id, name: 'Agent', input: { description, prompt: `${description} and report findings.`, subagent_type: 'general-purpose', run_in_background: background } }], null);
    await this.line({
      type: 'system', subtype: 'task_started', task_id: taskId, tool_use_id: id, description, subagent_type: 'general-purpose',
      is_backgrounded: background, task_type: 'local_agent', prompt: `${description} and report findings.`, uuid: this.rand.uuid(), session_id: this.sessionId,
    });
    const launched = `Async agent launched successfully.\nagentId: ${taskId} (internal ID - do not mention to user.)\nThe agent is working in the background.`;
    if (background) {
      await this.toolResult(id, [{ type: 'text', text: launched }], null, { isAsync: true, status: 'async_launched', agentId: taskId, description }, false);
    }
    const extra = { agent_id: taskId, subagent_type: 'general-purpose', task_description: description };
    const turns = this.rand.int(3, 12);
    for (let i = 0; i < turns; i++) {
      await this.turn(id, extra);
      await this.line({
        type: 'system', subtype: 'task_progress', task_id: taskId, tool_use_id: id, description: `Running ${this.rand.pick(COMMANDS)}`,
        subagent_type: 'general-purpose', usage: { total_tokens: this.rand.int(100, 90000), tool_uses: i + 1, duration_ms: this.rand.int(100, 90000) },
        last_tool_name: 'Bash', uuid: this.rand.uuid(), session_id: this.sessionId,
      });
    }
    const report = this.body(NARRATION, this.rand.int(200, 4000));
    if (!background) {
      await this.toolResult(id, [{ type: 'text', text: report }], null, { status: 'completed', prompt: description, agentId: taskId, content: [{ type: 'text', text: report }], totalDurationMs: 61234, totalTokens: 48211, totalToolUseCount: turns }, false);
    }
    await this.line({ type: 'system', subtype: 'task_updated', task_id: taskId, patch: { status: 'completed', end_time: this.clock }, uuid: this.rand.uuid(), session_id: this.sessionId });
    await this.line({
      type: 'system', subtype: 'task_notification', task_id: taskId, tool_use_id: id, status: 'completed', output_file: `/tmp/claude-0/tasks/${taskId}.output`,
      summary: report.slice(0, 200), summary_is_report: true, usage: { total_tokens: 48211, tool_uses: turns, duration_ms: 61234 }, uuid: this.rand.uuid(), session_id: this.sessionId,
    });
  }

  private async retries(): Promise<void> {
    const n = this.rand.int(1, 3);
    for (let attempt = 1; attempt <= n; attempt++) {
      this.stats.retries++;
      await this.line({
        type: 'system', subtype: 'api_retry', attempt, max_retries: 10, retry_delay_ms: 500 * 2 ** attempt + this.rand.int(0, 400),
        error_status: this.rand.pick([429, 529, 500]), error: this.rand.pick(['rate_limit', 'overloaded_error', 'api_error']),
        session_id: this.sessionId, uuid: this.rand.uuid(),
      });
    }
  }

  private async finalAnswer(): Promise<void> {
    this.request++;
    const text = 'Done: the stream parser now handles split lines, the summary shows the cost, and the machine is always destroyed.';
    await this.assistant(`msg_${this.rand.id(24)}`, [{ type: 'text', text }], null);
    this.stats.results++;
    const cost = Math.round(this.turns * 0.0123 * 1e6) / 1e6;
    await this.line({
      type: 'result', subtype: 'success', is_error: false, duration_ms: this.clock - EPOCH, duration_api_ms: Math.floor((this.clock - EPOCH) * 0.7),
      num_turns: this.turns, result: text, stop_reason: 'end_turn', session_id: this.sessionId, total_cost_usd: cost,
      usage: { input_tokens: this.turns * 20, cache_creation_input_tokens: this.turns * 900, cache_read_input_tokens: this.turns * 40000, output_tokens: this.turns * 300, service_tier: 'standard' },
      modelUsage: { [MODEL]: { inputTokens: this.turns * 20, outputTokens: this.turns * 300, cacheReadInputTokens: this.turns * 40000, cacheCreationInputTokens: this.turns * 900, webSearchRequests: 0, costUSD: cost, contextWindow: 1000000, maxOutputTokens: 128000 } },
      permission_denials: [], terminal_reason: 'completed', uuid: this.rand.uuid(),
    });
  }
}
