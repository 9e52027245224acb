// How the run is reported: the log and the step's outcome (readOutcome), and
// the pull-request comment (readComment). Two readers because allowed-actors'
// problem is reported between theirs.
import { quote } from '../input-text.ts';
import type { ToolOutputMode } from '../report/log.ts';
import { parseBoolean, parseInteger, trimmed, type Problems } from './parse.ts';
import type { InputReader, Settings } from './types.ts';

const TOOL_OUTPUT_MODES: ToolOutputMode[] = ['none', 'truncated', 'full'];
const COMMENT_KEY = /^[A-Za-z0-9._:/-]{1,100}$/;

export type OutcomeSection = Pick<Settings, 'toolOutput' | 'failOnError' | 'failFastOnAuth'>;
export type CommentSection = Pick<Settings, 'comment' | 'commentKey' | 'prNumber'>;

export function readOutcome(input: InputReader, problems: Problems): OutcomeSection {
  const get = trimmed(input);
  const toolOutput = (get('tool-output') || 'truncated') as ToolOutputMode;
  if (!TOOL_OUTPUT_MODES.includes(toolOutput)) {
    problems.add(`tool-output ${quote(toolOutput)} is not one of: ${TOOL_OUTPUT_MODES.join(', ')}.`);
  }
  const failOnError = parseBoolean(get('fail-on-error'), 'fail-on-error', true, problems.add);
  const failFastOnAuth = parseBoolean(get('fail-fast-on-auth'), 'fail-fast-on-auth', true, problems.add);
  return { toolOutput, failOnError, failFastOnAuth };
}

export function readComment(input: InputReader, problems: Problems): CommentSection {
  const get = trimmed(input);
  const comment = (get('comment') || 'auto') as 'auto' | 'off';
  if (comment !== 'auto' && comment !== 'off') problems.add(`comment ${quote(comment)} is not one of: auto, off.`);
  const commentKey = get('comment-key') || undefined;
  if (commentKey && !COMMENT_KEY.test(commentKey)) {
    problems.add('comment-key may hold only letters, digits and . _ : / - (at most 100 characters).');
  }
  const prText = get('pr-number');
  const prNumber = prText ? parseInteger(prText, 'pr-number', 1, Number.MAX_SAFE_INTEGER, problems.add, 'a pull request number') : undefined;
  return { comment, commentKey, prNumber };
}
