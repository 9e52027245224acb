// Who may start a paid run from a comment, issue or review: someone with write
// access to the repository (admin, maintain or write), or a login the workflow
// lists in allowed-actors (`*` = everyone). Fails closed: when GitHub cannot
// say, the run does not start.
import { GitHubApiError, type GitHubApi } from './api.ts';

export interface ActorCheck {
  allowed: boolean;
  reason: string;
  /** The base permission GitHub reported (admin|write|read|none), when asked. */
  permission?: string;
}

export interface ActorCheckOptions {
  api: GitHubApi;
  owner: string;
  repo: string;
  actor: string;
  /** The account type the event's payload gives (Bot for apps), when it gives one. */
  accountType?: string | undefined;
  allowedActors: string[];
}

/** role_name values that carry write access; `permission` maps maintain to write already. */
const WRITE_ROLES = new Set(['admin', 'maintain', 'write']);

export async function checkActor(options: ActorCheckOptions): Promise<ActorCheck> {
  const { api, owner, repo, actor } = options;
  const listed = options.allowedActors.map((a) => a.trim().toLowerCase()).filter(Boolean);
  const name = actor.trim();
  if (!name) return { allowed: false, reason: 'The event names no actor.' };
  if (listed.includes('*')) return { allowed: true, reason: 'allowed-actors is `*` (everyone).' };
  if (listed.includes(name.toLowerCase())) return { allowed: true, reason: `${name} is listed in allowed-actors.` };
  // Bots (dependabot[bot], other apps) act for whoever drove them: only an explicit listing lets one in.
  if (/\[bot\]$/i.test(name) || options.accountType?.toLowerCase() === 'bot') {
    return { allowed: false, reason: `${name} is a bot account; bots may start a run only when listed in allowed-actors.` };
  }
  let permission: string;
  let roleName: string | undefined;
  try {
    ({ permission, roleName } = await api.collaboratorPermission(owner, repo, name));
  } catch (error) {
    const detail = error instanceof GitHubApiError ? error.message : String(error);
    const hint = error instanceof GitHubApiError && error.status === 404 ? ` (${name} is not a collaborator, or the token may not read collaborators)` : '';
    return { allowed: false, reason: `Could not check ${name}'s permission on ${owner}/${repo}${hint}, so the run does not start: ${detail}` };
  }
  const p = permission.toLowerCase();
  if (p === 'admin' || p === 'write' || (roleName !== undefined && WRITE_ROLES.has(roleName.toLowerCase()))) {
    return { allowed: true, reason: `${name} has ${roleName ?? p} access to ${owner}/${repo}.`, permission: p };
  }
  return {
    allowed: false,
    reason: `${name} has ${roleName ?? p} access to ${owner}/${repo}; a run needs write access, or ${name} listed in allowed-actors.`,
    permission: p,
  };
}
