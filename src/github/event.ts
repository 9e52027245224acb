// What the triggering event means for a run: which repository and commit to
// clone by default, which PR or issue to comment on, whether the code comes
// from a fork, and who triggered it. Pure: built from the runner's context
// object (or a test's), no I/O.
import { quote } from '../input-text.ts';
import { isOwnerName, type RepoSpec } from '../repo-spec.ts';

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
  /** Who must have write access (or be allowed by allowed-actors) for the run to start. */
  gatedActors: GatedActor[];
  /** gatedActors is not empty. */
  needsActorCheck: boolean;
  /**
   * Comment and review events on a PR: the payload does not say (or may no longer say) what the PR
   * is, so the runner reads it before anything else and pins the clone to what it read. `commitId`
   * is the commit a review or review comment was made on: what the reviewer saw.
   */
  pullRequestToRead: { number: number; commitId: string | undefined } | undefined;
  /** pull_request and pull_request_target: the base commit, whose instructions are trusted. */
  baseSha: string | undefined;
  /** Link to this run's log. */
  runUrl: string;
}

/** A login whose permission decides whether the run may start, and what it is to the event. */
export interface GatedActor {
  login: string;
  /** The account type the payload gives (User, Bot, Organization), when it gives one. */
  type: string | undefined;
  /** For messages: "the commenter", "the PR's author", ... */
  role: string;
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

function actorOf(user: unknown, role: string): GatedActor {
  const u = obj(user);
  return { login: str(u.login) ?? '', type: str(u.type), role };
}

/**
 * Who must pass the actor check. Comment, issue and review events: the one who wrote it. Events
 * that run with the base repository's secrets on a stranger's code need two: workflow_run's actor
 * and who triggered the run (so a maintainer's re-run cannot launder a fork's CI), and
 * pull_request_target's PR author and sender.
 */
function gatedActorsOf(input: EventInput): GatedActor[] {
  const payload = input.payload;
  if (COMMENT_EVENTS.has(input.eventName)) return [{ login: input.actor, type: undefined, role: 'who triggered the event' }];
  if (input.eventName === 'workflow_run') {
    const run = obj(payload.workflow_run);
    return [actorOf(run.actor, "the failed run's actor"), actorOf(run.triggering_actor, 'who triggered that run')];
  }
  if (input.eventName === 'pull_request_target') {
    return [actorOf(obj(payload.pull_request).user, "the pull request's author"), actorOf(payload.sender, 'who sent the event')];
  }
  return [];
}

/** Comment and review events on a PR: its number, and the commit a review (comment) was made on. */
function pullRequestToRead(input: EventInput, issueNumber: number | undefined): EventInfo['pullRequestToRead'] {
  const payload = input.payload;
  if (!issueNumber) return undefined;
  if (input.eventName === 'issue_comment' && obj(payload.issue).pull_request !== undefined) return { number: issueNumber, commitId: undefined };
  if (input.eventName === 'pull_request_review') return { number: issueNumber, commitId: str(obj(payload.review).commit_id) };
  if (input.eventName === 'pull_request_review_comment') return { number: issueNumber, commitId: str(obj(payload.comment).commit_id) };
  return undefined;
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
    // A comment on a PR: the payload has no head; the PR ref names it until the runner has read the
    // PR (pullRequestToRead) and pinned the clone to its head or, for a fork, its base.
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

  const gatedActors = gatedActorsOf(input);
  const baseSha = ['pull_request', 'pull_request_target'].includes(input.eventName) ? str(obj(pr.base).sha) : undefined;
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
    gatedActors,
    needsActorCheck: gatedActors.length > 0,
    pullRequestToRead: pullRequestToRead(input, issueNumber),
    baseSha,
    runUrl: `${serverUrl}/${input.repository}/actions/runs/${input.runId}${input.runAttempt > 1 ? `/attempts/${input.runAttempt}` : ''}`,
  };
}

/** The runner's event file (GITHUB_EVENT_PATH) as found. */
export type EventFile =
  | { kind: 'payload'; path: string; payload: Record<string, unknown> }
  /** Not set, or no such file: fine for an event whose payload the run does not need. */
  | { kind: 'absent'; path: string | undefined }
  /** A directory, unreadable, not JSON, or JSON that is not an object. */
  | { kind: 'broken'; path: string; reason: string };

/** Events whose payload says what to clone and where to comment: the object in it that does, and whether it must have a number. */
const NEEDED_PAYLOAD: Record<string, { key: string; numbered: boolean }> = {
  pull_request: { key: 'pull_request', numbered: true },
  pull_request_target: { key: 'pull_request', numbered: true },
  pull_request_review: { key: 'pull_request', numbered: true },
  pull_request_review_comment: { key: 'pull_request', numbered: true },
  issue_comment: { key: 'issue', numbered: true },
  issues: { key: 'issue', numbered: true },
  workflow_run: { key: 'workflow_run', numbered: false },
};

/**
 * What in the runner's environment keeps the run from knowing what it is
 * about: an event file that is not the JSON object the runner writes, an
 * event whose payload the run needs but does not have, a repository or URL
 * that is not one. Without these the run would guess what to clone and
 * where to comment, so they are refused like bad inputs. Pure.
 */
export function eventProblems(input: EventInput, file: EventFile): string[] {
  const problems: string[] = [];
  const needed = NEEDED_PAYLOAD[input.eventName];
  const why = needed ? `the ${input.eventName} event needs its payload (a JSON object with ${needed.key}) to know what to clone and where to comment` : '';
  if (file.kind === 'broken') {
    problems.push(`GITHUB_EVENT_PATH ${JSON.stringify(file.path)} ${file.reason}; ${why || "the runner writes the event's payload there as a JSON object"}.`);
  } else if (file.kind === 'absent' && needed) {
    problems.push(`GITHUB_EVENT_PATH ${file.path ? `${JSON.stringify(file.path)} does not exist` : 'is not set'}; ${why}.`);
  } else if (file.kind === 'payload' && needed) {
    const object = file.payload[needed.key];
    const ok = typeof object === 'object' && object !== null && (!needed.numbered || num((object as Record<string, unknown>).number) !== undefined);
    if (!ok) problems.push(`GITHUB_EVENT_PATH ${JSON.stringify(file.path)} holds no ${needed.key} object${needed.numbered ? ' with a number' : ''}; ${why}.`);
  }
  if (!isOwnerName(input.repository)) {
    problems.push(`GITHUB_REPOSITORY ${quote(input.repository)} is not owner/name; the runner sets it to the workflow's repository.`);
  }
  // file: serves a local mirror (and the tests' git server).
  if (!['https:', 'http:', 'file:'].includes(urlScheme(input.serverUrl))) {
    problems.push(`GITHUB_SERVER_URL ${quote(input.serverUrl)} is not an http(s) URL; the runner sets it to GitHub's address.`);
  }
  if (!['https:', 'http:'].includes(urlScheme(input.apiUrl))) {
    problems.push(`GITHUB_API_URL ${quote(input.apiUrl)} is not an http(s) URL; the runner sets it to GitHub's API address.`);
  }
  return problems;
}

function urlScheme(text: string): string {
  try {
    return new URL(text).protocol;
  } catch {
    return '';
  }
}
