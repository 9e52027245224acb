// The REAL pinned Claude Code CLI against the stand-in: its agent loop and tools
// run for real, only the model is scripted. Assertions are on the raw stream-json lines.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLAUDE_CODE_VERSION, claudeBinary, claudeEnv, parseLines, runClaude } from './claude-cli.ts';
import { firstUserText } from './conversation.ts';
import { RUNS, runScripted, SCENARIO_DIR } from './runs.ts';
import type { ScriptedRun } from './runs.ts';
import { loadScenarios } from './scenario.ts';
import { startMessagesStandIn } from './standin.ts';
import { makeWorkspace } from './workspace.ts';

type Line = Record<string, unknown> & { message?: { id?: string; content?: unknown } };

const root = mkdtempSync(join(tmpdir(), 'standin-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(name: string): Promise<ScriptedRun> {
  return runScripted(name, join(root, name));
}

const ofType = (lines: Line[], type: string, subtype?: string): Line[] =>
  lines.filter((l) => l.type === type && (subtype === undefined || l.subtype === subtype));

function blocks(lines: Line[], lineType: 'assistant' | 'user'): Record<string, unknown>[] {
  return ofType(lines, lineType).flatMap((l) => {
    const content = l.message?.content;
    return Array.isArray(content) ? (content as Record<string, unknown>[]) : [];
  });
}

function toolUses(lines: Line[]): Record<string, unknown>[] {
  return blocks(lines, 'assistant').filter((b) => b.type === 'tool_use');
}

function toolResults(lines: Line[]): Record<string, unknown>[] {
  return blocks(lines, 'user').filter((b) => b.type === 'tool_result');
}

/** Every tool_use has exactly one tool_result with its id, and no result is an orphan. */
function expectPairedTools(lines: Line[]): void {
  const useIds = toolUses(lines).map((b) => b.id);
  const resultIds = toolResults(lines).map((b) => b.tool_use_id);
  expect(useIds.length).toBeGreaterThan(0);
  expect([...resultIds].sort()).toEqual([...useIds].sort());
}

function results(lines: Line[]): Line[] {
  return ofType(lines, 'result');
}

describe('real CLI against the stand-in', () => {
  it('basic: reads, runs, edits the workspace file and answers', async () => {
    const r = await run('basic');
    expect(r.code).toBe(0);
    expect(r.lines.every((l) => l.type !== 'non-json')).toBe(true);
    const init = r.lines[0];
    expect(init).toMatchObject({ type: 'system', subtype: 'init', claude_code_version: CLAUDE_CODE_VERSION, cwd: r.cwd });
    expect(toolUses(r.lines).map((b) => b.name)).toEqual(['Read', 'Bash', 'Edit']);
    expectPairedTools(r.lines);
    expect(toolResults(r.lines).some((b) => String(b.content).includes("2:console.log('Helo, world');"))).toBe(true);
    expect(readFileSync(join(r.cwd, 'greet.js'), 'utf8')).toContain("console.log('Hello, world');");
    expect(blocks(r.lines, 'assistant').some((b) => b.type === 'thinking')).toBe(true);
    const [result] = results(r.lines);
    expect(results(r.lines)).toHaveLength(1);
    expect(result).toMatchObject({ subtype: 'success', is_error: false, num_turns: 4, result: 'Fixed the typo in greet.js: it now prints "Hello, world".' });
    expect(result?.total_cost_usd).toBeGreaterThan(0);
    // One request per step, in order; the conversation was recognised despite the CLI's system-reminder blocks.
    expect(r.requests.filter((q) => q.kind === 'scenario').map((q) => [q.scenario, q.step, q.attempt])).toEqual([
      ['basic', 0, 1],
      ['basic', 1, 1],
      ['basic', 2, 1],
      ['basic', 3, 1],
    ]);
    const firstBody = r.requests[0]?.body as { messages: { content: { text?: string }[] }[] };
    expect(firstBody.messages[0]?.content.some((b) => b.text?.startsWith('<system-reminder>'))).toBe(true);
    expect(firstUserText(firstBody)).toBe('Fix the greeting typo in greet.js and check it.');
  });

  it('parallel-tools: one assistant message holds three tool calls, each answered', async () => {
    const r = await run('parallel-tools');
    expect(r.code).toBe(0);
    const uses = ofType(r.lines, 'assistant').filter((l) => JSON.stringify(l.message?.content).includes('"tool_use"'));
    expect(uses).toHaveLength(3);
    expect(new Set(uses.map((l) => l.message?.id)).size).toBe(1);
    expectPairedTools(r.lines);
    // The CLI sends the three calls back as one assistant message.
    const second = r.requests[1]?.body as { messages: { role: string; content: { type: string }[] }[] };
    const assistants = second.messages.filter((m) => m.role === 'assistant');
    expect(assistants).toHaveLength(1);
    expect(assistants[0]?.content.filter((b) => b.type === 'tool_use')).toHaveLength(3);
    expect(results(r.lines)[0]).toMatchObject({ subtype: 'success', result: 'The repository holds a README, greet.js and one commit.' });
  });

  it('background-agent: a second init and a second result when the agent finishes after the main turn', async () => {
    const r = await run('background-agent');
    expect(r.code).toBe(0);
    expect(ofType(r.lines, 'system', 'init')).toHaveLength(2);
    const rs = results(r.lines);
    expect(rs).toHaveLength(2);
    expect(rs.map((l) => l.result_index)).toEqual([0, 1]);
    expect(rs[1]?.origin).toMatchObject({ kind: 'task-notification' });
    expect(rs[1]?.total_cost_usd as number).toBeGreaterThanOrEqual(rs[0]?.total_cost_usd as number);
    const agentCall = toolUses(r.lines).find((b) => b.name === 'Agent');
    expect(agentCall?.input).toMatchObject({ run_in_background: true });
    const sub = r.lines.filter((l) => l.parent_tool_use_id === agentCall?.id);
    expect(sub.length).toBeGreaterThan(0);
    expect(ofType(r.lines, 'system', 'task_started')[0]).toMatchObject({ tool_use_id: agentCall?.id });
    expect(ofType(r.lines, 'system', 'task_notification')).toHaveLength(1);
    // The subagent's conversation got its own script.
    expect(r.requests.filter((q) => q.scenario === 'background-agent-worker').map((q) => q.step)).toEqual([0, 1]);
    expect(r.requests.filter((q) => q.scenario === 'background-agent').map((q) => q.step)).toEqual([0, 1, 2]);
  });

  it('retries: 429, 529 and 500 each give a system/api_retry line, then the answer', async () => {
    const r = await run('retries');
    expect(r.code).toBe(0);
    const retries = ofType(r.lines, 'system', 'api_retry');
    expect(retries.map((l) => [l.attempt, l.error_status, l.error])).toEqual([
      [1, 429, 'rate_limit'],
      [2, 529, 'overloaded'],
      [3, 500, 'server_error'],
    ]);
    for (const l of retries) expect(l.retry_delay_ms).toBeGreaterThan(0);
    expect(r.requests.map((q) => [q.attempt, q.status])).toEqual([
      [1, 429],
      [2, 529],
      [3, 500],
      [4, 200],
    ]);
    expect(results(r.lines)[0]).toMatchObject({ subtype: 'success', is_error: false, result: 'Hello after three retries.' });
  });

  it('max-turns: stops with error_max_turns', async () => {
    const r = await run('max-turns');
    const [result] = results(r.lines);
    expect(result).toMatchObject({ subtype: 'error_max_turns', is_error: true });
    expect(r.code).toBe(1);
    expect(toolUses(r.lines)).toHaveLength(2);
  });

  it('max-budget: stops with error_max_budget_usd once the cost passes the budget', async () => {
    const r = await run('max-budget');
    const [result] = results(r.lines);
    expect(result).toMatchObject({ subtype: 'error_max_budget_usd' });
    expect(result?.total_cost_usd as number).toBeGreaterThan(0.01);
    expect(r.code).toBe(1);
  });

  it('hostile: workflow commands and HTML pass through verbatim, inside JSON lines only', async () => {
    const r = await run('hostile');
    expect(r.code).toBe(0);
    const stdout = r.stdout.toString('utf8');
    // Every stdout line is JSON: no workflow command can start a line of its own.
    for (const line of stdout.split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line)).not.toThrow();
    const text = blocks(r.lines, 'assistant').filter((b) => b.type === 'text').map((b) => b.text).join('\n');
    for (const s of ['::error::pwned', '::add-mask::x', '##[group]x', '::stop-commands::abc', '\r::warning::x', '<script>', 'onerror=', '@octocat']) {
      expect(text).toContain(s);
    }
    const bash = toolUses(r.lines).find((b) => b.name === 'Bash');
    expect(JSON.stringify(bash?.input)).toContain('::error file=x::pwned-from-tool');
    const output = toolResults(r.lines).map((b) => String(b.content)).join('\n');
    for (const s of ['::error::pwned-from-file', '::error file=x::pwned-from-tool', '##[endgroup]', '\r::set-output name=x::y', '<script>']) {
      expect(output).toContain(s);
    }
    expect(String(results(r.lines)[0]?.result)).toContain('<img src=x onerror=alert(1)>');
  });

  it('permission-denied: a tool outside --allowedTools is denied and reported', async () => {
    const r = await run('permission-denied');
    expect(r.code).toBe(0);
    expect(ofType(r.lines, 'system', 'permission_denied')[0]).toMatchObject({ tool_name: 'Write' });
    const [denied] = toolResults(r.lines);
    expect(denied?.is_error).toBe(true);
    expect(existsSync(join(r.cwd, 'NOTES.md'))).toBe(false);
    expect(results(r.lines)[0]?.permission_denials).toEqual([expect.objectContaining({ tool_name: 'Write' })]);
  });

  it('auth-failure: 401 gives api_retry lines with authentication_failed (cut short by a timeout)', async () => {
    const r = await runScripted('auth-failure', join(root, 'auth-failure'), { timeoutMs: 2500 });
    const retries = ofType(r.lines, 'system', 'api_retry');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    for (const l of retries) expect(l).toMatchObject({ error_status: 401, error: 'authentication_failed', max_retries: 10 });
    expect(results(r.lines)).toHaveLength(0);
    expect(r.requests.every((q) => q.status === 401)).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)('as root without IS_SANDBOX, refuses bypassPermissions: exit 1, one stderr line, empty stdout', async () => {
    const { cwd, home } = makeWorkspace(join(root, 'root-refusal'));
    const env = claudeEnv({ baseUrl: 'http://127.0.0.1:9', home });
    delete env.IS_SANDBOX;
    const r = await runClaude({ prompt: 'hello', cwd, env, baseUrl: env.ANTHROPIC_BASE_URL ?? '', timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/root/);
  });

  it('takes the prompt on stdin as well', async () => {
    const { cwd, home } = makeWorkspace(join(root, 'stdin'));
    const standIn = await startMessagesStandIn({ scenarios: loadScenarios(SCENARIO_DIR) });
    try {
      const r = await runClaude({ prompt: RUNS['parallel-tools']?.prompt ?? '', promptOnStdin: true, cwd, baseUrl: standIn.url, env: claudeEnv({ baseUrl: standIn.url, home }) });
      expect(r.code).toBe(0);
      expect(standIn.requests[0]).toMatchObject({ kind: 'scenario', scenario: 'parallel-tools' });
      expect(parseLines(r.stdout).at(-1)).toMatchObject({ type: 'result', subtype: 'success' });
    } finally {
      await standIn.close();
    }
  });

  it('the binary is the pinned version', () => {
    const out = execFileSync(claudeBinary(), ['--version'], { env: claudeEnv({ baseUrl: 'http://127.0.0.1:9', home: root }), encoding: 'utf8' });
    expect(out.trim().split(/\s/)[0]).toBe(CLAUDE_CODE_VERSION);
  });
});
