// Who may start a paid run besides those with write access. (allow-fork-code,
// the other access input, is read with the repositories: it picks the commit.)
import { quoteList, splitList } from '../input-text.ts';
import { trimmed, type Problems } from './parse.ts';
import type { InputReader, Settings } from './types.ts';

const ACTOR = /^(?:\*|[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:\[bot\])?)$/;

export type AccessSection = Pick<Settings, 'allowedActors'>;

export function readAccess(input: InputReader, problems: Problems): AccessSection {
  const allowedActors = splitList(trimmed(input)('allowed-actors'));
  const badActors = allowedActors.filter((a) => !ACTOR.test(a));
  if (badActors.length > 0) {
    problems.add(`allowed-actors ${quoteList(badActors)} ${badActors.length === 1 ? 'is not a GitHub login' : 'are not GitHub logins'}; use logins such as octocat or renovate[bot] (without @), or * for everyone.`);
  }
  return { allowedActors };
}
