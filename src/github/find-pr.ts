// The PR a commit belongs to, for a workflow_run whose payload lists none
// (GitHub leaves `pull_requests` empty for runs of fork PRs).
//
// GET commits/{sha}/pulls is asked first, as GitHub documents it; but a fork
// PR's head commit lives in the fork until merged, and that endpoint is
// observed to answer [] for it. So, when it finds nothing: GET pulls with
// head=<fork owner>:<branch> when the caller knows them (workflow_run's
// head_repository.owner.login and head_branch), then a scan of the most
// recently updated open PRs. Every candidate must have `headSha` as its head.
import { GitHubApiError, type GitHubApi, type PullRequestSummary } from './api.ts';

export interface FindPullRequestOptions {
  api: GitHubApi;
  owner: string;
  repo: string;
  headSha: string;
  /** workflow_run.head_repository.owner.login */
  headOwner?: string;
  /** workflow_run.head_branch */
  headBranch?: string;
  /** workflow_run.head_repository.full_name: preferred when several PRs share the sha. */
  headRepo?: string;
}

/** Open PRs scanned at most by the last fallback (pages of 100). */
const SCAN_PAGES = 2;

export async function findPullRequest(options: FindPullRequestOptions): Promise<number | undefined> {
  const { api, owner, repo, headSha } = options;
  if (!headSha) return undefined;
  const pick = (prs: PullRequestSummary[]): number | undefined => {
    const matching = prs.filter((p) => p.headSha === headSha);
    const fromRepo = (p: PullRequestSummary): boolean => !!options.headRepo && p.headRepo?.toLowerCase() === options.headRepo.toLowerCase();
    const best =
      matching.find((p) => p.state === 'open' && fromRepo(p)) ??
      matching.find((p) => p.state === 'open') ??
      matching.find(fromRepo) ??
      matching[0];
    return best?.number;
  };

  // A commit GitHub does not know in this repository may answer 404/422 rather than []: go on.
  const byCommit = await collect(api.pullsForCommit(owner, repo, headSha)).catch((error: unknown) => {
    if (error instanceof GitHubApiError && (error.status === 404 || error.status === 422)) return [];
    throw error;
  });
  const found = pick(byCommit);
  if (found !== undefined) return found;

  if (options.headOwner && options.headBranch) {
    const byHead = await collect(api.pulls(owner, repo, { state: 'all', head: `${options.headOwner}:${options.headBranch}` }));
    const number = pick(byHead);
    if (number !== undefined) return number;
  }

  const recent = await collect(api.pulls(owner, repo, { state: 'open', sort: 'updated', direction: 'desc' }, SCAN_PAGES));
  return pick(recent);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
