// What the action hands the machine over exec stdin (protocol v1, see the
// README's "Machine image" section): credentials, prompt, repositories and
// Claude's arguments. Pure. Nothing here ever goes into the machine config.
import type { ClaudeOptions, Settings } from '../settings.ts';

export const PROTOCOL_VERSION = 1;

export interface Handover {
  version: number;
  prompt: string;
  anthropic_api_key?: string;
  claude_code_oauth_token?: string;
  github_token?: string;
  github_host: string;
  github_server_url: string;
  repos: { repo: string; ref?: string; base_ref?: string }[];
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

export function buildHandover(settings: Settings, serverUrl: string): Handover {
  const url = new URL(serverUrl);
  const handover: Handover = {
    version: PROTOCOL_VERSION,
    prompt: settings.prompt,
    github_host: url.host || 'github.com',
    // The clone base as the runner names it (GITHUB_SERVER_URL): github.com, a GHES host, or a local path in tests.
    github_server_url: serverUrl.replace(/\/+$/, ''),
    repos: settings.repos.map((r) => ({
      repo: r.repo,
      ...(r.ref ? { ref: r.ref } : {}),
      ...(r.baseRef ? { base_ref: r.baseRef } : {}),
    })),
    fetch_depth: settings.fetchDepth,
    claude_args: claudeArgs(settings.claude),
    env: { ...settings.claude.env },
  };
  if (settings.anthropic.kind === 'api-key') handover.anthropic_api_key = settings.anthropic.value;
  else handover.claude_code_oauth_token = settings.anthropic.value;
  if (settings.machineGithubToken) handover.github_token = settings.machineGithubToken;
  return handover;
}
