// Inputs -> one typed, validated Settings object. The only module that reads
// the action's inputs. Every bad input is reported here, all at once, naming
// the input and what is allowed, before anything is created or spent.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { parseVmSize, type GuestSize } from './fly/machine-config.ts';
import { kib, quote, quoteList, splitArgs, splitList, splitToolList } from './input-text.ts';
import { parseRepoSpec, type RepoSpec } from './repo-spec.ts';
import type { ToolOutputMode } from './report/log.ts';

export type InputReader = (name: string) => string;

export type RepoSettingsMode = 'none' | 'base';

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
  /** `repos` was empty: the one repository is the event's (its commit pinned by the checks). */
  reposFromEvent: boolean;
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
  /** Where Claude and the runner's key check send Anthropic API requests; undefined: Anthropic's own. */
  anthropicBaseUrl: string | undefined;
  /** `base`: the repository's own Claude settings apply, taken from the trusted side (base or default branch). */
  repoSettings: RepoSettingsMode;
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
  /**
   * Directories a prompt-file may lie in, symlinks resolved: the workspace
   * first (relative paths start there), then the runner's temp directory.
   */
  promptFileDirs: string[];
  /** Looks at a prompt file (an absolute path): reads it only when it is a file of at most maxBytes. */
  readFile: (path: string, maxBytes: number) => FileRead;
  /** What is wrong with the runner's event and environment (see eventProblems), listed first. */
  eventProblems?: string[];
}

/** A prompt file as the runner found it; realPath has every symlink resolved. */
export type FileRead =
  | { kind: 'file'; realPath: string; text: string }
  | { kind: 'too-big'; realPath: string; bytes: number }
  | { kind: 'not-a-file'; realPath: string }
  | { kind: 'missing' }
  | { kind: 'unreadable'; message: string };

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
// Fly app names are DNS labels: lower-case letters, digits and inner hyphens.
const FLY_APP = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// registry[:port]/path[:tag][@sha256:digest]; path components lower-case, as Docker requires.
const IMAGE_REF =
  /^[A-Za-z0-9][A-Za-z0-9.-]*(?::\d+)?(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
// Aliases (sonnet, opus[1m]), full names, and provider ids (Bedrock ARNs, Vertex names with @).
const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:/@[\]-]{0,199}$/;
const ACTOR = /^(?:\*|[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:\[bot\])?)$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `env` names whose values are treated as secrets. */
const SECRET_ENV_NAME = /TOKEN|KEY|SECRET|PASSWORD|CREDENTIAL/i;
/** `env` names the machine sets for Claude itself, and the input that sets each where there is one. */
const RESERVED_ENV: Record<string, string> = {
  ANTHROPIC_API_KEY: 'anthropic-api-key',
  CLAUDE_CODE_OAUTH_TOKEN: 'claude-code-oauth-token',
  GH_TOKEN: 'machine-github-token',
  GITHUB_TOKEN: 'machine-github-token',
  GH_ENTERPRISE_TOKEN: 'machine-github-token',
  GH_HOST: '',
  HOME: '',
  PATH: '',
  USER: '',
  LOGNAME: '',
};
const RESERVED_ENV_PREFIX = /^(CFA_|GIT_CONFIG_(COUNT$|KEY_|VALUE_))/;
/**
 * `env` names that would move Claude's requests (and the credential with them) or its configuration
 * somewhere the action does not choose: a cloned repository must never be able to steer these either.
 */
const ENDPOINT_ENV =
  /^(ANTHROPIC_BASE_URL|ANTHROPIC_AUTH_TOKEN|ANTHROPIC_CUSTOM_HEADERS|ANTHROPIC_\w*_BASE_URL|CLAUDE_CODE_USE_\w+|CLAUDE_CONFIG_DIR|CLAUDE_CODE_ADDITIONAL_DIRECTORIES_CLAUDE_MD)$/;
/** claude-args flags the action sets itself: it reads Claude Code's stream-json output. */
const OWNED_CLAUDE_FLAGS = ['-p', '--print', '--output-format', '--input-format'];
/** claude-args flags that load configuration (settings, hooks, plugins, MCP servers, directories) the action must choose. */
const CONFIG_CLAUDE_FLAGS = ['--setting-sources', '--settings', '--add-dir', '--plugin-dir', '--mcp-config'];
const REPO_SETTINGS_MODES: RepoSettingsMode[] = ['none', 'base'];
/** One machine clones them all before Claude starts; a longer list is a mistake. */
export const MAX_REPOS = 20;
/** GitHub ends a job after at most 5 days (self-hosted runners; 6 hours on GitHub's). */
export const MAX_TIMEOUT_MINUTES = 7200;
/** A prompt is instructions; long material belongs in the repository, where Claude reads it. */
export const MAX_PROMPT_BYTES = 256 * 1024;
export const DEFAULT_FLY_API_URL = 'https://api.machines.dev';
export const DEFAULT_VM_SIZE = 'shared-cpu-2x';
export const DEFAULT_VM_MEMORY_MB = 2048;

export function readSettings(input: InputReader, context: SettingsContext): Settings {
  const problems: string[] = [...(context.eventProblems ?? [])];
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
    const read = readPromptFile(promptFile, context);
    if (typeof read === 'string') fail(read);
    else prompt = read.text;
  } else if (promptText.trim()) {
    if (Buffer.byteLength(promptText) > MAX_PROMPT_BYTES) fail(`prompt holds ${kib(Buffer.byteLength(promptText))}; ${PROMPT_SIZE_RULE}`);
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
  if (repoLines.length > MAX_REPOS) {
    fail(`repos lists ${repoLines.length} repositories; give at most ${MAX_REPOS}.`);
  } else {
    const bad: string[] = [];
    for (const spec of repoLines) {
      const parsed = parseRepoSpec(spec);
      if (typeof parsed === 'string') bad.push(parsed);
      else repos.push(parsed);
    }
    const more = bad.length - 1;
    if (bad.length > 0) fail(more === 0 ? (bad[0] as string) : `${bad[0]?.replace(/\.$/, '')}; ${more} more ${more === 1 ? 'entry is' : 'entries are'} bad too.`);
  }
  const fetchDepth = parseInteger(get('fetch-depth') || '50', 'fetch-depth', 0, 1_000_000, fail, '0 for the full history');

  // Credentials. Their values are never quoted in a problem.
  const apiKey = get('anthropic-api-key');
  const oauth = get('claude-code-oauth-token');
  let anthropic: AnthropicCredential = { kind: 'api-key', value: '', input: 'anthropic-api-key' };
  if (apiKey && oauth) fail('anthropic-api-key and claude-code-oauth-token are both set; give one of them.');
  else if (apiKey) anthropic = { kind: 'api-key', value: apiKey, input: 'anthropic-api-key' };
  else if (oauth) anthropic = { kind: 'oauth-token', value: oauth, input: 'claude-code-oauth-token' };
  else fail(`anthropic-api-key or claude-code-oauth-token is required and both are empty.${forkHint}`);

  const flyToken = get('fly-api-token');
  if (!flyToken) fail(`fly-api-token is required and is empty.${forkHint}`);
  const githubToken = get('github-token');
  const machineGithubToken = get('machine-github-token') || githubToken;
  const tokens: [string, string][] = [
    ['anthropic-api-key', apiKey],
    ['claude-code-oauth-token', oauth],
    ['fly-api-token', flyToken],
    ['github-token', githubToken],
    ['machine-github-token', get('machine-github-token')],
  ];
  for (const [name, value] of tokens) {
    // A line break would end an HTTP header (or start a workflow command) wherever the token is sent.
    if (/[\x00-\x1f\x7f]/.test(value)) fail(`${name} holds a line break or another control character; give the token on one line.`);
  }

  // Fly.
  const flyApp = get('fly-app');
  if (!flyApp) fail('fly-app is required: the name of the Fly app the machines run in.');
  else if (!FLY_APP.test(flyApp)) {
    fail(`fly-app ${quote(flyApp)} is not a Fly app name; use 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit.`);
  }
  const regions = splitList(get('fly-region'));
  const badRegions = regions.filter((r) => !REGION.test(r));
  if (badRegions.length > 0) {
    fail(`fly-region ${quoteList(badRegions)} ${badRegions.length === 1 ? 'is not a Fly region code' : 'are not Fly region codes'}; use three lower-case letters such as iad or ams, or a list of them.`);
  }
  const flyApiUrl = get('fly-api-url') || DEFAULT_FLY_API_URL;
  const urlProblem = httpUrlProblem(flyApiUrl, 'fly-api-token');
  if (urlProblem) fail(`fly-api-url ${urlProblem}; use an http(s) base URL such as ${DEFAULT_FLY_API_URL}.`);
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
  const imageInput = get('image');
  if (imageInput && !IMAGE_REF.test(imageInput)) {
    fail(`image ${quote(imageInput)} is not an image reference; use registry/name:tag or registry/name@sha256:digest (or leave it empty for this version's image).`);
  }
  const image = imageInput || context.defaultImage;

  // Claude options.
  const model = get('model') || undefined;
  if (model && !MODEL.test(model)) {
    fail(`model ${quote(model)} is not a model name; use an alias such as sonnet or opus, or a full name such as claude-sonnet-4-5 (letters, digits and . _ - : / @ [ ], no spaces).`);
  }
  const maxTurnsText = get('max-turns');
  const maxTurns = maxTurnsText
    ? parseInteger(maxTurnsText, 'max-turns', 1, 10_000, fail, 'a whole number from 1 to 10000')
    : undefined;
  const budgetText = get('max-budget-usd');
  const maxBudgetUsd = budgetText
    ? parseNumber(budgetText, 'max-budget-usd', fail, { zero: 'refused', hint: 'leave it empty for no limit' })
    : undefined;
  const permissionMode = get('permission-mode') || 'bypassPermissions';
  if (!PERMISSION_MODES.includes(permissionMode)) {
    fail(`permission-mode ${quote(permissionMode)} is not one of: ${PERMISSION_MODES.join(', ')}.`);
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
    const flags = [...new Set(extraArgs.map((a) => a.split('=')[0] as string))];
    const owned = flags.filter((a) => OWNED_CLAUDE_FLAGS.includes(a));
    if (owned.length > 0) {
      fail(`claude-args may not set ${owned.join(', ')}: the action runs Claude Code with -p --output-format stream-json and reads that.`);
    }
    if (extraArgs.includes('--')) {
      fail('claude-args may not hold a bare --: the machine adds options after claude-args, and -- would make them prompt text.');
    }
    const config = flags.filter((a) => CONFIG_CLAUDE_FLAGS.includes(a));
    if (config.length > 0) {
      fail(`claude-args may not set ${config.join(', ')}: the action chooses what configures Claude (give MCP servers in mcp-config, and repo-settings: base for the repository's own settings).`);
    }
  } catch (err) {
    fail(`claude-args has an ${(err as Error).message}; quote arguments as in a shell.`);
  }
  const env: Record<string, string> = {};
  const badEnvLines: string[] = [];
  const reservedEnv: string[] = [];
  const endpointEnv: string[] = [];
  for (const line of input('env').split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    const name = eq > 0 ? trimmed.slice(0, eq).trim() : '';
    if (!ENV_NAME.test(name)) badEnvLines.push(trimmed);
    else if (name in RESERVED_ENV || RESERVED_ENV_PREFIX.test(name)) reservedEnv.push(name);
    else if (ENDPOINT_ENV.test(name)) endpointEnv.push(name);
    else env[name] = trimmed.slice(eq + 1);
  }
  const envProblems: string[] = [];
  if (badEnvLines.length > 0) {
    envProblems.push(`env ${badEnvLines.length === 1 ? 'line' : 'lines'} ${quoteList(badEnvLines)} ${badEnvLines.length === 1 ? 'is' : 'are'} not NAME=value with a variable name of letters, digits and _`);
  }
  if (reservedEnv.length > 0) {
    const use = [...new Set(reservedEnv.map((n) => RESERVED_ENV[n]).filter(Boolean))];
    envProblems.push(
      `env may not set ${reservedEnv.join(', ')}: the machine sets ${reservedEnv.length === 1 ? 'it' : 'them'} for Claude${use.length > 0 ? ` (give ${use.join(', ')} instead)` : ''}`,
    );
  }
  if (endpointEnv.length > 0) {
    envProblems.push(
      `env may not set ${endpointEnv.join(', ')}: ${endpointEnv.length === 1 ? 'it chooses' : 'they choose'} where Claude sends its requests and credential, or where its configuration comes from (give anthropic-base-url for a gateway)`,
    );
  }
  if (envProblems.length > 0) fail(`${envProblems.join('; ')}.`);

  const anthropicBaseUrl = get('anthropic-base-url') || undefined;
  const baseUrlProblem = anthropicBaseUrl ? httpUrlProblem(anthropicBaseUrl, 'anthropic-api-key or claude-code-oauth-token') : undefined;
  if (baseUrlProblem) fail(`anthropic-base-url ${baseUrlProblem}; use an http(s) base URL such as https://api.anthropic.com (or leave it empty for Anthropic's own).`);
  const repoSettings = (get('repo-settings') || 'none') as RepoSettingsMode;
  if (!REPO_SETTINGS_MODES.includes(repoSettings)) fail(`repo-settings ${quote(repoSettings)} is not one of: ${REPO_SETTINGS_MODES.join(', ')}.`);

  // Time limits.
  const timeoutMinutes = parseNumber(get('timeout-minutes') || '30', 'timeout-minutes', fail, { zero: 'refused', max: MAX_TIMEOUT_MINUTES });
  const idleTimeoutMinutes = parseNumber(get('idle-timeout-minutes') || '10', 'idle-timeout-minutes', fail, {
    zero: 'turns it off',
    max: MAX_TIMEOUT_MINUTES,
  });

  const toolOutput = (get('tool-output') || 'truncated') as ToolOutputMode;
  if (!TOOL_OUTPUT_MODES.includes(toolOutput)) {
    fail(`tool-output ${quote(toolOutput)} is not one of: ${TOOL_OUTPUT_MODES.join(', ')}.`);
  }
  const failOnError = parseBoolean(get('fail-on-error'), 'fail-on-error', true, fail);
  const failFastOnAuth = parseBoolean(get('fail-fast-on-auth'), 'fail-fast-on-auth', true, fail);
  const allowedActors = splitList(get('allowed-actors'));
  const badActors = allowedActors.filter((a) => !ACTOR.test(a));
  if (badActors.length > 0) {
    fail(`allowed-actors ${quoteList(badActors)} ${badActors.length === 1 ? 'is not a GitHub login' : 'are not GitHub logins'}; use logins such as octocat or renovate[bot] (without @), or * for everyone.`);
  }

  const comment = (get('comment') || 'auto') as 'auto' | 'off';
  if (comment !== 'auto' && comment !== 'off') fail(`comment ${quote(comment)} is not one of: auto, off.`);
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
    reposFromEvent: repoLines.length === 0,
    fetchDepth,
    anthropic,
    fly: { token: flyToken, app: flyApp, regions, apiUrl: flyApiUrl.replace(/\/+$/, ''), sizeName, guest, image },
    githubToken,
    machineGithubToken,
    anthropicBaseUrl: anthropicBaseUrl?.replace(/\/+$/, ''),
    repoSettings,
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

const PROMPT_SIZE_RULE = `a prompt may hold at most ${MAX_PROMPT_BYTES / 1024} KiB: put long material in the repository and point Claude at it.`;
const PROMPT_FILE_RULE = 'give a text file in the workspace or in the runner\'s temp directory (RUNNER_TEMP)';

/** The prompt from prompt-file, or the problem: the file must lie (symlinks resolved) in promptFileDirs. */
function readPromptFile(path: string, context: SettingsContext): { text: string } | string {
  const what = `prompt-file ${quote(path)}`;
  const [workspace = ''] = context.promptFileDirs;
  const full = resolve(workspace, path);
  const allowed = (p: string) => context.promptFileDirs.some((dir) => isInside(dir, p));
  const outside = `${what} is outside the workspace and RUNNER_TEMP; ${PROMPT_FILE_RULE}.`;
  const found = context.readFile(full, MAX_PROMPT_BYTES);
  if (found.kind === 'missing') return allowed(full) ? `${what} does not exist; ${PROMPT_FILE_RULE}.` : outside;
  if (found.kind === 'unreadable') return `${what} cannot be read (${found.message}); ${PROMPT_FILE_RULE}.`;
  // Checked on the real path: a symbolic link in the workspace (a pull request can add one) must not reach out of it.
  if (!allowed(found.realPath)) return found.realPath === full ? outside : `${what} is a symbolic link to outside the workspace and RUNNER_TEMP; ${PROMPT_FILE_RULE}.`;
  if (found.kind === 'not-a-file') return `${what} is not a file; ${PROMPT_FILE_RULE}.`;
  if (found.kind === 'too-big') return `${what} holds ${kib(found.bytes)}; ${PROMPT_SIZE_RULE}`;
  if (found.text.includes('\0')) return `${what} holds NUL bytes, so it is not text; ${PROMPT_FILE_RULE}.`;
  if (!found.text.trim()) return `${what} is empty; ${PROMPT_FILE_RULE}, holding the prompt.`;
  return { text: found.text };
}

/** `path` is `dir` or lies below it (both absolute, lexically). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

/** Why `text` is not a usable http(s) base URL, or undefined. Credentials in it are never repeated. */
function httpUrlProblem(text: string, tokenInput: string): string | undefined {
  let url: URL | undefined;
  try {
    url = /\s/.test(text) ? undefined : new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return `${quote(text)} is not an http(s) URL`;
  if (url.username || url.password) return `holds a user name or password (the token goes in ${tokenInput})`;
  if (url.search || url.hash) return `${quote(text)} has a query or fragment`;
  return undefined;
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
    fail(`${name} ${quote(text)} is not valid; use ${allowed}.`);
    return min;
  }
  return value;
}

function parseNumber(
  text: string,
  name: string,
  fail: (p: string) => void,
  rules: { zero: 'refused' | 'turns it off'; max?: number; hint?: string },
): number {
  const value = Number(text);
  const min = rules.zero === 'refused' ? 'greater than 0' : '0 or more';
  const ok =
    /^\d+(\.\d+)?$|^\.\d+$/.test(text) &&
    Number.isFinite(value) &&
    (rules.zero === 'refused' ? value > 0 : value >= 0) &&
    (rules.max === undefined || value <= rules.max);
  if (!ok) {
    const range = rules.max === undefined ? `a number ${min}` : `a number ${min} and at most ${rules.max}`;
    const notes = [rules.zero === 'turns it off' ? '0 turns it off' : '', rules.hint ?? ''].filter(Boolean);
    fail(`${name} ${quote(text)} is not valid; use ${range}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}; fractions such as 0.5 are fine.`);
    return 0;
  }
  return value;
}

/** true or false, in any case (as YAML and core.getBooleanInput read them); yes, on or 1 are refused, not guessed. */
function parseBoolean(text: string, name: string, fallback: boolean, fail: (p: string) => void): boolean {
  if (text === '') return fallback;
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text)) return false;
  fail(`${name} ${quote(text)} is not a boolean; use true or false.`);
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
