// action.yml as the runner uses it for a node action: the declared inputs with
// their defaults, and runs.main / runs.post / runs.post-if.
//
// Input merging follows actions/runner@258d6c85 src/Runner.Worker/ActionRunner.cs:
// the step's `with:` values first; every declared input not given gets its
// evaluated `default:` ('' when there is none), names compared case-insensitively;
// given names that are not declared still reach the process, with a warning.
// `${{ }}` is allowed only in inputs.*.default (the reference's note): anywhere
// else the runner fails to load the action, and so does this loader.
//
// YAML comes from the `yaml` package, present in node_modules as a dependency of
// the devDependency @actions/workflow-parser (whose own loader needs a bundler's
// JSON imports and so does not run under plain Node).

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ActionInput {
  name: string;
  /** The `default:` text as written, `${{ }}` included; undefined when there is none. */
  default: string | undefined;
  required: boolean;
}

export interface ActionManifest {
  /** Directory holding action.yml: runs.main and runs.post are relative to it. */
  dir: string;
  inputs: ActionInput[];
  runs: { using: string; main: string; post?: string; postIf?: string };
}

function scalarText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`expected a scalar, got ${JSON.stringify(value)}`);
}

function findExpressionsOutsideDefaults(node: unknown, path: string[], found: string[]): void {
  const isInputDefault = path.length === 3 && path[0] === 'inputs' && path[2] === 'default';
  if (typeof node === 'string') {
    if (!isInputDefault && node.includes('${{')) found.push(path.join('.'));
  } else if (Array.isArray(node)) {
    node.forEach((item, i) => findExpressionsOutsideDefaults(item, [...path, String(i)], found));
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key.includes('${{')) found.push([...path, key].join('.'));
      findExpressionsOutsideDefaults(value, [...path, key], found);
    }
  }
}

export function parseActionManifest(text: string, dir: string): ActionManifest {
  const doc: unknown = parse(text);
  if (doc === null || typeof doc !== 'object') throw new Error('action.yml: not a mapping');
  const found: string[] = [];
  findExpressionsOutsideDefaults(doc, [], found);
  if (found.length > 0) throw new Error(`action.yml: expressions are not allowed at ${found.join(', ')}`);
  const root = doc as Record<string, unknown>;
  const inputs: ActionInput[] = [];
  for (const [name, spec] of Object.entries((root.inputs ?? {}) as Record<string, unknown>)) {
    const s = (spec ?? {}) as Record<string, unknown>;
    inputs.push({ name, default: scalarText(s.default), required: s.required === true || s.required === 'true' });
  }
  const runs = (root.runs ?? {}) as Record<string, unknown>;
  const using = scalarText(runs.using) ?? '';
  const main = scalarText(runs.main);
  if (!/^node\d+$/.test(using) || !main) throw new Error('action.yml: runs must be a node action with runs.main');
  const post = scalarText(runs.post);
  const postIf = scalarText(runs['post-if']);
  return {
    dir,
    inputs,
    runs: { using, main, ...(post !== undefined && { post }), ...(postIf !== undefined && { postIf }) },
  };
}

export function loadActionManifest(path: string): ActionManifest {
  const full = resolve(path);
  return parseActionManifest(readFileSync(full, 'utf8'), dirname(full));
}

/**
 * A default's value: each `${{ expr }}` becomes `expressions[expr]` (the trimmed
 * expression text, e.g. 'github.token'), or '' when the caller gave none. The
 * runner would evaluate the expression; tests supply the value it would get.
 */
export function evaluateDefault(text: string, expressions: Record<string, string> = {}): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, expr: string) => expressions[expr.trim()] ?? '');
}

export interface ResolvedInputs {
  inputs: Record<string, string>;
  /** Given names the manifest does not declare (the runner warns and still passes them). */
  unexpected: string[];
}

export function resolveInputs(
  manifest: ActionManifest | undefined,
  given: Record<string, string>,
  expressions: Record<string, string> = {},
): ResolvedInputs {
  const inputs: Record<string, string> = { ...given };
  if (!manifest) return { inputs, unexpected: [] };
  const givenUpper = new Set(Object.keys(given).map((k) => k.toUpperCase()));
  const declaredUpper = new Set(manifest.inputs.map((i) => i.name.toUpperCase()));
  for (const input of manifest.inputs) {
    if (!givenUpper.has(input.name.toUpperCase())) {
      inputs[input.name] = input.default === undefined ? '' : evaluateDefault(input.default, expressions);
    }
  }
  const unexpected = Object.keys(given).filter((k) => !declaredUpper.has(k.toUpperCase()));
  return { inputs, unexpected };
}

/** Handler.AddInputsToEnvironment: INPUT_ + name with spaces as "_", upper-cased invariantly (hyphens kept). */
export function inputEnvName(name: string): string {
  let upper = '';
  for (const ch of name.replaceAll(' ', '_')) {
    const u = ch.toUpperCase();
    upper += u.length === 1 ? u : ch; // ToUpperInvariant maps one char to one char (ß stays ß)
  }
  return `INPUT_${upper}`;
}
