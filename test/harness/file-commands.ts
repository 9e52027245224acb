// The runner's file commands (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV, GITHUB_PATH,
// GITHUB_STEP_SUMMARY), reimplemented from actions/runner@258d6c85
// src/Runner.Worker/FileCommandManager.cs. The runner creates each file empty
// before the step and reads it once the step's process has ended.

import { readFileSync, statSync } from 'node:fs';
import type { SecretMasker } from './secret-masker.ts';

export interface KeyValueFile {
  /** Entries in file order; a later entry with the same name wins when applied. */
  pairs: [string, string][];
  /** Set when the runner would throw: entries before the bad one were already applied. */
  error?: string;
}

/** Linux ReadLine of EnvFileKeyValuePairs: lines end at "\n" only (a CR stays in the line). */
function readLine(text: string, index: number): { line: string; next: number; newline: boolean } | undefined {
  if (index >= text.length) return undefined;
  const lf = text.indexOf('\n', index);
  if (lf < 0) return { line: text.slice(index), next: text.length, newline: false };
  return { line: text.slice(index, lf), next: lf + 1, newline: true };
}

/**
 * EnvFileKeyValuePairs: `name=value` (first "=" splits) or the heredoc form
 * `name<<DELIMITER`, value lines, then a line that is exactly DELIMITER; the
 * value excludes the newline before the delimiter. Whichever of "=" and "<<"
 * comes first on the line decides the form; empty lines are skipped.
 */
export function parseKeyValueFile(text: string): KeyValueFile {
  const pairs: [string, string][] = [];
  let index = 0;
  for (let r = readLine(text, index); r; r = readLine(text, index)) {
    index = r.next;
    const line = r.line;
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      // The runner checks the whole line for emptiness, not the name: `=x` gives the name "".
      pairs.push([line.slice(0, eq), line.slice(eq + 1)]);
    } else if (heredoc >= 0 && (eq < 0 || heredoc < eq)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (name === '' || delimiter === '') {
        return { pairs, error: `Invalid format '${line}'. Name must not be empty and delimiter must not be empty` };
      }
      const start = index;
      let end = index;
      let value = readLine(text, index);
      if (value) index = value.next;
      while (value?.line !== delimiter) {
        if (!value) return { pairs, error: `Invalid value. Matching delimiter not found '${delimiter}'` };
        if (!value.newline) return { pairs, error: 'Invalid value. EOF marker missing new line.' };
        end = index - 1;
        value = readLine(text, index);
        if (value) index = value.next;
      }
      pairs.push([name, end > start ? text.slice(start, end) : '']);
    } else {
      return { pairs, error: `Invalid format '${line}'` };
    }
  }
  return { pairs };
}

export function readKeyValueFile(path: string): KeyValueFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { pairs: [] }; // the runner only logs a debug line for a missing file
  }
  return parseKeyValueFile(text);
}

/** AddPathFileCommand: every non-empty line (split like File.ReadAllLines) is a directory. */
export function readPathFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split(/\r\n|\r|\n/).filter((l) => l !== '');
}

export const STEP_SUMMARY_LIMIT = 1024 * 1024;

export interface StepSummary {
  /** What the runner uploads: every line masked, each ended by "\n"; '' when empty or dropped. */
  text: string;
  /** The file as the step wrote it. */
  raw: string;
  sizeBytes: number;
  /** The runner's error when the summary is dropped whole for being over the limit. */
  error?: string;
}

/** CreateStepSummaryCommand: size check on bytes, then a masked copy read line by line. */
export function readStepSummary(path: string, masker: SecretMasker): StepSummary {
  let sizeBytes: number;
  try {
    sizeBytes = statSync(path).size;
  } catch {
    return { text: '', raw: '', sizeBytes: 0 };
  }
  const raw = sizeBytes === 0 ? '' : readFileSync(path, 'utf8');
  if (sizeBytes === 0) return { text: '', raw, sizeBytes };
  if (sizeBytes > STEP_SUMMARY_LIMIT) {
    const error = `$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of ${STEP_SUMMARY_LIMIT / 1024}k, got ${Math.floor(sizeBytes / 1024)}k. For more information see: https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary`;
    return { text: '', raw, sizeBytes, error };
  }
  const lines = raw.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop(); // StreamReader.ReadLine yields no line after a final newline
  return { text: lines.map((l) => `${masker.mask(l)}\n`).join(''), raw, sizeBytes };
}
