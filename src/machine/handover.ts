// What the action hands the machine over exec stdin (protocol v1, see the
// README's "Machine image" section): credentials, prompt, repositories and
// Claude's arguments. Pure. Nothing here ever goes into the machine config.
import type { CloneTarget } from '../run/checks.ts';
import type { ClaudeOptions, RepoSettingsMode, Settings } from '../settings.ts';

export const PROTOCOL_VERSION = 1;

export interface Handover {
  version: number;
  prompt: string;
  anthropic_api_key?: string;
  claude_code_oauth_token?: string;
  github_token?: string;
  github_host: string;
  github_server_url: string;
  /** ref: the commit pinned by the runner; trusted_ref: the commit whose CLAUDE.md and (base) settings apply. */
  repos: { repo: string; ref?: string; base_ref?: string; trusted_ref?: string }[];
  repo_settings: RepoSettingsMode;
  fetch_depth: number;
  claude_args: string[];
  env: Record<string, string>;
}

/** Claude Code arguments after `-p --output-format stream-json --verbose`, from the settings. */
export function claudeArgs(options: ClaudeOptions): string[] {
  const args: string[] = [];
  if (options.model) args.push('--model', options.model);
  if (options.maxTurns !== undefined) args.push('--max-turns', String(options.maxTurns));
  if (options.maxBudgetUsd !== undefined) args.push('--max-budget-usd', String(options.maxBudgetUsd));
  args.push('--permission-mode', options.permissionMode);
  if (options.allowedTools.length > 0) args.push(`--allowedTools=${options.allowedTools.join(',')}`);
  if (options.disallowedTools.length > 0) args.push(`--disallowedTools=${options.disallowedTools.join(',')}`);
  if (options.appendSystemPrompt) args.push('--append-system-prompt', options.appendSystemPrompt);
  if (options.jsonSchema) args.push('--json-schema', options.jsonSchema);
  if (options.mcpConfig) args.push('--mcp-config', options.mcpConfig);
  args.push(...options.extraArgs);
  return args;
}

export function buildHandover(settings: Settings, serverUrl: string, clones: CloneTarget[]): Handover {
  const url = new URL(serverUrl);
  const handover: Handover = {
    version: PROTOCOL_VERSION,
    prompt: settings.prompt,
    github_host: url.host || 'github.com',
    // The clone base as the runner names it (GITHUB_SERVER_URL): github.com, a GHES host, or a local path in tests.
    github_server_url: serverUrl.replace(/\/+$/, ''),
    repos: clones.map((c) => ({
      repo: c.repo,
      ref: c.sha,
      ...(c.baseRef ? { base_ref: c.baseRef } : {}),
      ...(c.trustedSha ? { trusted_ref: c.trustedSha } : {}),
    })),
    repo_settings: settings.repoSettings,
    fetch_depth: settings.fetchDepth,
    claude_args: claudeArgs(settings.claude),
    // The endpoint is the action's choice (anthropic-base-url), never env's, which may not set it.
    env: { ...settings.claude.env, ...(settings.anthropicBaseUrl ? { ANTHROPIC_BASE_URL: settings.anthropicBaseUrl } : {}) },
  };
  if (settings.anthropic.kind === 'api-key') handover.anthropic_api_key = settings.anthropic.value;
  else handover.claude_code_oauth_token = settings.anthropic.value;
  if (settings.machineGithubToken) handover.github_token = settings.machineGithubToken;
  return handover;
}
