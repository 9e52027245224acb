// Every workflow and action.yml through GitHub's own parser (@actions/workflow-parser):
// schema, expression syntax and which contexts each key may use (secrets in `if:`,
// for instance, is an error there as it is on GitHub).
import { describe, expect, it } from 'vitest';
import { readText, workflowFiles } from './files.ts';
import { actionErrors, workflowErrors } from './parser.ts';

describe("GitHub's parser accepts the repository's files", () => {
  it('action.yml', () => {
    expect(actionErrors('action.yml', readText('action.yml'))).toEqual([]);
  });

  it('finds the workflows', () => {
    expect(workflowFiles()).toEqual(
      expect.arrayContaining(['ci.yml', 'image.yml', 'ci-failure-analysis.yml', 'code-review.yml', 'maintenance.yml']),
    );
  });

  for (const file of workflowFiles()) {
    it(`.github/workflows/${file}`, async () => {
      expect(await workflowErrors(file, readText(`.github/workflows/${file}`))).toEqual([]);
    });
  }
});

describe('the parser check can fail', () => {
  const job = (steps: string, jobExtra = ''): string =>
    `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n${jobExtra}    steps:\n${steps}`;

  it('accepts a minimal workflow (so the failures below are the broken parts)', async () => {
    expect(await workflowErrors('ok.yml', job('      - run: echo hi\n'))).toEqual([]);
  });

  it('rejects secrets in a step condition', async () => {
    const errors = await workflowErrors('w.yml', job("      - run: echo hi\n        if: secrets.X != ''\n"));
    expect(errors.join('\n')).toMatch(/Unrecognized named-value: 'secrets'/);
  });

  it('rejects an expression that does not parse', async () => {
    const errors = await workflowErrors('w.yml', job('      - run: echo ${{ github.sha == "x" }}\n'));
    expect(errors.length).toBeGreaterThan(0);
  });

  it('rejects an unknown key and a step with both uses and run', async () => {
    expect(await workflowErrors('w.yml', job('      - run: echo hi\n        retries: 3\n'))).not.toEqual([]);
    expect(await workflowErrors('w.yml', job('      - uses: ./\n        run: echo hi\n'))).not.toEqual([]);
  });

  it('rejects a job without runs-on and a workflow without on', async () => {
    expect(await workflowErrors('w.yml', 'on: push\njobs:\n  a:\n    steps:\n      - run: echo\n')).not.toEqual([]);
    expect(await workflowErrors('w.yml', 'jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n')).not.toEqual([]);
  });

  it('rejects YAML that does not parse', async () => {
    expect(await workflowErrors('w.yml', 'on: push\njobs: [\n')).not.toEqual([]);
  });

  it('rejects a broken action.yml', () => {
    const runs = 'runs:\n  using: node24\n  main: index.js\n';
    expect(actionErrors('action.yml', `name: a\ndescription: d\n${runs}`)).toEqual([]);
    expect(actionErrors('action.yml', `name: a\n${runs}`).join('\n')).toMatch(/description/);
    expect(actionErrors('action.yml', `name: a\ndescription: d\nruns:\n  using: node12x\n  main: index.js\n`)).not.toEqual([]);
  });
});
