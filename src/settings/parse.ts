// What every section reader shares: the problem collector, and the helpers
// that turn one input's text into a value or a problem naming the input.
import { quote } from '../input-text.ts';
import type { InputReader } from './types.ts';

export type Fail = (problem: string) => void;

/**
 * Problems with the inputs, in the order they are reported: the order in
 * which the section readers run, and within each the order of its checks.
 */
export class Problems {
  readonly list: string[];
  constructor(first: readonly string[] = []) {
    this.list = [...first];
  }
  /** Bound, so it can be handed to the parse helpers as it is. */
  readonly add: Fail = (problem) => {
    this.list.push(problem);
  };
}

/** The input's value with surrounding white space removed (as most inputs are read). */
export function trimmed(input: InputReader): (name: string) => string {
  return (name) => input(name).trim();
}

/** Why `text` is not a usable http(s) base URL, or undefined. Credentials in it are never repeated. */
export function httpUrlProblem(text: string, tokenInput: string): string | undefined {
  let url: URL | undefined;
  try {
    url = /\s/.test(text) ? undefined : new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return `${quote(text)} is not an http(s) URL`;
  if (url.username || url.password) return `holds a user name or password (the token goes in ${tokenInput})`;
  if (url.search || url.hash) return `${quote(text)} has a query or fragment`;
  return undefined;
}

export function parseInteger(text: string, name: string, min: number, max: number, fail: Fail, allowed: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(`${name} ${quote(text)} is not valid; use ${allowed}.`);
    return min;
  }
  return value;
}

export function parseNumber(
  text: string,
  name: string,
  fail: Fail,
  rules: { zero: 'refused' | 'turns it off'; max?: number; hint?: string },
): number {
  const value = Number(text);
  const min = rules.zero === 'refused' ? 'greater than 0' : '0 or more';
  const ok =
    /^\d+(\.\d+)?$|^\.\d+$/.test(text) &&
    Number.isFinite(value) &&
    (rules.zero === 'refused' ? value > 0 : value >= 0) &&
    (rules.max === undefined || value <= rules.max);
  if (!ok) {
    const range = rules.max === undefined ? `a number ${min}` : `a number ${min} and at most ${rules.max}`;
    const notes = [rules.zero === 'turns it off' ? '0 turns it off' : '', rules.hint ?? ''].filter(Boolean);
    fail(`${name} ${quote(text)} is not valid; use ${range}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}; fractions such as 0.5 are fine.`);
    return 0;
  }
  return value;
}

/** true or false, in any case (as YAML and core.getBooleanInput read them); yes, on or 1 are refused, not guessed. */
export function parseBoolean(text: string, name: string, fallback: boolean, fail: Fail): boolean {
  if (text === '') return fallback;
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text)) return false;
  fail(`${name} ${quote(text)} is not a boolean; use true or false.`);
  return fallback;
}

export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
