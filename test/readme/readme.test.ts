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

describe('README quick start', () => {
  it("is a workflow GitHub's parser accepts, using only inputs action.yml declares", async () => {
    const { workflowErrors } = await import('../workflows/parser.ts');
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect(await workflowErrors('README.md', block)).toEqual([]);
      const workflow = parse(block) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }> };
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps.filter((s) => s.uses?.includes('claude-fly-action'))) {
          for (const name of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), name).toContain(name);
        }
      }
    }
  });
});
