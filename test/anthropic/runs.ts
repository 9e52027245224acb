// The scripted runs of the real CLI: prompt, flags and scenario of each, and one
// function that runs one in a fresh workspace against a fresh stand-in. Used by
// capture.ts (to write test/fixtures/transcripts) and by the CLI tests.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claudeEnv, parseLines, runClaude } from './claude-cli.ts';
import type { ClaudeRun } from './claude-cli.ts';
import { loadScenarios } from './scenario.ts';
import { startMessagesStandIn } from './standin.ts';
import type { RecordedRequest } from './standin.ts';
import { makeWorkspace } from './workspace.ts';

export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

export interface RunSpec {
  prompt: string;
  args: string[];
  /** Permission mode flag; null leaves it out (the CLI's default mode). */
  permissionMode: string | null;
  /** Kill the CLI after this long (runs that would otherwise retry for minutes). */
  timeoutMs: number;
  /** Extra environment on top of claudeEnv(). */
  env?: Record<string, string>;
}

export const RUNS: Readonly<Record<string, RunSpec>> = {
  basic: { prompt: 'Fix the greeting typo in greet.js and check it.', args: [], permissionMode: 'bypassPermissions', timeoutMs: 60_000 },
  'parallel-tools': { prompt: 'Survey the repository layout.', args: [], permissionMode: 'bypassPermissions', timeoutMs: 60_000 },
  'background-agent': {
    prompt: 'Audit the repository in the background and tell me when done.',
    args: [],
    permissionMode: 'bypassPermissions',
    timeoutMs: 60_000,
  },
  retries: { prompt: 'Say hello once the API recovers.', args: [], permissionMode: 'bypassPermissions', timeoutMs: 60_000 },
  'max-turns': { prompt: 'Keep checking the build until it is green.', args: ['--max-turns', '2'], permissionMode: 'bypassPermissions', timeoutMs: 60_000 },
  'max-budget': { prompt: 'Run the expensive analysis.', args: ['--max-budget-usd', '0.01'], permissionMode: 'bypassPermissions', timeoutMs: 60_000 },
  'big-output': {
    prompt: 'Print the big build log.',
    args: [],
    permissionMode: 'bypassPermissions',
    timeoutMs: 60_000,
    // The CLI keeps at most this many characters of a Bash output in tool_use_result (default 30000, max 150000).
    env: { BASH_MAX_OUTPUT_LENGTH: '150000' },
  },
  hostile: { prompt: 'Summarise the incident notes in incident.md.', args: [], permissionMode: 'bypassPermissions', timeoutMs: 60_000 },
  // The CLI retries a 401 ten times with back-off capped near 35 s: about three minutes before it gives up.
  'auth-failure': { prompt: 'Try with a revoked key.', args: [], permissionMode: 'bypassPermissions', timeoutMs: 240_000 },
  'permission-denied': { prompt: 'Write the release notes file NOTES.md.', args: ['--allowedTools', 'Read'], permissionMode: null, timeoutMs: 60_000 },
};

export interface ScriptedRun extends ClaudeRun {
  lines: Record<string, unknown>[];
  requests: RecordedRequest[];
  cwd: string;
  durationMs: number;
}

/** Runs RUNS[name] in a fresh workspace under `root` against a stand-in serving every scenario file. */
export async function runScripted(name: string, root: string, overrides: Partial<RunSpec> = {}): Promise<ScriptedRun> {
  const spec = RUNS[name];
  if (spec === undefined) throw new Error(`no run named ${name}`);
  const { prompt, args, permissionMode, timeoutMs, env } = { ...spec, ...overrides };
  const { cwd, home } = makeWorkspace(root);
  const standIn = await startMessagesStandIn({ scenarios: loadScenarios(SCENARIO_DIR) });
  try {
    const started = Date.now();
    const run = await runClaude({
      prompt,
      cwd,
      args,
      permissionMode,
      baseUrl: standIn.url,
      env: { ...claudeEnv({ baseUrl: standIn.url, home }), ...env },
      timeoutMs,
    });
    return { ...run, lines: parseLines(run.stdout), requests: standIn.requests, cwd, durationMs: Date.now() - started };
  } finally {
    await standIn.close();
  }
}
