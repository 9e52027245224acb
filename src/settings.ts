// Inputs -> one typed, validated Settings object. The only module that reads
// the action's inputs. Every bad input is reported here, all at once, naming
// the input and what is allowed, before anything is created or spent.
import { parseVmSize, type GuestSize } from './fly/machine-config.ts';
import type { ToolOutputMode } from './stream/pipeline.ts';

export type InputReader = (name: string) => string;

export interface RepoSpec {
  /** As the user wrote it (owner/name, owner/name@ref, or a URL). */
  spec: string;
  /** owner/name or a full https URL, without the ref. */
  repo: string;
  ref: string | undefined;
  baseRef: string | undefined;
}

export type AnthropicCredential =
  | { kind: 'api-key'; value: string; input: 'anthropic-api-key' }
  | { kind: 'oauth-token'; value: string; input: 'claude-code-oauth-token' };

export interface ClaudeOptions {
  model: string | undefined;
  maxTurns: number | undefined;
  maxBudgetUsd: number | undefined;
  allowedTools: string[];
  disallowedTools: string[];
  permissionMode: string;
  appendSystemPrompt: string | undefined;
  jsonSchema: string | undefined;
  mcpConfig: string | undefined;
  extraArgs: string[];
  env: Record<string, string>;
}

export interface Settings {
  prompt: string;
  repos: RepoSpec[];
  fetchDepth: number;
  anthropic: AnthropicCredential;
  fly: {
    token: string;
    app: string;
    regions: string[];
    apiUrl: string;
    sizeName: string;
    guest: GuestSize;
    image: string;
  };
  githubToken: string;
  machineGithubToken: string;
  claude: ClaudeOptions;
  timeoutMinutes: number;
  /** 0 = off. */
  idleTimeoutMinutes: number;
  toolOutput: ToolOutputMode;
  failOnError: boolean;
  failFastOnAuth: boolean;
  allowedActors: string[];
  allowForkCode: boolean;
  comment: 'auto' | 'off';
  commentKey: string | undefined;
  prNumber: number | undefined;
  /** Every secret value of the run: masked in the log and replaced by *** everywhere we write. */
  secrets: string[];
}

/** What settings need to know about the event (never read from inputs). */
export interface SettingsContext {
  /** owner/name@sha the run is about when `repos` is empty; for a fork, the base side. */
  defaultRepo: RepoSpec | undefined;
  /** The same when allow-fork-code is true: the fork's head, fetched from the base repository. */
  defaultRepoWithForkCode?: RepoSpec | undefined;
  /** The event came from a fork's pull request (its workflows get no secrets). */
  fromFork: boolean;
  /** The image this build of the action publishes (baked in at build time). */
  defaultImage: string;
  readFile: (path: string) => string;
}

export class SettingsError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid input: ${problems[0]}`
        : `Invalid inputs:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'SettingsError';
    this.problems = problems;
  }
}

// The CLI's --permission-mode choices (Claude Code 2.1.330).
const PERMISSION_MODES = ['acceptEdits', 'auto', 'bypassPermissions', 'manual', 'dontAsk', 'plan'];
const TOOL_OUTPUT_MODES: ToolOutputMode[] = ['none', 'truncated', 'full'];
const REGION = /^[a-z]{3}$/;
const REPO_NAME = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const GIT_REF = /^[^\s~^:?*[\\]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `env` names whose values are treated as secrets. */
const SECRET_ENV_NAME = /TOKEN|KEY|SECRET|PASSWORD|CREDENTIAL/i;
export const DEFAULT_FLY_API_URL = 'https://api.machines.dev';
export const DEFAULT_VM_SIZE = 'shared-cpu-2x';
export const DEFAULT_VM_MEMORY_MB = 2048;

export function readSettings(input: InputReader, context: SettingsContext): Settings {
  const problems: string[] = [];
  const get = (name: string) => input(name).trim();
  const fail = (problem: string) => problems.push(problem);
  const forkHint = context.fromFork
    ? ' This run comes from a pull request from a fork: GitHub does not give repository secrets to such runs (see the README, "Fork pull requests").'
    : '';

  // Prompt: exactly one of prompt and prompt-file.
  const promptText = input('prompt');
  const promptFile = get('prompt-file');
  let prompt = '';
  if (promptText.trim() && promptFile) {
    fail('prompt and prompt-file are both set; give exactly one of them.');
  } else if (promptFile) {
    try {
      prompt = context.readFile(promptFile);
    } catch (err) {
      fail(`prompt-file ${JSON.stringify(promptFile)} cannot be read: ${(err as Error).message}`);
    }
    if (!prompt.trim() && problems.length === 0) fail(`prompt-file ${JSON.stringify(promptFile)} is empty.`);
  } else if (promptText.trim()) {
    prompt = promptText;
  } else {
    fail('neither prompt nor prompt-file is set; give exactly one of them.');
  }

  // Repositories.
  const repos: RepoSpec[] = [];
  const allowForkCode = parseBoolean(get('allow-fork-code'), 'allow-fork-code', false, fail);
  const repoLines = splitList(input('repos'));
  const fallbackRepo = allowForkCode ? (context.defaultRepoWithForkCode ?? context.defaultRepo) : context.defaultRepo;
  if (repoLines.length === 0 && fallbackRepo) repos.push(fallbackRepo);
  for (const spec of repoLines) {
    const parsed = parseRepoSpec(spec);
    if (typeof parsed === 'string') fail(parsed);
    else repos.push(parsed);
  }
  const fetchDepth = parseInteger(get('fetch-depth') || '50', 'fetch-depth', 0, 1_000_000, fail, '0 for the full history');

  // Credentials.
  const apiKey = get('anthropic-api-key');
  const oauth = get('claude-code-oauth-token');
  let anthropic: AnthropicCredential = { kind: 'api-key', value: '', input: 'anthropic-api-key' };
  if (apiKey && oauth) fail('anthropic-api-key and claude-code-oauth-token are both set; give one of them.');
  else if (apiKey) anthropic = { kind: 'api-key', value: apiKey, input: 'anthropic-api-key' };
  else if (oauth) anthropic = { kind: 'oauth-token', value: oauth, input: 'claude-code-oauth-token' };
  else fail(`anthropic-api-key or claude-code-oauth-token is required and both are empty.${forkHint}`);

  const flyToken = get('fly-api-token');
  if (!flyToken) fail(`fly-api-token is required and is empty.${forkHint}`);
  const flyApp = get('fly-app');
  if (!flyApp) fail('fly-app is required: the name of the Fly app the machines run in.');
  else if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(flyApp)) {
    fail(`fly-app ${JSON.stringify(flyApp)} is not a Fly app name (lower-case letters, digits and hyphens).`);
  }
  const regions = splitList(get('fly-region'));
  for (const region of regions) {
    if (!REGION.test(region)) {
      fail(`fly-region ${JSON.stringify(region)} is not a Fly region code; use three lower-case letters such as iad or ams, or a list of them.`);
    }
  }
  const flyApiUrl = get('fly-api-url') || DEFAULT_FLY_API_URL;
  if (!/^https?:\/\/[^\s]+$/.test(flyApiUrl)) fail(`fly-api-url ${JSON.stringify(flyApiUrl)} is not an http(s) URL.`);
  const sizeName = get('fly-vm-size') || DEFAULT_VM_SIZE;
  let guest: GuestSize = { cpuKind: 'shared', cpus: 2, memoryMb: DEFAULT_VM_MEMORY_MB };
  try {
    guest = parseVmSize(sizeName, get('fly-vm-memory-mb'));
    // Shared presets default to 256 MB a CPU, too little for Claude Code: give them 2048 MB unless told otherwise.
    if (!get('fly-vm-memory-mb') && guest.cpuKind === 'shared' && guest.memoryMb < DEFAULT_VM_MEMORY_MB) {
      guest = parseVmSize(sizeName, String(DEFAULT_VM_MEMORY_MB));
    }
  } catch (err) {
    fail((err as Error).message);
  }
  const image = get('image') || context.defaultImage;

  const githubToken = get('github-token');
  const machineGithubToken = get('machine-github-token') || githubToken;

  // Claude options.
  const model = get('model') || undefined;
  const maxTurnsText = get('max-turns');
  const maxTurns = maxTurnsText
    ? parseInteger(maxTurnsText, 'max-turns', 1, 10_000, fail, 'a whole number of at least 1')
    : undefined;
  const budgetText = get('max-budget-usd');
  const maxBudgetUsd = budgetText ? parseNumber(budgetText, 'max-budget-usd', fail, true) : undefined;
  const permissionMode = get('permission-mode') || 'bypassPermissions';
  if (!PERMISSION_MODES.includes(permissionMode)) {
    fail(`permission-mode ${JSON.stringify(permissionMode)} is not one of: ${PERMISSION_MODES.join(', ')}.`);
  }
  const jsonSchema = get('json-schema') || undefined;
  if (jsonSchema) checkJsonSchema(jsonSchema, fail);
  const mcpConfig = get('mcp-config') || undefined;
  if (mcpConfig) {
    const parsed = tryJson(mcpConfig);
    if (!isObject(parsed)) fail('mcp-config must be a JSON object (for example {"mcpServers": {...}}), given inline.');
  }
  let extraArgs: string[] = [];
  try {
    extraArgs = splitArgs(input('claude-args'));
  } catch (err) {
    fail(`claude-args: ${(err as Error).message}`);
  }
  const env: Record<string, string> = {};
  for (const line of input('env').split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    const name = eq > 0 ? trimmed.slice(0, eq).trim() : '';
    if (!ENV_NAME.test(name)) {
      fail(`env line ${JSON.stringify(trimmed.slice(0, 40))} is not NAME=value with a valid variable name.`);
      continue;
    }
    env[name] = trimmed.slice(eq + 1);
  }

  // Time limits.
  const timeoutMinutes = parseNumber(get('timeout-minutes') || '30', 'timeout-minutes', fail, false);
  const idleTimeoutMinutes = parseNumber(get('idle-timeout-minutes') || '10', 'idle-timeout-minutes', fail, true, true);

  const toolOutput = (get('tool-output') || 'truncated') as ToolOutputMode;
  if (!TOOL_OUTPUT_MODES.includes(toolOutput)) {
    fail(`tool-output ${JSON.stringify(toolOutput)} is not one of: ${TOOL_OUTPUT_MODES.join(', ')}.`);
  }
  const failOnError = parseBoolean(get('fail-on-error'), 'fail-on-error', true, fail);
  const failFastOnAuth = parseBoolean(get('fail-fast-on-auth'), 'fail-fast-on-auth', true, fail);
  const allowedActors = splitList(get('allowed-actors'));

  const comment = (get('comment') || 'auto') as 'auto' | 'off';
  if (comment !== 'auto' && comment !== 'off') fail(`comment ${JSON.stringify(comment)} is not one of: auto, off.`);
  const commentKey = get('comment-key') || undefined;
  if (commentKey && !/^[A-Za-z0-9._:/-]{1,100}$/.test(commentKey)) {
    fail('comment-key may hold only letters, digits and . _ : / - (at most 100 characters).');
  }
  const prText = get('pr-number');
  const prNumber = prText ? parseInteger(prText, 'pr-number', 1, Number.MAX_SAFE_INTEGER, fail, 'a pull request number') : undefined;

  if (problems.length > 0) throw new SettingsError(problems);

  // Values of `env` whose names say they are credentials are secrets too: masked and redacted everywhere.
  const envSecrets = Object.entries(env)
    .filter(([name]) => SECRET_ENV_NAME.test(name))
    .map(([, value]) => value);
  const secrets = [anthropic.value, flyToken, githubToken, machineGithubToken, ...envSecrets].filter((s) => s.length > 0);
  return {
    prompt,
    repos,
    fetchDepth,
    anthropic,
    fly: { token: flyToken, app: flyApp, regions, apiUrl: flyApiUrl.replace(/\/+$/, ''), sizeName, guest, image },
    githubToken,
    machineGithubToken,
    claude: {
      model,
      maxTurns,
      maxBudgetUsd,
      allowedTools: splitToolList(get('allowed-tools')),
      disallowedTools: splitToolList(get('disallowed-tools')),
      permissionMode,
      appendSystemPrompt: input('append-system-prompt').trim() ? input('append-system-prompt') : undefined,
      jsonSchema,
      mcpConfig,
      extraArgs,
      env,
    },
    timeoutMinutes,
    idleTimeoutMinutes,
    toolOutput,
    failOnError,
    failFastOnAuth,
    allowedActors,
    allowForkCode,
    comment,
    commentKey,
    prNumber,
    secrets: [...new Set(secrets)],
  };
}

/** owner/name, owner/name@ref, or https://host/owner/name(.git)(@ref). Returns a problem text when malformed. */
export function parseRepoSpec(spec: string): RepoSpec | string {
  const allowed = 'use owner/name, owner/name@ref, or https://host/owner/name';
  let repo = spec;
  let ref: string | undefined;
  if (/^https:\/\//.test(spec)) {
    // The ref follows the path: https://host/owner/name(.git)@ref (an @ before the host would be credentials).
    const pathStart = spec.indexOf('/', 'https://'.length);
    const at = pathStart < 0 ? -1 : spec.indexOf('@', pathStart);
    if (at > 0) {
      repo = spec.slice(0, at);
      ref = spec.slice(at + 1);
    }
    let url: URL;
    try {
      url = new URL(repo);
    } catch {
      return `repos entry ${JSON.stringify(spec)} is not a valid URL; ${allowed}.`;
    }
    if (url.username || url.password) {
      return `repos entry ${JSON.stringify(spec)} holds credentials in its URL; remove them (the machine clones with machine-github-token).`;
    }
    const path = url.pathname.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
    if (!REPO_NAME.test(path)) return `repos entry ${JSON.stringify(spec)} does not name owner/name on its host; ${allowed}.`;
  } else {
    const at = spec.indexOf('@');
    if (at >= 0) {
      repo = spec.slice(0, at);
      ref = spec.slice(at + 1);
    }
    if (!REPO_NAME.test(repo)) return `repos entry ${JSON.stringify(spec)} is malformed; ${allowed}.`;
  }
  if (ref !== undefined && (!ref || !GIT_REF.test(ref) || ref.includes('..'))) {
    return `repos entry ${JSON.stringify(spec)} has an invalid ref; ${allowed}.`;
  }
  return { spec, repo, ref, baseRef: undefined };
}

/** Splits a list given one per line and/or separated by commas; blank items and # comments dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !s.startsWith('#'));
}

/** Tool rules, one per line or comma-separated; a comma inside parentheses (Bash(a,b)) stays. */
export function splitToolList(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let item = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if ((ch === ',' && depth === 0) || ch === '\n') {
      items.push(item);
      item = '';
    } else item += ch;
  }
  items.push(item);
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Splits a command line into words the way a POSIX shell would quote them, without expanding anything. */
export function splitArgs(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string)) word += text[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

function parseInteger(
  text: string,
  name: string,
  min: number,
  max: number,
  fail: (p: string) => void,
  allowed: string,
): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(`${name} ${JSON.stringify(text)} is not valid; use ${allowed}.`);
    return min;
  }
  return value;
}

function parseNumber(
  text: string,
  name: string,
  fail: (p: string) => void,
  allowZero: boolean,
  zeroMeansOff = false,
): number {
  const value = Number(text);
  const ok = /^\d+(\.\d+)?$|^\.\d+$/.test(text) && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    const allowed = allowZero
      ? `a number of 0 or more${zeroMeansOff ? ' (0 turns it off)' : ''}`
      : 'a number greater than 0';
    fail(`${name} ${JSON.stringify(text)} is not valid; use ${allowed}; fractions such as 0.5 are fine.`);
    return 0;
  }
  return value;
}

function parseBoolean(text: string, name: string, fallback: boolean, fail: (p: string) => void): boolean {
  if (text === '') return fallback;
  if (/^(true|yes|1|on)$/i.test(text)) return true;
  if (/^(false|no|0|off)$/i.test(text)) return false;
  fail(`${name} ${JSON.stringify(text)} is not a boolean; use true or false.`);
  return fallback;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SCHEMA_TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'];

/** A light check that catches the usual mistakes (not JSON, not an object, a misspelt type) before a paid run. */
function checkJsonSchema(text: string, fail: (p: string) => void): void {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (err) {
    fail(`json-schema is not valid JSON: ${(err as Error).message}`);
    return;
  }
  if (!isObject(schema)) {
    fail('json-schema must be a JSON Schema object such as {"type":"object","properties":{...}}.');
    return;
  }
  const problems: string[] = [];
  const visit = (node: unknown, path: string) => {
    if (!isObject(node)) return;
    const type = node.type;
    const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
    for (const t of types) {
      if (typeof t !== 'string' || !SCHEMA_TYPES.includes(t)) {
        problems.push(`${path}.type ${JSON.stringify(t)} is not one of ${SCHEMA_TYPES.join(', ')}`);
      }
    }
    if (node.properties !== undefined) {
      if (!isObject(node.properties)) problems.push(`${path}.properties must be an object`);
      else for (const [k, v] of Object.entries(node.properties)) visit(v, `${path}.properties.${k}`);
    }
    if (node.required !== undefined && !(Array.isArray(node.required) && node.required.every((r) => typeof r === 'string'))) {
      problems.push(`${path}.required must be an array of property names`);
    }
    if (node.items !== undefined) visit(node.items, `${path}.items`);
  };
  visit(schema, '$');
  if (problems.length > 0) fail(`json-schema is not a valid JSON Schema: ${problems.slice(0, 3).join('; ')}.`);
}
