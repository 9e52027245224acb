// Decoding the 200 answer of POST /machines/{id}/exec. Fly's Go client reads
// it as {exit_code, exit_signal, stdout, stderr} with omitempty (a missing
// field is its zero); the spec calls it raw output bytes. Be liberal: a JSON
// object is decoded, anything else is the command's stdout.

import type { ExecResult } from './types.ts';

export function decodeExecAnswer(text: string): ExecResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { exitCode: 0, exitSignal: 0, stdout: text, stderr: '' };
  }
  const body = parsed as Record<string, unknown>;
  return {
    exitCode: toInt(body.exit_code),
    exitSignal: toInt(body.exit_signal),
    stdout: toText(body.stdout),
    stderr: toText(body.stderr),
  };
}

function toInt(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return 0;
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}
