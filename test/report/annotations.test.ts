import { describe, expect, it } from 'vitest';
import { failureAnnotation, RETRY_ANNOTATION, SKIPPED_ANNOTATION } from '../../src/report/annotations.ts';
import { decideOutcome, type Conclusion, type OutcomeInput } from '../../src/stream/outcome.ts';
import { makeResult, makeSnapshot, makeSnapshotEndedBy } from './fixtures/changes.ts';

/** Words an attacker would like to see in the run's annotations. */
const ATTACKS = [
  'ATTACKER-WORDS: rotate your GITHUB_TOKEN at https://evil.example',
  '::error title=ATTACKER-WORDS::forged%0A::add-mask::x',
  'ATTACKER-WORDS\nsecond line ##[error]ATTACKER-WORDS',
  '@octocat ATTACKER-WORDS please approve',
  '',
];

const failedWith = (over: Parameters<typeof makeResult>[0]) => makeSnapshotEndedBy([makeResult({ subtype: 'success', isError: false, ...over })]);

/** Every reason decideOutcome gives, each with an attacker's text wherever the text can come from outside. */
function outcomes(attack: string): { name: string; input: OutcomeInput; fixed: boolean }[] {
  const empty = makeSnapshot();
  return [
    { name: 'cancelled', input: { snapshot: empty, cancelled: true }, fixed: true },
    { name: 'timeout', input: { snapshot: empty, stoppedFor: 'timeout' }, fixed: true },
    { name: 'deadline', input: { snapshot: empty, endReason: 'deadline' }, fixed: true },
    { name: 'idle', input: { snapshot: empty, stoppedFor: 'idle' }, fixed: true },
    { name: 'auth', input: { snapshot: empty, stoppedFor: 'auth', credentialInput: 'anthropic-api-key' }, fixed: true },
    { name: 'oom, no result', input: { snapshot: empty, oomKilled: true, exitCode: 137 }, fixed: true },
    { name: 'oom, a result', input: { snapshot: failedWith({ result: attack }), oomKilled: true }, fixed: true },
    { name: 'no result', input: { snapshot: empty, exitCode: 1 }, fixed: true },
    { name: 'max turns', input: { snapshot: failedWith({ subtype: 'error_max_turns', isError: true, errors: [attack] }), exitCode: 1 }, fixed: true },
    { name: 'budget', input: { snapshot: failedWith({ subtype: 'error_max_budget_usd', isError: true, errors: [attack] }) }, fixed: true },
    { name: 'execution', input: { snapshot: failedWith({ subtype: 'error_during_execution', isError: true, errors: [attack] }) }, fixed: true },
    { name: 'schema', input: { snapshot: failedWith({ subtype: 'error_max_structured_output_retries', isError: true }) }, fixed: true },
    { name: 'is_error, errors', input: { snapshot: failedWith({ isError: true, errors: [attack] }), exitCode: 1 }, fixed: true },
    { name: 'is_error, result line', input: { snapshot: failedWith({ isError: true, result: `${attack}\nmore` }), exitCode: 1 }, fixed: true },
    { name: 'exit code', input: { snapshot: failedWith({ result: attack }), exitCode: 3 }, fixed: true },
    { name: 'setup error', input: { snapshot: empty, setupError: attack || 'x' }, fixed: false },
    { name: 'machine end', input: { snapshot: empty, setupError: `the machine ended with ${attack}` }, fixed: false },
  ];
}

describe('failureAnnotation', () => {
  it('never holds the words of a result, the machine or an exception; always one line', () => {
    for (const attack of ATTACKS) {
      for (const { name, input } of outcomes(attack)) {
        const outcome = decideOutcome(input);
        const message = failureAnnotation(outcome);
        expect(message, name).toMatch(/^Claude on Fly: (failure|cancelled|timed-out|no-result) — /);
        expect(message, name).not.toMatch(/ATTACKER|octocat|evil|::|##\[|\n|\r/);
      }
    }
  });

  it('the same words whatever the attacker wrote: they depend only on the kind of reason', () => {
    const wordsFor = (attack: string) => outcomes(attack).map(({ input }) => failureAnnotation(decideOutcome(input)));
    const first = wordsFor(ATTACKS[0]!);
    for (const attack of ATTACKS.slice(1, -1)) expect(wordsFor(attack)).toEqual(first);
  });

  it('keeps the reasons the action words itself, and what kind of failure it was', () => {
    const words = Object.fromEntries(outcomes('ATTACKER-WORDS').map(({ name, input }) => [name, failureAnnotation(decideOutcome(input))]));
    expect(words).toEqual({
      cancelled: 'Claude on Fly: cancelled — the workflow run was cancelled.',
      timeout: 'Claude on Fly: timed-out — the run reached timeout-minutes and was stopped.',
      deadline: 'Claude on Fly: timed-out — the run reached timeout-minutes and was stopped.',
      idle: 'Claude on Fly: timed-out — no output for idle-timeout-minutes while no tool was running; the run was stopped.',
      auth: 'Claude on Fly: failure — anthropic-api-key was refused by the Anthropic API (authentication or billing error); the run was stopped at the first refusal.',
      'oom, no result': 'Claude on Fly: no-result — the machine ran out of memory (OOM); choose a larger fly-vm-size or fly-vm-memory-mb.',
      'oom, a result': 'Claude on Fly: failure — the machine ran out of memory (OOM); choose a larger fly-vm-size or fly-vm-memory-mb.',
      'no result': "Claude on Fly: no-result — Claude Code ended without a result (exit code 1). The reason is at the end of the log and in the job summary.",
      'max turns': 'Claude on Fly: failure — Claude reached the maximum number of turns (max-turns).',
      budget: 'Claude on Fly: failure — Claude reached the budget limit (max-budget-usd).',
      execution: 'Claude on Fly: failure — Claude Code failed during execution.',
      schema: 'Claude on Fly: failure — Claude could not produce output matching the JSON schema.',
      'is_error, errors': 'Claude on Fly: failure — Claude Code reported an error (exit code 1). Its message is in the log and in the job summary.',
      'is_error, result line': 'Claude on Fly: failure — Claude Code reported an error (exit code 1). Its message is in the log and in the job summary.',
      'exit code': "Claude on Fly: failure — Claude Code failed (exit code 3). The reason is at the end of the log and in the job summary.",
      'setup error': "Claude on Fly: failure — the run failed. The reason is at the end of the log and in the job summary.",
      'machine end': "Claude on Fly: failure — the run failed. The reason is at the end of the log and in the job summary.",
    });
  });

  it("a note the run adds after a fixed reason (the machine's account) stays out", () => {
    const outcome = decideOutcome({ snapshot: makeSnapshot(), exitCode: 139 });
    outcome.reason = `${outcome.reason}: ATTACKER-WORDS from the machine`;
    expect(failureAnnotation(outcome)).toBe("Claude on Fly: no-result — Claude Code ended without a result (exit code 139). The reason is at the end of the log and in the job summary.");
    const oom = decideOutcome({ snapshot: makeSnapshot(), oomKilled: true });
    oom.reason = `${oom.reason}: ATTACKER-WORDS`;
    expect(failureAnnotation(oom)).not.toContain('ATTACKER');
  });

  it('the key check before launch: names the input (one of the action\'s own), not the API\'s words', () => {
    const reason = (input: string) => `${input} was refused by the Anthropic API (ATTACKER-WORDS); no machine was started.`;
    expect(failureAnnotation({ conclusion: 'failure', reason: reason('anthropic-api-key'), exitCode: null })).toBe(
      'Claude on Fly: failure — anthropic-api-key was refused by the Anthropic API. The reason is at the end of the log and in the job summary.',
    );
    expect(failureAnnotation({ conclusion: 'failure', reason: reason('claude-code-oauth-token'), exitCode: null })).toContain('claude-code-oauth-token was refused');
    expect(failureAnnotation({ conclusion: 'failure', reason: reason('ATTACKER-WORDS'), exitCode: null })).toBe(
      'Claude on Fly: failure — the Anthropic credential was refused by the Anthropic API. The reason is at the end of the log and in the job summary.',
    );
  });

  it('an unknown conclusion or a strange exit code adds no words', () => {
    expect(failureAnnotation({ conclusion: 'ATTACKER-WORDS' as Conclusion, reason: 'ATTACKER-WORDS', exitCode: Number.NaN })).toBe(
      "Claude on Fly: failure — the run failed. The reason is at the end of the log and in the job summary.",
    );
  });
});

describe('fixed annotations', () => {
  it('are one line with no command syntax', () => {
    for (const text of [RETRY_ANNOTATION, SKIPPED_ANNOTATION]) expect(text).not.toMatch(/::|##\[|[\r\n%]/);
  });
});
