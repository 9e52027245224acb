// How Claude Code runs: model, limits of its own, permissions, structured
// output, MCP servers, extra CLI arguments and environment; where its API
// requests go (anthropic-base-url) and whether the repository's own Claude
// settings apply (repo-settings): both decide what configures Claude.
import { quote, splitArgs, splitToolList } from '../input-text.ts';
import { readEnv } from './claude-env.ts';
import { checkJsonSchema } from './json-schema.ts';
import { httpUrlProblem, isObject, parseInteger, parseNumber, trimmed, tryJson, type Problems } from './parse.ts';
import type { InputReader, RepoSettingsMode, Settings } from './types.ts';

// The CLI's --permission-mode choices (Claude Code 2.1.330).
const PERMISSION_MODES = ['acceptEdits', 'auto', 'bypassPermissions', 'manual', 'dontAsk', 'plan'];
// Aliases (sonnet, opus[1m]), full names, and provider ids (Bedrock ARNs, Vertex names with @).
const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:/@[\]-]{0,199}$/;
/** claude-args flags the action sets itself: it reads Claude Code's stream-json output. */
const OWNED_CLAUDE_FLAGS = ['-p', '--print', '--output-format', '--input-format'];
/** claude-args flags that load configuration (settings, hooks, plugins, MCP servers, directories) the action must choose. */
const CONFIG_CLAUDE_FLAGS = ['--setting-sources', '--settings', '--add-dir', '--plugin-dir', '--mcp-config'];
const REPO_SETTINGS_MODES: RepoSettingsMode[] = ['none', 'base'];

export type ClaudeSection = Pick<Settings, 'claude' | 'anthropicBaseUrl' | 'repoSettings'>;

export function readClaude(input: InputReader, problems: Problems): ClaudeSection {
  const get = trimmed(input);
  const model = get('model') || undefined;
  if (model && !MODEL.test(model)) {
    problems.add(`model ${quote(model)} is not a model name; use an alias such as sonnet or opus, or a full name such as claude-sonnet-4-5 (letters, digits and . _ - : / @ [ ], no spaces).`);
  }
  const maxTurnsText = get('max-turns');
  const maxTurns = maxTurnsText ? parseInteger(maxTurnsText, 'max-turns', 1, 10_000, problems.add, 'a whole number from 1 to 10000') : undefined;
  const budgetText = get('max-budget-usd');
  const maxBudgetUsd = budgetText
    ? parseNumber(budgetText, 'max-budget-usd', problems.add, { zero: 'refused', hint: 'leave it empty for no limit' })
    : undefined;
  const permissionMode = get('permission-mode') || 'bypassPermissions';
  if (!PERMISSION_MODES.includes(permissionMode)) {
    problems.add(`permission-mode ${quote(permissionMode)} is not one of: ${PERMISSION_MODES.join(', ')}.`);
  }
  const jsonSchema = get('json-schema') || undefined;
  if (jsonSchema) checkJsonSchema(jsonSchema, problems.add);
  const mcpConfig = get('mcp-config') || undefined;
  if (mcpConfig && !isObject(tryJson(mcpConfig))) problems.add('mcp-config must be a JSON object (for example {"mcpServers": {...}}), given inline.');
  const extraArgs = readClaudeArgs(input('claude-args'), problems);
  const env = readEnv(input('env'), problems);
  const anthropicBaseUrl = readAnthropicBaseUrl(get('anthropic-base-url'), problems);
  const repoSettings = (get('repo-settings') || 'none') as RepoSettingsMode;
  if (!REPO_SETTINGS_MODES.includes(repoSettings)) problems.add(`repo-settings ${quote(repoSettings)} is not one of: ${REPO_SETTINGS_MODES.join(', ')}.`);
  const appendSystemPrompt = input('append-system-prompt').trim() ? input('append-system-prompt') : undefined;
  const allowedTools = splitToolList(get('allowed-tools'));
  const disallowedTools = splitToolList(get('disallowed-tools'));
  return {
    claude: { model, maxTurns, maxBudgetUsd, allowedTools, disallowedTools, permissionMode, appendSystemPrompt, jsonSchema, mcpConfig, extraArgs, env },
    anthropicBaseUrl,
    repoSettings,
  };
}

/** claude-args split as a shell would, without the flags the action must own or choose. */
function readClaudeArgs(text: string, problems: Problems): string[] {
  let extraArgs: string[];
  try {
    extraArgs = splitArgs(text);
  } catch (err) {
    problems.add(`claude-args has an ${(err as Error).message}; quote arguments as in a shell.`);
    return [];
  }
  const flags = [...new Set(extraArgs.map((a) => a.split('=')[0] as string))];
  const owned = flags.filter((a) => OWNED_CLAUDE_FLAGS.includes(a));
  if (owned.length > 0) {
    problems.add(`claude-args may not set ${owned.join(', ')}: the action runs Claude Code with -p --output-format stream-json and reads that.`);
  }
  if (extraArgs.includes('--')) {
    problems.add('claude-args may not hold a bare --: the machine adds options after claude-args, and -- would make them prompt text.');
  }
  const config = flags.filter((a) => CONFIG_CLAUDE_FLAGS.includes(a));
  if (config.length > 0) {
    problems.add(`claude-args may not set ${config.join(', ')}: the action chooses what configures Claude (give MCP servers in mcp-config, and repo-settings: base for the repository's own settings).`);
  }
  return extraArgs;
}

/** The gateway Claude's requests go through, without a trailing slash; undefined: Anthropic's own. */
function readAnthropicBaseUrl(text: string, problems: Problems): string | undefined {
  if (!text) return undefined;
  const problem = httpUrlProblem(text, 'anthropic-api-key or claude-code-oauth-token');
  if (problem) problems.add(`anthropic-base-url ${problem}; use an http(s) base URL such as https://api.anthropic.com (or leave it empty for Anthropic's own).`);
  return text.replace(/\/+$/, '');
}
