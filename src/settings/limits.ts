// How long a run may take, in all and without output.
import { parseNumber, trimmed, type Problems } from './parse.ts';
import type { InputReader, Settings } from './types.ts';

/** GitHub ends a job after at most 5 days (self-hosted runners; 6 hours on GitHub's). */
export const MAX_TIMEOUT_MINUTES = 7200;

export type LimitsSection = Pick<Settings, 'timeoutMinutes' | 'idleTimeoutMinutes'>;

export function readLimits(input: InputReader, problems: Problems): LimitsSection {
  const get = trimmed(input);
  const timeoutMinutes = parseNumber(get('timeout-minutes') || '30', 'timeout-minutes', problems.add, { zero: 'refused', max: MAX_TIMEOUT_MINUTES });
  const idleTimeoutMinutes = parseNumber(get('idle-timeout-minutes') || '10', 'idle-timeout-minutes', problems.add, {
    zero: 'turns it off',
    max: MAX_TIMEOUT_MINUTES,
  });
  return { timeoutMinutes, idleTimeoutMinutes };
}
