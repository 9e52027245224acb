// The types of the settings: what the rest of the action reads (Settings), and
// what readSettings is told about the event and the runner (SettingsContext).
import type { GuestSize } from '../fly/machine-config.ts';
import type { RepoSpec } from '../repo-spec.ts';
import type { ToolOutputMode } from '../report/log.ts';

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
