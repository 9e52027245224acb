// The run's conclusion, decided from everything we know together: the last
// result (subtype and is_error), Claude's exit code, how the machine ended,
// and what the action itself did (cancel, timeouts). Neither is_error nor the
// exit code alone is trustworthy (see reference/stream-json.md, pitfalls).
import type { RunSnapshot } from './types.ts';

export type Conclusion = 'success' | 'failure' | 'cancelled' | 'timed-out' | 'no-result';

export interface OutcomeInput {
  snapshot: RunSnapshot;
  /** Claude's exit code, when known (reader or machine exit event). */
  exitCode?: number | null;
  /** Why the machine side ended: exited | deadline | setup-failed | handover-timeout | ... */
  endReason?: string | null;
  /** A one-line explanation that the machine side gave for a failure before Claude ran. */
  setupError?: string | null;
  oomKilled?: boolean;
  cancelled?: boolean;
  /** The action stopped the run: 'timeout' (timeout-minutes) or 'idle' (idle-timeout-minutes). */
  stoppedFor?: 'timeout' | 'idle' | 'auth' | null;
  /** The input that holds the Anthropic credential, named when the API refused it. */
  credentialInput?: string;
}

export interface Outcome {
  conclusion: Conclusion;
  /** One line a person can act on. */
  reason: string;
  exitCode: number | null;
}

const SUBTYPE_REASON: Record<string, string> = {
  error_max_turns: 'Claude reached the maximum number of turns (max-turns)',
  error_max_budget_usd: 'Claude reached the budget limit (max-budget-usd)',
  error_during_execution: 'Claude Code failed during execution',
  error_max_structured_output_retries: 'Claude could not produce output matching the JSON schema',
};

export function decideOutcome(input: OutcomeInput): Outcome {
  const exitCode = input.exitCode ?? null;
  const result = input.snapshot.lastResult;
  const exitNote = exitCode === null ? '' : ` (exit code ${exitCode})`;

  if (input.cancelled) {
    return { conclusion: 'cancelled', reason: 'the workflow run was cancelled', exitCode };
  }
  if (input.stoppedFor === 'timeout' || input.endReason === 'deadline') {
    return { conclusion: 'timed-out', reason: 'the run reached timeout-minutes and was stopped', exitCode };
  }
  if (input.stoppedFor === 'idle') {
    return {
      conclusion: 'timed-out',
      reason: 'no output for idle-timeout-minutes while no tool was running; the run was stopped',
      exitCode,
    };
  }
  if (input.stoppedFor === 'auth') {
    return {
      conclusion: 'failure',
      reason: `${input.credentialInput ?? 'the Anthropic credential'} was refused by the Anthropic API (authentication or billing error); the run was stopped at the first refusal`,
      exitCode,
    };
  }
  if (input.setupError) {
    return { conclusion: 'failure', reason: input.setupError, exitCode };
  }
  if (input.oomKilled) {
    return {
      conclusion: result ? 'failure' : 'no-result',
      reason: 'the machine ran out of memory (OOM); choose a larger fly-vm-size or fly-vm-memory-mb',
      exitCode,
    };
  }
  if (!result) {
    return {
      conclusion: 'no-result',
      reason: `Claude Code ended without a result${exitNote}`,
      exitCode,
    };
  }
  const ok = result.subtype === 'success' && !result.isError && (exitCode === null || exitCode === 0);
  if (ok) return { conclusion: 'success', reason: 'Claude finished the task', exitCode };
  const detail = result.errors[0] ?? (result.isError ? firstLine(result.result ?? '') : '');
  const why =
    SUBTYPE_REASON[result.subtype] ??
    (result.isError ? `Claude Code reported an error${detail ? `: ${detail}` : ''}` : `Claude Code failed${exitNote}`);
  return { conclusion: 'failure', reason: why, exitCode };
}

function firstLine(text: string): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export const CONCLUSION_TITLE: Record<Conclusion, string> = {
  success: 'Success',
  failure: 'Failure',
  cancelled: 'Cancelled',
  'timed-out': 'Timed out',
  'no-result': 'No result',
};
