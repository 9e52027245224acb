// The bound on the calls that end a run: normal, or cut short by a cancel so
// the step still reports before the runner's SIGKILL.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { callBudget, REPORT_MARGIN_MS, withinBudget } from '../../src/run/wrap-up.ts';

describe('callBudget', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts after the normal bound when nothing is cancelled', () => {
    vi.useFakeTimers();
    const cancel = new AbortController();
    const budget = callBudget({ cancel: cancel.signal, cancelEndBy: () => undefined, normalMs: 1000 });
    vi.advanceTimersByTime(999);
    expect(budget.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(budget.signal.aborted).toBe(true);
  });

  it('a cancel that arrives mid-call cuts it to the margin before the SIGKILL', () => {
    vi.useFakeTimers();
    const cancel = new AbortController();
    const end: { by?: number } = {};
    const budget = callBudget({ cancel: cancel.signal, cancelEndBy: () => end.by, normalMs: 60_000 });
    vi.advanceTimersByTime(5000);
    end.by = Date.now() + 2500; // SIGTERM: 2.5 s left
    cancel.abort();
    vi.advanceTimersByTime(2500 - REPORT_MARGIN_MS - 1);
    expect(budget.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(budget.signal.aborted).toBe(true);
  });

  it('already cancelled with no time left: aborts at once', () => {
    vi.useFakeTimers();
    const cancel = new AbortController();
    cancel.abort();
    const budget = callBudget({ cancel: cancel.signal, cancelEndBy: () => Date.now() + 100, normalMs: 60_000 });
    vi.advanceTimersByTime(0);
    expect(budget.signal.aborted).toBe(true);
  });

  it('withinBudget gives up on work that outlives the budget, and waits for work that does not', async () => {
    const cancel = new AbortController();
    const never = new Promise(() => undefined);
    const short = callBudget({ cancel: cancel.signal, cancelEndBy: () => undefined, normalMs: 20 });
    await withinBudget(short, never); // returns: given up
    expect(short.signal.aborted).toBe(true);
    let finished = false;
    const long = callBudget({ cancel: cancel.signal, cancelEndBy: () => undefined, normalMs: 60_000 });
    await withinBudget(long, new Promise((r) => setTimeout(r, 10)).then(() => (finished = true)));
    expect(finished).toBe(true);
    expect(long.signal.aborted).toBe(false);
  });
});
