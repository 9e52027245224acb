// The words of annotations: `::warning::`, `::error::`, `::notice::` and
// core.setFailed (an error annotation). An annotation is shown on the run's
// page apart from the log, in the action's own voice, so its words are fixed
// here and never taken from untrusted text (Claude's answer or errors, a
// tool, the machine, a repository, an event). The details go to the log, as
// untrusted text inside the stop-commands window; the annotation points there.
// Pure: no I/O.

import type { Conclusion, Outcome } from '../stream/outcome.ts';

/** The one warning for API retries (annotations are limited per step; every retry has its log line). */
export const RETRY_ANNOTATION = "Claude's API requests are being retried; see the log for the details. Further retries are in the log only.";

/** The notice for a run that was refused (actor check): who and why are in the log. */
export const SKIPPED_ANNOTATION = 'Claude was not started: this event may not start a run. The log says why.';

const CONCLUSIONS: ReadonlySet<string> = new Set<Conclusion>(['success', 'failure', 'cancelled', 'timed-out', 'no-result']);

const CREDENTIAL_INPUTS: ReadonlySet<string> = new Set(['anthropic-api-key', 'claude-code-oauth-token']);

const WHERE = "The reason is at the end of the log and in the job summary.";

// Reasons that decideOutcome words itself (src/stream/outcome.ts), kept as they are.
const FIXED_REASONS: ReadonlySet<string> = new Set([
  'the workflow run was cancelled',
  'the run reached timeout-minutes and was stopped',
  'no output for idle-timeout-minutes while no tool was running; the run was stopped',
  'the machine ran out of memory (OOM); choose a larger fly-vm-size or fly-vm-memory-mb',
  'Claude reached the maximum number of turns (max-turns)',
  'Claude reached the budget limit (max-budget-usd)',
  'Claude Code failed during execution',
  'Claude could not produce output matching the JSON schema',
]);

/**
 * The message for core.setFailed (or core.warning with fail-on-error false):
 * `Claude on Fly: <conclusion> — <fixed words>`. The reason is matched
 * against what decideOutcome writes; whatever else it holds (Claude's error
 * line, the machine's setup error, an exception's message) is never copied:
 * it is at the end of the log (the ■ line) and in the job summary.
 */
export function failureAnnotation(outcome: Pick<Outcome, 'conclusion' | 'reason'> & { exitCode?: number | null }): string {
  const conclusion: Conclusion = CONCLUSIONS.has(outcome.conclusion) ? outcome.conclusion : 'failure';
  return `Claude on Fly: ${conclusion} — ${failureWords(conclusion, String(outcome.reason ?? ''), exitNote(outcome.exitCode))}`;
}

function exitNote(code: number | null | undefined): string {
  return typeof code === 'number' && Number.isSafeInteger(code) ? ` (exit code ${code})` : '';
}

const DEFAULT_WORDS: Record<Conclusion, string> = {
  success: 'Claude finished the task.',
  failure: 'the run failed.',
  cancelled: 'the run was cancelled.',
  'timed-out': 'the run was stopped: it took too long.',
  'no-result': 'Claude Code ended without a result.',
};

function failureWords(conclusion: Conclusion, reason: string, exit: string): string {
  for (const fixed of FIXED_REASONS) {
    // A note may follow (the machine's account of how Claude ended): it is in the log, not here.
    if (reason === fixed) return `${fixed}.`;
    if (reason.startsWith(`${fixed}: `)) return `${fixed}. ${WHERE}`;
  }
  if (/^Claude Code reported an error\b/.test(reason)) return `Claude Code reported an error${exit}. Its message is in the log and in the job summary.`;
  if (/^Claude Code ended without a result\b/.test(reason)) return `Claude Code ended without a result${exit}. ${WHERE}`;
  if (/^Claude Code failed\b/.test(reason)) return `Claude Code failed${exit}. ${WHERE}`;
  const refused = /^([\w-]+) was refused by the Anthropic API( \(authentication or billing error\))?/.exec(reason);
  if (refused) {
    // The input's name only when it is one of the action's own: the rest of the line is the API's.
    const credential = CREDENTIAL_INPUTS.has(refused[1]!) ? refused[1]! : 'the Anthropic credential';
    return refused[2]
      ? `${credential} was refused by the Anthropic API (authentication or billing error); the run was stopped at the first refusal.`
      : `${credential} was refused by the Anthropic API. ${WHERE}`;
  }
  return `${DEFAULT_WORDS[conclusion]} ${WHERE}`;
}
