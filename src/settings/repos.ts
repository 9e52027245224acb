// The work: the prompt, and the repositories it is about. allow-fork-code is
// read here because it chooses which commit of the event's repository is
// cloned (the fork's head instead of the base); its problem is reported after
// the prompt's and before the repositories'.
import { splitList } from '../input-text.ts';
import { parseRepoSpec, type RepoSpec } from '../repo-spec.ts';
import { parseBoolean, parseInteger, trimmed, type Problems } from './parse.ts';
import { readPrompt } from './prompt.ts';
import type { InputReader, Settings, SettingsContext } from './types.ts';

/** One machine clones them all before Claude starts; a longer list is a mistake. */
export const MAX_REPOS = 20;

export type ReposSection = Pick<Settings, 'prompt' | 'repos' | 'reposFromEvent' | 'fetchDepth' | 'allowForkCode'>;

export function readRepos(input: InputReader, problems: Problems, context: SettingsContext): ReposSection {
  const get = trimmed(input);
  const prompt = readPrompt(input, problems, context);
  const allowForkCode = parseBoolean(get('allow-fork-code'), 'allow-fork-code', false, problems.add);
  const repoLines = splitList(input('repos'));
  const fallbackRepo = allowForkCode ? (context.defaultRepoWithForkCode ?? context.defaultRepo) : context.defaultRepo;
  const repos: RepoSpec[] = repoLines.length === 0 && fallbackRepo ? [fallbackRepo] : [];
  repos.push(...parseRepoLines(repoLines, problems));
  const fetchDepth = parseInteger(get('fetch-depth') || '50', 'fetch-depth', 0, 1_000_000, problems.add, '0 for the full history');
  return { prompt, repos, reposFromEvent: repoLines.length === 0, fetchDepth, allowForkCode };
}

/** The repos entries that parse; one problem for the list (the first bad entry, and how many more). */
function parseRepoLines(repoLines: string[], problems: Problems): RepoSpec[] {
  if (repoLines.length > MAX_REPOS) {
    problems.add(`repos lists ${repoLines.length} repositories; give at most ${MAX_REPOS}.`);
    return [];
  }
  const repos: RepoSpec[] = [];
  const bad: string[] = [];
  for (const spec of repoLines) {
    const parsed = parseRepoSpec(spec);
    if (typeof parsed === 'string') bad.push(parsed);
    else repos.push(parsed);
  }
  const more = bad.length - 1;
  if (bad.length > 0) problems.add(more === 0 ? (bad[0] as string) : `${bad[0]?.replace(/\.$/, '')}; ${more} more ${more === 1 ? 'entry is' : 'entries are'} bad too.`);
  return repos;
}
