// The README's input and output tables must say what action.yml says.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
};

function tableRows(marker: string): string[][] {
  const start = readme.indexOf(`<!-- ${marker}:start -->`);
  const end = readme.indexOf(`<!-- ${marker}:end -->`);
  expect(start, `${marker} markers`).toBeGreaterThan(-1);
  return readme
    .slice(start, end)
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|')),
    );
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

describe('README tables', () => {
  it('lists every input of action.yml, in order, with its default and description', () => {
    const rows = tableRows('inputs-table');
    expect(rows.map((r) => unquote(r[0] as string))).toEqual(Object.keys(action.inputs));
    for (const [name, def, description] of rows) {
      const input = action.inputs[unquote(name as string)]!;
      const expected = input.default === undefined ? (input.required ? '**required**' : '') : `\`${input.default}\``;
      expect(def, name).toBe(expected);
      expect(description, name).toBe(input.description.replace(/\n/g, ' ').trim());
    }
  });

  it('lists every output of action.yml, in order, with its description', () => {
    const rows = tableRows('outputs-table');
    expect(rows.map((r) => unquote(r[0] as string))).toEqual(Object.keys(action.outputs));
    for (const [name, description] of rows) {
      expect(description, name).toBe(action.outputs[unquote(name as string)]!.description.trim());
    }
  });
});
