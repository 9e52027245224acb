// Inputs -> one typed, validated Settings object. The only module that reads
// the action's inputs. Every bad input is reported here, all at once, naming
// the input and what is allowed, before anything is created or spent.
//
// Each section of the inputs has a reader of its own in src/settings/; they
// share one problem collector, and the order in which readSettings calls them
// is the order in which problems are reported (the event's problems first).
// That order is part of the contract: tests assert whole problem lists.
import { envSecrets } from './settings/claude-env.ts';
import { readAccess } from './settings/access.ts';
import { readClaude } from './settings/claude.ts';
import { readCredentials } from './settings/credentials.ts';
import { readFly } from './settings/fly.ts';
import { readLimits } from './settings/limits.ts';
import { Problems } from './settings/parse.ts';
import { readRepos } from './settings/repos.ts';
import { readComment, readOutcome } from './settings/reporting.ts';
import type { InputReader, Settings, SettingsContext } from './settings/types.ts';

export type {
  AnthropicCredential,
  ClaudeOptions,
  FileRead,
  InputReader,
  RepoSettingsMode,
  Settings,
  SettingsContext,
} from './settings/types.ts';
export { DEFAULT_FLY_API_URL, DEFAULT_VM_MEMORY_MB, DEFAULT_VM_SIZE } from './settings/fly.ts';
export { MAX_TIMEOUT_MINUTES } from './settings/limits.ts';
export { isInside, MAX_PROMPT_BYTES } from './settings/prompt.ts';
export { MAX_REPOS } from './settings/repos.ts';

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

export function readSettings(input: InputReader, context: SettingsContext): Settings {
  const problems = new Problems(context.eventProblems);
  const work = readRepos(input, problems, context);
  const credentials = readCredentials(input, problems, context.fromFork);
  const fly = readFly(input, problems, context.defaultImage);
  const claude = readClaude(input, problems);
  const limits = readLimits(input, problems);
  const outcome = readOutcome(input, problems);
  const access = readAccess(input, problems);
  const comment = readComment(input, problems);
  if (problems.list.length > 0) throw new SettingsError(problems.list);

  const { anthropic, flyToken, githubToken, machineGithubToken } = credentials;
  const secrets = [anthropic.value, flyToken, githubToken, machineGithubToken, ...envSecrets(claude.claude.env)].filter((s) => s.length > 0);
  return {
    prompt: work.prompt,
    repos: work.repos,
    reposFromEvent: work.reposFromEvent,
    fetchDepth: work.fetchDepth,
    anthropic,
    fly: { token: flyToken, ...fly },
    githubToken,
    machineGithubToken,
    anthropicBaseUrl: claude.anthropicBaseUrl,
    repoSettings: claude.repoSettings,
    claude: claude.claude,
    timeoutMinutes: limits.timeoutMinutes,
    idleTimeoutMinutes: limits.idleTimeoutMinutes,
    toolOutput: outcome.toolOutput,
    failOnError: outcome.failOnError,
    failFastOnAuth: outcome.failFastOnAuth,
    allowedActors: access.allowedActors,
    allowForkCode: work.allowForkCode,
    comment: comment.comment,
    commentKey: comment.commentKey,
    prNumber: comment.prNumber,
    secrets: [...new Set(secrets)],
  };
}
