import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/redact.ts';
import { decideOutcome } from '../../src/stream/outcome.ts';
import type { ResultEvent, RunSnapshot } from '../../src/stream/types.ts';
import { OUTPUT_NAMES, plainDecimal, RESULT_OUTPUT_MAX_BYTES, stepOutputs } from '../../src/report/outputs.ts';
import type { RunReport } from '../../src/report/report-input.ts';
import { makeResult, makeSnapshotEndedBy } from './fixtures/changes.ts';

const result = (over: Partial<ResultEvent> = {}): ResultEvent =>
  makeResult({ durationMs: 50_000, durationApiMs: 40_000, numTurns: 4, result: 'Answer.', totalCostUsd: 0.0123, usage: undefined, sessionId: 'sess', ...over });

// errors stay [] whatever the last result says: these tests give them on their own.
const snapshot = (over: Partial<RunSnapshot> = {}): RunSnapshot =>
  makeSnapshotEndedBy(over.results ?? [result()], {
    usage: { inputTokens: 1_234, outputTokens: 567, cacheReadTokens: 89, cacheWriteTokens: 10 },
    models: [],
    errors: [],
    sessionId: 'a1b2c3',
    claudeCodeVersion: undefined,
    ...over,
  });

function report(snap: RunSnapshot, over: Partial<RunReport> = {}, exitCode: number | null = 0): RunReport {
  return { snapshot: snap, outcome: decideOutcome({ snapshot: snap, exitCode }), redactor: new Redactor(), ...over };
}

describe('stepOutputs', () => {
  it('has exactly the documented outputs', () => {
    expect(Object.keys(stepOutputs(report(snapshot()))).sort()).toEqual([...OUTPUT_NAMES].sort());
    expect(OUTPUT_NAMES).toHaveLength(14);
  });

  it('fills every output of a complete run', () => {
    const out = stepOutputs(
      report(snapshot({ structuredOutput: { ok: true, items: [1, 2] } }), {
        durationMs: 61_234.6,
        machine: { id: 'mach-1', region: 'fra', sizeName: 'shared-cpu-1x', cpuKind: 'shared', cpus: 1, memoryMb: 256, runningMs: 60_000 },
        transcriptFile: 'claude-transcript.jsonl',
        commentUrl: 'https://github.com/o/r/pull/1#issuecomment-9',
      }),
    );
    expect(out).toEqual({
      conclusion: 'success',
      'exit-code': '0',
      result: 'Answer.',
      'cost-usd': '0.0123',
      // shared-cpu-1x in fra: 0.0000008465 x 1.153846154 per second, 60 s
      'machine-cost-usd': plainDecimal(0.0000008465 * 1.153846154 * 60),
      'num-turns': '4',
      'duration-ms': '61235',
      'input-tokens': '1234',
      'output-tokens': '567',
      'session-id': 'a1b2c3',
      'machine-id': 'mach-1',
      'transcript-file': 'claude-transcript.jsonl',
      'comment-url': 'https://github.com/o/r/pull/1#issuecomment-9',
      'structured-output': '{"ok":true,"items":[1,2]}',
    });
    expect(out['machine-cost-usd']).toMatch(/^0\.0000586\d*$/);
  });

  it('leaves unknown values empty', () => {
    const snap = snapshot({ results: [], costUsd: undefined, numTurns: undefined, durationMs: undefined, finalText: '', sessionId: undefined });
    const out = stepOutputs(report(snap, {}, null));
    expect(out.conclusion).toBe('no-result');
    for (const key of ['exit-code', 'result', 'cost-usd', 'machine-cost-usd', 'num-turns', 'duration-ms', 'session-id', 'machine-id', 'transcript-file', 'comment-url', 'structured-output'] as const) {
      expect(out[key], key).toBe('');
    }
  });

  it('takes the last result of two (cumulative), and Claude Code\'s duration without a wall time', () => {
    const snap = snapshot({ results: [result({ totalCostUsd: 0.1 }), result({ totalCostUsd: 0.25, numTurns: 7, durationMs: 80_000 })] });
    const out = stepOutputs(report(snap));
    expect(out['cost-usd']).toBe('0.25');
    expect(out['num-turns']).toBe('7');
    expect(out['duration-ms']).toBe('80000');
  });

  it('reports failures with their exit code', () => {
    const snap = snapshot({ results: [result({ subtype: 'error_max_turns', isError: true, result: undefined })], finalText: '' });
    const out = stepOutputs(report(snap, {}, 1));
    expect(out.conclusion).toBe('failure');
    expect(out['exit-code']).toBe('1');
  });

  it('redacts secrets in every value', () => {
    const secret = 'hunter2-very-secret';
    const snap = snapshot({ finalText: `the key is ${secret}`, sessionId: secret, structuredOutput: { k: secret } });
    const out = stepOutputs(report(snap, { redactor: new Redactor([secret]), transcriptFile: `${secret}.jsonl` }));
    for (const value of Object.values(out)) expect(value).not.toContain(secret);
    expect(out.result).toBe('the key is ***');
    expect(JSON.parse(out['structured-output'])).toEqual({ k: '***' });
  });

  it('cuts an answer over the output limit at a character boundary, with a note', () => {
    const out = stepOutputs(report(snapshot({ finalText: '€'.repeat(600_000) })));
    expect(Buffer.byteLength(out.result, 'utf8')).toBeLessThanOrEqual(RESULT_OUTPUT_MAX_BYTES);
    expect(out.result).not.toContain('\uFFFD');
    expect(out.result).toMatch(/€\n\n\[cut: the answer is longer than the output limit/);
  });
});

describe('plainDecimal', () => {
  it('never uses exponent notation', () => {
    expect(plainDecimal(1e-7)).toBe('0.0000001');
    expect(plainDecimal(0.1 + 0.2)).toBe('0.3');
    expect(plainDecimal(12)).toBe('12');
    expect(plainDecimal(1.5e21)).toBe('1500000000000000000000');
    expect(plainDecimal(-0.00000000001)).toBe('0');
    expect(plainDecimal(Number.NaN)).toBe('');
    expect(plainDecimal(undefined)).toBe('');
  });
});
