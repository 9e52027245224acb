// Cancellation as the runner does it: SIGINT, then SIGTERM after a wait, then
// SIGKILL after another (shortened here: 400 ms and 300 ms instead of 7.5 s and 2.5 s).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAction, runStep, SIGINT_TIMEOUT_MS, SIGTERM_TIMEOUT_MS } from './runner.ts';

const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);
const SHORT = { sigintTimeoutMs: 400, sigtermTimeoutMs: 300 };

function gotSignals(stdout: string): { signal: string; at: number }[] {
  return [...stdout.matchAll(/^got (SIG\w+) at (\d+)$/gm)].map((m) => ({ signal: m[1]!, at: Number(m[2]) }));
}

describe('cancel', () => {
  it("keeps the runner's delays as defaults", () => {
    expect(SIGINT_TIMEOUT_MS).toBe(7500);
    expect(SIGTERM_TIMEOUT_MS).toBe(2500);
  });

  it('sends SIGINT, then SIGTERM after the first delay, then SIGKILL after the second', async () => {
    const result = await runStep({
      entry: fixture('signals.js'),
      env: { FIXTURE_ON_SIGINT: 'ignore' },
      cancel: { when: (out) => out.includes('ready'), ...SHORT },
    });
    expect(result.signalsSent.map((s) => s.signal)).toEqual(['SIGINT', 'SIGTERM', 'SIGKILL']);
    const [int, term, kill] = result.signalsSent;
    expect(term!.atMs - int!.atMs).toBeGreaterThanOrEqual(SHORT.sigintTimeoutMs - 5);
    expect(kill!.atMs - term!.atMs).toBeGreaterThanOrEqual(SHORT.sigtermTimeoutMs - 5);
    // The process saw SIGINT first, then SIGTERM, and no more (SIGKILL cannot be seen).
    const seen = gotSignals(result.stdout);
    expect(seen.map((s) => s.signal)).toEqual(['SIGINT', 'SIGTERM']);
    // Signal delivery can lag under load: only prove SIGTERM did not follow at once.
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(SHORT.sigintTimeoutMs / 2);
    expect(result.signal).toBe('SIGKILL');
    expect(result.exitCode).toBeNull();
    expect(result.failed).toBe(true);
    expect(result.conclusion).toBe('cancelled');
  });

  it('stops at SIGINT when the process exits in time, and still reads its files', async () => {
    const result = await runStep({
      entry: fixture('signals.js'),
      env: { FIXTURE_ON_SIGINT: 'exit' },
      cancel: { when: (out) => out.includes('ready'), ...SHORT },
    });
    expect(result.signalsSent.map((s) => s.signal)).toEqual(['SIGINT']);
    expect(result.exitCode).toBe(0);
    expect(result.failed).toBe(false);
    expect(result.conclusion).toBe('cancelled');
    expect(result.outputs).toEqual({ conclusion: 'cancelled' });
    expect(Object.keys(result.state)).toEqual(['cancelled-at']);
  });

  it('can start at SIGTERM (the host stopping): SIGKILL follows the SIGTERM wait', async () => {
    const result = await runStep({
      entry: fixture('signals.js'),
      env: { FIXTURE_ON_SIGINT: 'ignore' },
      cancel: { when: (out) => out.includes('ready'), signal: 'SIGTERM', ...SHORT },
    });
    expect(result.signalsSent.map((s) => s.signal)).toEqual(['SIGTERM', 'SIGKILL']);
    expect(gotSignals(result.stdout).map((s) => s.signal)).toEqual(['SIGTERM']);
    expect(result.signal).toBe('SIGKILL');
  });

  it('can SIGKILL outright (the runner dying), on a trigger outside the step', async () => {
    let asked = 0;
    const result = await runStep({
      entry: fixture('signals.js'),
      env: { FIXTURE_ON_SIGINT: 'exit' },
      cancel: { poll: () => ++asked >= 3, signal: 'SIGKILL', ...SHORT },
    });
    expect(asked).toBe(3);
    expect(result.signalsSent.map((s) => s.signal)).toEqual(['SIGKILL']);
    expect(gotSignals(result.stdout)).toEqual([]);
    expect(result.signal).toBe('SIGKILL');
    expect(result.conclusion).toBe('cancelled');
  });

  it('cancels after a fixed time too', async () => {
    const result = await runStep({ entry: fixture('signals.js'), env: { FIXTURE_ON_SIGINT: 'exit' }, cancel: { afterMs: 500, ...SHORT } });
    expect(result.signalsSent[0]!.signal).toBe('SIGINT');
    expect(result.signalsSent[0]!.atMs).toBeGreaterThanOrEqual(495);
    expect(gotSignals(result.stdout).map((s) => s.signal)).toEqual(['SIGINT']);
  });

  it('treats a step timeout as a failure with the same signals', async () => {
    const result = await runStep({ entry: fixture('signals.js'), env: { FIXTURE_ON_SIGINT: 'exit' }, timeoutMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(result.conclusion).toBe('failure');
    expect(result.annotations).toContainEqual({ level: 'error', message: 'The action has timed out.', properties: {} });
  });

  it('runs post after a cancelled main, with the state main saved while cancelling', async () => {
    const { main, post } = await runAction({
      entry: fixture('signals.js'),
      postEntry: fixture('post-report.js'),
      env: { FIXTURE_ON_SIGINT: 'exit' },
      cancel: { when: (out) => out.includes('ready'), ...SHORT },
    });
    expect(main.conclusion).toBe('cancelled');
    expect(post?.signalsSent).toEqual([]);
    expect(post?.stdout).toMatch(/"STATE_cancelled-at":"\d+"/);
  });
});
