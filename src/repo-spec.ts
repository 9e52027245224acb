// A repository to clone, as the repos input names it: owner/name, owner/name@ref
// or https://host/owner/name, checked here as GitHub and the image allow them. Pure.
import { quote } from './input-text.ts';

export interface RepoSpec {
  /** As the user wrote it (owner/name, owner/name@ref, or a URL). */
  spec: string;
  /** owner/name or a full https URL, without the ref. */
  repo: string;
  ref: string | undefined;
  baseRef: string | undefined;
}

// GitHub owners: letters, digits and hyphens. Names: letters, digits, . _ - (never . or ..: a directory on the machine).
const REPO_OWNER = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
const REPO_NAME = /^[A-Za-z0-9_.][A-Za-z0-9._-]{0,99}$/;
/** What the image accepts as a ref (the same rules as its handover check): git's, minus a leading dash. */
const GIT_REF = /^(?!-)[^\x00-\x20\x7f~^:?*[\\]{1,255}$/;

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
      return `repos entry ${quote(spec)} is not a valid URL; ${allowed}.`;
    }
    if (url.username || url.password) {
      // Not quoted: the entry holds a password or token.
      return `a repos entry for ${url.host} holds credentials in its URL; remove them (the machine clones with machine-github-token).`;
    }
    // The raw text, not url.pathname (which resolves .. away): the machine clones what is written.
    const rawPath = repo.slice('https://'.length + url.host.length);
    if (url.search || url.hash || /(^|\/)\.\.?(\/|$)/.test(rawPath) || !isOwnerName(rawPath.replace(/^\/+|\/+$/g, '').replace(/\.git$/, ''))) {
      return `repos entry ${quote(spec)} does not name owner/name on its host; ${allowed}.`;
    }
  } else {
    const at = spec.indexOf('@');
    if (at >= 0) {
      repo = spec.slice(0, at);
      ref = spec.slice(at + 1);
    }
    if (!isOwnerName(repo)) return `repos entry ${quote(spec)} is malformed; ${allowed}.`;
  }
  if (ref !== undefined && (!GIT_REF.test(ref) || ref.includes('..'))) {
    return `repos entry ${quote(spec)} has an invalid ref; ${allowed}.`;
  }
  return { spec, repo, ref, baseRef: undefined };
}

/** owner/name as GitHub allows them. */
export function isOwnerName(path: string): boolean {
  const [owner = '', name = '', ...rest] = path.split('/');
  return rest.length === 0 && REPO_OWNER.test(owner) && REPO_NAME.test(name) && name !== '.' && name !== '..';
}
