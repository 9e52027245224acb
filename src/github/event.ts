// What the triggering event means for a run: which repository and commit to
// clone by default, which PR or issue to comment on, whether the code comes
// from a fork, and who triggered it. Pure: built from the runner's context
// object (or a test's), no I/O.
import type { RepoSpec } from '../settings.ts';

export interface EventInput {
  eventName: string;
  payload: Record<string, unknown>;
  /** owner/name of the workflow's repository. */
  repository: string;
  sha: string;
  actor: string;
  runId: number;
  runAttempt: number;
  job: string;
  workflow: string;
  serverUrl: string;
  apiUrl: string;
}

/** The run's context, copied from the event input (describeEvent drops the URLs' trailing slash). */
type RunContext = Pick<EventInput, 'eventName' | 'actor' | 'runId' | 'runAttempt' | 'job' | 'workflow' | 'serverUrl' | 'apiUrl'>;

export interface EventInfo extends RunContext {
  owner: string;
  repo: string;
  /** The PR or issue the event is about (for workflow_run: the run's PR when the payload names one). */
  issueNumber: number | undefined;
  /** workflow_run: the run's head commit, to find its PR when `pull_requests` is empty (fork PRs). */
  workflowRunHeadSha: string | undefined;
  /** workflow_run: where the run's head lives (for finding a fork's PR). */
  workflowRunHead: { owner: string | undefined; branch: string | undefined; repo: string | undefined } | undefined;
  /** The code the event is about comes from a fork (a fork's PR, or a workflow_run of one). */
  fromFork: boolean;
  /** What to clone when `repos` is empty; for a fork, the base repository's side, never the fork's code. */
  defaultRepo: RepoSpec;
  /** The same for when the workflow allows fork code (allow-fork-code: true). */
  defaultRepoWithForkCode: RepoSpec;
  /** Comment/issue/review events: the actor must have write access (or be allowed by allowed-actors). */
  needsActorCheck: boolean;
  /** Link to this run's log. */
  runUrl: string;
}

const COMMENT_EVENTS = new Set([
  'issue_comment',
  'issues',
  'pull_request_review',
  'pull_request_review_comment',
  'discussion',
  'discussion_comment',
]);

function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function repoSpec(repo: string, ref: string | undefined, baseRef?: string): RepoSpec {
  return { spec: ref ? `${repo}@${ref}` : repo, repo, ref, baseRef };
}

export function describeEvent(input: EventInput): EventInfo {
  const [owner = '', repo = ''] = input.repository.split('/');
  const payload = input.payload;
  const pr = obj(payload.pull_request);
  const issue = obj(payload.issue);
  const run = obj(payload.workflow_run);
  let issueNumber = num(pr.number) ?? num(issue.number) ?? num(payload.number);
  let fromFork = false;
  let defaultRepo = repoSpec(input.repository, input.sha || undefined);
  let withForkCode = defaultRepo;
  let workflowRunHeadSha: string | undefined;
  let workflowRunHead: EventInfo['workflowRunHead'];

  if (Object.keys(pr).length > 0) {
    const head = obj(pr.head);
    const base = obj(pr.base);
    const headRepo = str(obj(head.repo).full_name);
    const baseRef = str(base.ref);
    // GitHub sends head.repo null once the head repository is deleted, which only a fork can be.
    fromFork = headRepo !== undefined ? headRepo.toLowerCase() !== input.repository.toLowerCase() : head.repo === null;
    const headSha = str(head.sha);
    // The PR head is fetchable from the base repository (refs/pull/N/head), so fork code never needs the fork's URL.
    withForkCode = repoSpec(input.repository, headSha ?? (issueNumber ? `refs/pull/${issueNumber}/head` : undefined), baseRef);
    defaultRepo = fromFork ? repoSpec(input.repository, str(base.sha) ?? baseRef, baseRef) : withForkCode;
  } else if (Object.keys(issue).length > 0 && issue.pull_request !== undefined && issueNumber) {
    // A comment on a PR: the payload has no head; the PR ref names it. Fork or not is unknown here,
    // so the actor check (comment events) is what guards it.
    withForkCode = repoSpec(input.repository, `refs/pull/${issueNumber}/head`);
    defaultRepo = withForkCode;
  } else if (Object.keys(run).length > 0) {
    const headRepo = str(obj(run.head_repository).full_name);
    fromFork = headRepo !== undefined ? headRepo.toLowerCase() !== input.repository.toLowerCase() : run.head_repository === null;
    workflowRunHeadSha = str(run.head_sha);
    const headRepository = obj(run.head_repository);
    workflowRunHead = {
      owner: str(obj(headRepository.owner).login),
      branch: str(run.head_branch),
      repo: headRepo,
    };
    const prs = Array.isArray(run.pull_requests) ? run.pull_requests.map(obj) : [];
    issueNumber = num(prs[0]?.number);
    const baseRef = str(obj(obj(prs[0]).base).ref);
    withForkCode = repoSpec(input.repository, workflowRunHeadSha, baseRef);
    // A fork's failed run: clone the base side (default branch); the agent reads the diff and logs with gh.
    defaultRepo = fromFork ? repoSpec(input.repository, str(obj(payload.repository).default_branch)) : withForkCode;
  }

  const serverUrl = input.serverUrl.replace(/\/+$/, '');
  return {
    eventName: input.eventName,
    owner,
    repo,
    actor: input.actor,
    runId: input.runId,
    runAttempt: input.runAttempt,
    job: input.job,
    workflow: input.workflow,
    serverUrl,
    apiUrl: input.apiUrl.replace(/\/+$/, ''),
    issueNumber,
    workflowRunHeadSha,
    workflowRunHead,
    fromFork,
    defaultRepo,
    defaultRepoWithForkCode: withForkCode,
    needsActorCheck: COMMENT_EVENTS.has(input.eventName),
    runUrl: `${serverUrl}/${input.repository}/actions/runs/${input.runId}${input.runAttempt > 1 ? `/attempts/${input.runAttempt}` : ''}`,
  };
}
