// The action's step outputs (GITHUB_OUTPUT): plain strings, '' where unknown,
// numbers as plain decimals (never 1e-7), every value redacted. Pure: no I/O.

import { costFigures, runDurationMs } from './report-input.ts';
import type { RunReport } from './report-input.ts';

/** Job outputs are limited to 1 MB each: the answer is cut below that, with a visible note. */
export const RESULT_OUTPUT_MAX_BYTES = 1_000_000;

export const OUTPUT_NAMES = [
  'conclusion',
  'exit-code',
  'result',
  'cost-usd',
  'machine-cost-usd',
  'num-turns',
  'duration-ms',
  'input-tokens',
  'output-tokens',
  'session-id',
  'machine-id',
  'transcript-file',
  'comment-url',
  'structured-output',
] as const;

export type OutputName = (typeof OUTPUT_NAMES)[number];

/** A finite number as a plain decimal string: 0.000123 not 1.23e-4; '' for anything else. */
export function plainDecimal(n: number | undefined | null, maxFractionDigits = 10): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '';
  if (Number.isSafeInteger(n)) return String(n);
  if (Math.abs(n) >= 1e21) return BigInt(Math.round(n)).toString();
  const fixed = n.toFixed(maxFractionDigits);
  const trimmed = fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
  return trimmed === '-0' ? '0' : trimmed;
}

function wholeNumber(n: number | undefined | null): string {
  return typeof n === 'number' && Number.isFinite(n) ? plainDecimal(Math.round(n)) : '';
}

function cutUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const note = '\n\n[cut: the answer is longer than the output limit; the full text is in the transcript]';
  const room = maxBytes - Buffer.byteLength(note, 'utf8');
  // Cut on bytes, then drop a partial character at the end.
  let cut = Buffer.from(text, 'utf8').subarray(0, Math.max(0, room)).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return cut + note;
}

export function stepOutputs(report: RunReport): Record<OutputName, string> {
  const red = (s: string | undefined | null) => report.redactor.redact(String(s ?? ''));
  const s = report.snapshot;
  const cost = costFigures(report);
  let structured = '';
  if (s.structuredOutput !== undefined) {
    try {
      structured = JSON.stringify(s.structuredOutput) ?? '';
    } catch {
      structured = '';
    }
  }
  const outputs: Record<OutputName, string> = {
    conclusion: report.outcome.conclusion,
    'exit-code': report.outcome.exitCode === null ? '' : wholeNumber(report.outcome.exitCode),
    // Only a reported result is an answer: without one, finalText is whatever Claude said last
    // (the summary and comment label it so; an output cannot), so a workflow must not take it for one.
    result: s.lastResult ? cutUtf8(red(s.finalText), RESULT_OUTPUT_MAX_BYTES) : '',
    'cost-usd': plainDecimal(cost.claudeUsd),
    'machine-cost-usd': plainDecimal(cost.machineUsd),
    'num-turns': wholeNumber(s.numTurns),
    'duration-ms': wholeNumber(runDurationMs(report)),
    'input-tokens': wholeNumber(s.usage.inputTokens),
    'output-tokens': wholeNumber(s.usage.outputTokens),
    'session-id': red(s.sessionId),
    'machine-id': red(report.machine?.id),
    'transcript-file': red(report.transcriptFile),
    'comment-url': red(report.commentUrl),
    'structured-output': red(structured),
  };
  return outputs;
}
