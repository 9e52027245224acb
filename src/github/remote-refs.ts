// Asks a repository's server, with `git ls-remote`, which commit a ref names
// and which branch is its default: the runner pins every clone to a commit
// SHA before any machine exists, so nothing pushed later changes what the
// machine clones. git, not the REST API, because it answers for any host the
// machine clones from (github.com, GHES, another https server), with the same
// token the machine clones with.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RemoteRefs {
  /** The default branch and its commit, when the server says (HEAD as a symbolic ref). */
  head: { branch: string | undefined; sha: string } | undefined;
  /** Full ref name (refs/heads/x, refs/tags/v1, refs/tags/v1^{}) -> commit. */
  refs: Map<string, string>;
}

export type RemoteRefsReader = (url: string, names: string[]) => Promise<RemoteRefs>;

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export function isFullSha(ref: string): boolean {
  return FULL_SHA.test(ref);
}

/**
 * The commit `ref` names in `remote`: a full SHA as it is; else the ref itself when it is a full
 * ref name, then a branch, then a tag (peeled to its commit). Undefined when the server has none.
 */
export function commitOf(remote: RemoteRefs, ref: string): string | undefined {
  if (isFullSha(ref)) return ref;
  if (ref === 'HEAD') return remote.head?.sha;
  const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}^{}`, `refs/tags/${ref}`];
  for (const name of candidates) {
    const sha = remote.refs.get(name);
    if (sha) return sha;
  }
  return undefined;
}

/** The patterns to ask ls-remote for so that commitOf can answer for `ref` (peeled tags included). */
export function refPatterns(ref: string | undefined): string[] {
  if (!ref || isFullSha(ref) || ref === 'HEAD') return [];
  return ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/tags/${ref}^{}`];
}

export function parseLsRemote(text: string): RemoteRefs {
  const refs = new Map<string, string>();
  let headBranch: string | undefined;
  let headSha: string | undefined;
  for (const line of text.split('\n')) {
    const symref = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
    if (symref) {
      headBranch = symref[1];
      continue;
    }
    const entry = /^([0-9a-f]{40}|[0-9a-f]{64})\t(\S+)$/.exec(line);
    if (!entry) continue;
    if (entry[2] === 'HEAD') headSha = entry[1];
    else refs.set(entry[2] as string, entry[1] as string);
  }
  return { head: headSha ? { branch: headBranch, sha: headSha } : undefined, refs };
}

export interface GitLsRemoteOptions {
  /** Sent as an HTTP header to `authBase` only (never in argv or a URL), as the machine sends it. */
  token?: string;
  /** The server the token is for (GITHUB_SERVER_URL). */
  authBase?: string;
  timeoutMs?: number;
}

/** A RemoteRefsReader that runs git ls-remote --symref URL HEAD <names>. */
export function gitLsRemote(options: GitLsRemoteOptions = {}): RemoteRefsReader {
  return async (url, names) => {
    const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', SSH_ASKPASS: '' };
    const base = options.authBase?.replace(/\/+$/, '');
    if (options.token && base && /^https:\/\/|^http:\/\/(127\.0\.0\.1|localhost)([:/]|$)/.test(base)) {
      const basic = Buffer.from(`x-access-token:${options.token}`).toString('base64');
      Object.assign(env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `http.${base}/.extraheader`, GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}` });
    }
    // Run outside any checkout: a workspace's own .git/config must not take part.
    const cwd = mkdtempSync(join(tmpdir(), 'cfa-ls-remote-'));
    try {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          'git',
          ['ls-remote', '--symref', '--', url, 'HEAD', ...names],
          { cwd, env, timeout: options.timeoutMs ?? 30_000, maxBuffer: 8 * 1024 * 1024 },
          (error, out, err) => {
            if (error) reject(new Error(lastLine(err) || error.message));
            else resolve(out);
          },
        );
      });
      return parseLsRemote(stdout);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  };
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop()?.replace(/^fatal: /, '') ?? '';
}
