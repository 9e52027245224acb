// The checks phase, before anything is spent: who may start a paid run,
// which commit each repository is, and whether the Anthropic key is taken. Every clone is pinned to a commit SHA here,
// on the runner, so a push that lands after the check changes nothing the
// machine clones; and each repository's trusted commit (a PR's base, else the
// default branch), the only place its instructions and settings may come from.
import { checkAnthropicCredential } from '../anthropic/credential-check.ts';
import { checkActor } from '../github/actor-check.ts';
import type { GitHubApi, PullRequestSummary } from '../github/api.ts';
import type { EventInfo } from '../github/event.ts';
import { commitOf, isFullSha, refPatterns, type RemoteRefs, type RemoteRefsReader } from '../github/remote-refs.ts';
import type { RepoSpec } from '../repo-spec.ts';
import type { Settings } from '../settings.ts';

/** One repository as the machine clones it. */
export interface CloneTarget {
  /** owner/name or an https URL. */
  repo: string;
  /** The commit to clone, pinned here. */
  sha: string;
  /** A PR's base branch, fetched too so Claude can diff against it. */
  baseRef: string | undefined;
  /** The commit whose CLAUDE.md (and, with repo-settings: base, settings) apply; undefined: none. */
  trustedSha: string | undefined;
  /** What the commit is, for the log, summary and comment: "head of PR #7", "main", ... */
  what: string;
}

export type ChecksResult =
  /** The run is refused: a notice, not a failure, and nothing is started. */
  | { kind: 'skip'; notice: string }
  | { kind: 'go'; clones: CloneTarget[]; notes: string[] };

export interface ChecksInput {
  settings: Settings;
  event: EventInfo;
  /** Absent when there is no GitHub token. */
  github: GitHubApi | undefined;
  remoteRefs: RemoteRefsReader;
  /** The Anthropic credential's check (default: asks the API, or anthropic-base-url). */
  checkCredential?: typeof checkAnthropicCredential;
}

export async function runChecks(input: ChecksInput): Promise<ChecksResult> {
  const { settings, event, github } = input;
  // Read the PR first: the clone is pinned to what was read now, whatever is pushed later.
  let pull: PullRequestSummary | undefined;
  if (settings.reposFromEvent && event.pullRequestToRead) {
    if (!github) return { kind: 'skip', notice: `Not running: the ${event.eventName} event needs the pull request read and github-token is empty.` };
    pull = await github.getPull(event.owner, event.repo, event.pullRequestToRead.number).catch((err: Error) => {
      throw new Error(`Could not read pull request #${event.pullRequestToRead?.number} to decide what to clone, so nothing was started: ${err.message}`, { cause: err });
    });
  }
  const refusal = await actorRefusal(input);
  if (refusal) return { kind: 'skip', notice: refusal };

  const notes: string[] = [];
  const clones = await Promise.all(
    settings.repos.map((spec) =>
      settings.reposFromEvent ? eventClone(input, spec, pull, notes) : namedClone(input, spec, urlOf(spec.repo, event.serverUrl), notes),
    ),
  );
  // A refused key fails here, at no VM cost.
  const verdict = await (input.checkCredential ?? checkAnthropicCredential)(settings.anthropic, { baseUrl: settings.anthropicBaseUrl });
  if (verdict.status === 'refused') {
    throw new Error(`${settings.anthropic.input} was refused by the Anthropic API (${verdict.message}); no machine was started.`);
  }
  return { kind: 'go', clones, notes };
}

/** The first gated actor that may not start the run, as a notice; undefined when all may. */
async function actorRefusal({ settings, event, github }: ChecksInput): Promise<string | undefined> {
  if (!event.needsActorCheck) return undefined;
  if (!github) return `Not running: the ${event.eventName} event needs an actor check and github-token is empty.`;
  const checked = new Set<string>();
  for (const actor of event.gatedActors) {
    const login = actor.login.toLowerCase();
    if (checked.has(login)) continue;
    checked.add(login);
    const verdict = await checkActor({ api: github, owner: event.owner, repo: event.repo, actor: actor.login, accountType: actor.type, allowedActors: settings.allowedActors });
    if (!verdict.allowed) return `Not running Claude for ${actor.login || 'an unnamed actor'} (${actor.role}): ${verdict.reason}`;
  }
  return undefined;
}

/** The event's own repository: the PR as just read, the payload's PR, or the event's commit. */
async function eventClone(input: ChecksInput, spec: RepoSpec, pull: PullRequestSummary | undefined, notes: string[]): Promise<CloneTarget> {
  const { settings, event } = input;
  const url = urlOf(spec.repo, event.serverUrl);
  if (pull) {
    const number = pull.number;
    const fork = pull.headRepo === undefined || pull.headRepo.toLowerCase() !== `${event.owner}/${event.repo}`.toLowerCase();
    const base = { repo: spec.repo, baseRef: pull.baseRef || undefined, trustedSha: pull.baseSha || undefined };
    if (fork && !settings.allowForkCode) {
      notes.push(`Pull request #${number} comes from a fork: its code is not cloned (allow-fork-code is false); its base is.`);
      return { ...base, sha: pull.baseSha, what: `base of PR #${number} (${pull.baseRef})` };
    }
    const reviewed = event.pullRequestToRead?.commitId;
    if (reviewed && isFullSha(reviewed)) return { ...base, sha: reviewed, what: `PR #${number} at the reviewed commit` };
    return { ...base, sha: pull.headSha, what: `head of PR #${number}` };
  }
  if (event.fromFork && !settings.allowForkCode) {
    notes.push('This event comes from a fork: its code is not cloned (allow-fork-code is false); the base repository is.');
  }
  const what = event.issueNumber !== undefined && event.baseSha ? prSide(spec, event) : "the event's commit";
  if (event.baseSha && spec.ref && isFullSha(spec.ref)) {
    return { repo: spec.repo, sha: spec.ref, baseRef: spec.baseRef, trustedSha: event.baseSha, what };
  }
  const pinned = await namedClone(input, spec, url, notes);
  return { ...pinned, what: spec.ref && isFullSha(spec.ref) ? what : pinned.what, trustedSha: event.baseSha ?? pinned.trustedSha };
}

function prSide(spec: RepoSpec, event: EventInfo): string {
  return spec.ref === event.baseSha ? `base of PR #${event.issueNumber}` : `head of PR #${event.issueNumber}`;
}

/** A repository `repos` names: its ref (or default branch) asked of its server and pinned. */
async function namedClone({ remoteRefs }: ChecksInput, spec: RepoSpec, url: string, notes: string[]): Promise<CloneTarget> {
  const ref = spec.ref;
  let remote: RemoteRefs;
  try {
    remote = await remoteRefs(url, refPatterns(ref));
  } catch (err) {
    if (ref && isFullSha(ref)) {
      // Pinned already; only the default branch's instructions are lost, never taken from elsewhere.
      notes.push(`Could not read ${spec.repo}'s default branch (${(err as Error).message}): no instructions from it are loaded.`);
      return { repo: spec.repo, sha: ref, baseRef: spec.baseRef, trustedSha: undefined, what: 'as given' };
    }
    throw new Error(`Could not ask ${spec.repo} which commit ${ref ? `"${ref}"` : 'its default branch'} is, so nothing was started: ${(err as Error).message}`, { cause: err });
  }
  const sha = commitOf(remote, ref ?? 'HEAD');
  if (!sha) {
    throw new Error(
      ref
        ? `${spec.repo} has no branch, tag or ref "${ref}" (a commit must be given as its full SHA), so nothing was started.`
        : `${spec.repo} has no default branch to clone, so nothing was started.`,
    );
  }
  const what = !ref ? `default branch${remote.head?.branch ? ` (${remote.head.branch})` : ''}` : isFullSha(ref) ? 'as given' : ref;
  return { repo: spec.repo, sha, baseRef: spec.baseRef, trustedSha: remote.head?.sha, what };
}

/** Where the machine clones `repo` from (as the image builds it). */
export function urlOf(repo: string, serverUrl: string): string {
  return repo.includes('://') ? repo : `${serverUrl.replace(/\/+$/, '')}/${repo.replace(/\.git$/, '')}.git`;
}
