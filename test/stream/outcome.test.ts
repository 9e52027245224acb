import { describe, expect, it } from 'vitest';
import { decideOutcome } from '../../src/stream/outcome.ts';
import type { ResultEvent, RunSnapshot } from '../../src/stream/types.ts';
import { makeResult, makeSnapshotEndedBy } from '../report/fixtures/changes.ts';

function endedBy(over: Partial<ResultEvent> | undefined): RunSnapshot {
  return over === undefined ? makeSnapshotEndedBy([]) : makeSnapshotEndedBy([makeResult(over)]);
}

describe('decideOutcome', () => {
  it('is a success only when the subtype, is_error and the exit code all say so', () => {
    expect(decideOutcome({ snapshot: endedBy({ subtype: 'success', isError: false }), exitCode: 0 }).conclusion).toBe('success');
    expect(decideOutcome({ snapshot: endedBy({ subtype: 'success', isError: false }) }).conclusion).toBe('success');
    // API errors have arrived as subtype success with is_error true and exit code 0.
    const apiError = decideOutcome({ snapshot: endedBy({ subtype: 'success', isError: true, result: 'API Error: 500 boom' }), exitCode: 0 });
    expect(apiError).toMatchObject({ conclusion: 'failure', reason: 'Claude Code reported an error: API Error: 500 boom' });
    expect(decideOutcome({ snapshot: endedBy({ subtype: 'success', isError: false }), exitCode: 1 })).toMatchObject({
      conclusion: 'failure',
      reason: 'Claude Code failed (exit code 1)',
    });
  });

  it.each([
    ['error_max_turns', /max-turns/],
    ['error_max_budget_usd', /max-budget-usd/],
    ['error_during_execution', /failed during execution/],
    ['error_max_structured_output_retries', /JSON schema/],
  ])('names the limit for %s, even when is_error is false', (subtype, reason) => {
    const outcome = decideOutcome({ snapshot: endedBy({ subtype, isError: false }), exitCode: 0 });
    expect(outcome.conclusion).toBe('failure');
    expect(outcome.reason).toMatch(reason);
  });

  it('says plainly when there is no result, with the exit code', () => {
    expect(decideOutcome({ snapshot: endedBy(undefined), exitCode: 137 })).toEqual({
      conclusion: 'no-result',
      reason: 'Claude Code ended without a result (exit code 137)',
      exitCode: 137,
    });
  });

  it('puts what the action did first: cancel, then timeouts, then the refused credential', () => {
    const snapshot = endedBy({ subtype: 'success', isError: false });
    expect(decideOutcome({ snapshot, cancelled: true, stoppedFor: 'timeout' }).conclusion).toBe('cancelled');
    expect(decideOutcome({ snapshot: endedBy(undefined), stoppedFor: 'timeout' }).conclusion).toBe('timed-out');
    expect(decideOutcome({ snapshot: endedBy(undefined), endReason: 'deadline' }).conclusion).toBe('timed-out');
    expect(decideOutcome({ snapshot: endedBy(undefined), stoppedFor: 'idle' }).reason).toMatch(/idle-timeout-minutes/);
    expect(decideOutcome({ snapshot: endedBy(undefined), stoppedFor: 'auth', credentialInput: 'claude-code-oauth-token' })).toMatchObject({
      conclusion: 'failure',
      reason: expect.stringMatching(/^claude-code-oauth-token was refused by the Anthropic API/),
    });
  });

  it('reports a setup error as the failure, and OOM as out of memory', () => {
    expect(decideOutcome({ snapshot: endedBy(undefined), setupError: 'could not clone octo/app' })).toMatchObject({
      conclusion: 'failure',
      reason: 'could not clone octo/app',
    });
    expect(decideOutcome({ snapshot: endedBy(undefined), oomKilled: true, exitCode: 137 })).toMatchObject({
      conclusion: 'no-result',
      reason: expect.stringMatching(/out of memory/),
    });
    expect(decideOutcome({ snapshot: endedBy({ subtype: 'success', isError: false }), oomKilled: true }).conclusion).toBe('failure');
  });
});
