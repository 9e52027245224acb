// The harness runs stand-in entry scripts (fixtures/) as the runner would and
// reports what the runner would see.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderStepLogAsUi } from './log-view.ts';
import { runAction, runStep } from './runner.ts';

const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);
const tmp = mkdtempSync(join(tmpdir(), 'harness-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function actionYml(body: string): string {
  const path = join(tmp, `action-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(path, body);
  return path;
}

const ACTION = `name: t
description: t
inputs:
  tool-output:
    description: d
    default: truncated
  github-token:
    description: d
    default: \${{ github.token }}
  mixed default:
    description: d
    default: "pre-\${{ github.run_id }}-post"
  no-default:
    description: d
runs:
  using: node24
  main: fixtures/main-report.js
  post: fixtures/post-report.js
  post-if: always()
`;

function line(stdout: string, key: string): string {
  const found = stdout.split('\n').find((l) => l.startsWith(`${key}=`));
  if (found === undefined) throw new Error(`no ${key}= line in:\n${stdout}`);
  return found.slice(key.length + 1);
}

describe('runStep', () => {
  it('hands inputs over as INPUT_<NAME> with defaults from action.yml, hyphens kept', async () => {
    const result = await runStep({
      entry: fixture('main-report.js'),
      inputs: { 'tool-output': 'full', extra: 'x' },
      defaults: actionYml(ACTION),
      expressions: { 'github.token': 'ghs_token123' },
      env: { FIXTURE_INPUTS: 'tool-output,github-token,mixed default,no-default,extra' },
    });
    expect(result.failed).toBe(false);
    expect(JSON.parse(line(result.stdout, 'inputs'))).toEqual({
      'tool-output': 'full',
      'github-token': 'ghs_token123',
      'mixed default': 'pre--post', // github.run_id not supplied: ''
      'no-default': '',
      extra: 'x',
    });
    const inputEnv = JSON.parse(line(result.stdout, 'input-env')) as Record<string, string>;
    expect(Object.keys(inputEnv).sort()).toEqual(
      ['INPUT_EXTRA', 'INPUT_GITHUB-TOKEN', 'INPUT_MIXED_DEFAULT', 'INPUT_NO-DEFAULT', 'INPUT_TOOL-OUTPUT'].sort(),
    );
    // The runner warns about an input action.yml does not declare.
    expect(result.annotations).toContainEqual(expect.objectContaining({ level: 'warning', message: expect.stringContaining("Unexpected input(s) 'extra'") }));
  });

  it('applies the default of the real action.yml', async () => {
    const result = await runStep({
      entry: fixture('main-report.js'),
      defaults: join(import.meta.dirname, '..', '..', 'action.yml'),
      env: { FIXTURE_INPUTS: 'tool-output' },
    });
    expect(JSON.parse(line(result.stdout, 'inputs'))).toEqual({ 'tool-output': 'truncated' });
  });

  it('parses outputs from GITHUB_OUTPUT in both forms, multi-line values intact', async () => {
    const result = await runStep({ entry: fixture('main-report.js') });
    expect(result.outputs).toEqual({ single: 'one value', multi: 'line 1\nline 2\n', plain: 'a=b=c' });
    expect(result.state).toEqual({ 'machine-id': 'm-123', 'multi-line': 'x\ny' });
    expect(result.envForLaterSteps).toEqual({ FROM_MAIN: 'exported by main' });
  });

  it('collects the step summary and the commands of both streams', async () => {
    const result = await runStep({ entry: fixture('main-report.js') });
    expect(result.summary).toBe('<h1>Report</h1>\nbody \n');
    expect(result.commands.map((c) => c.command)).toEqual(['group', 'endgroup', 'warning']);
    expect(result.annotations).toEqual([{ level: 'warning', message: 'from stderr', properties: {} }]);
    expect(result.log).toContain('##[group]details\ninside the group\n##[endgroup]');
    expect(renderStepLogAsUi(result.log)).toMatch(/^▶ details\nWarning: from stderr$/m);
  });

  it('writes the event payload where @actions/github reads it', async () => {
    const result = await runStep({
      entry: fixture('main-report.js'),
      event: { name: 'pull_request', payload: { pull_request: { number: 42, base: { ref: 'main' }, head: { ref: 'feature' } } } },
      github: { repository: 'acme/widgets', runId: 99, sha: 'abc123' },
    });
    expect(line(result.stdout, 'event')).toBe('pull_request pr=42 repo=acme/widgets issue=42 run=99 sha=abc123');
    expect(result.env.GITHUB_HEAD_REF).toBe('feature');
    expect(result.env.GITHUB_ACTIONS).toBe('true');
    expect(line(result.stdout, 'cwd')).toBe(result.env.GITHUB_WORKSPACE);
  });

  it('masks registered secrets in the log and the summary, from the add-mask on', async () => {
    const secret = 'sk-very-secret-value';
    const result = await runStep({ entry: fixture('main-report.js'), env: { FIXTURE_SECRET: secret } });
    expect(result.stdout).toContain(`after mask: ${secret}`); // the raw stream is not masked
    expect(result.log).toContain(`before mask: ${secret}`); // the runner masks only after registering
    expect(result.log).toContain('after mask: ***');
    expect(result.summary).toBe('<h1>Report</h1>\nbody ***\n');
    expect(result.summaryRaw).toContain(secret);
  });

  it('marks a step failed on a non-zero exit code', async () => {
    const result = await runStep({ entry: fixture('main-report.js'), env: { FIXTURE_FAIL: '1' } });
    expect(result.exitCode).toBe(1);
    expect(result.failed).toBe(true);
    expect(result.conclusion).toBe('failure');
    expect(result.annotations).toContainEqual({ level: 'error', message: 'main failed on purpose', properties: {} });
  });

  it('does not leak the host runner environment into the step', async () => {
    process.env.GITHUB_OUTPUT_HOST_PROBE = 'x';
    try {
      const result = await runStep({ entry: fixture('main-report.js') });
      expect(result.env.GITHUB_OUTPUT_HOST_PROBE).toBeUndefined();
      expect(result.env.GITHUB_OUTPUT).toContain('set_output_');
    } finally {
      delete process.env.GITHUB_OUTPUT_HOST_PROBE;
    }
  });

  it('waits a bounded time for streams a leftover child holds, and kills it at job end', async () => {
    const result = await runStep({ entry: fixture('leaves-child.js'), streamDrainMs: 300 });
    const child = Number(line(result.stdout, 'child'));
    expect(result.exitCode).toBe(0);
    expect(result.leftRunning).toContain(child);
    expect(result.killedAtJobEnd).toContain(child);
  });
});

describe('runAction', () => {
  it('hands main state to post as STATE_*, with inputs, env and masks carried over', async () => {
    const secret = 'post-secret-abcdef';
    const { main, post } = await runAction({
      defaults: actionYml(ACTION.replaceAll('fixtures/', `${join(import.meta.dirname, 'fixtures')}/`)),
      env: { FIXTURE_SECRET: secret },
    });
    expect(main.failed).toBe(false);
    expect(post).not.toBeNull();
    expect(JSON.parse(line(post!.stdout, 'state-env'))).toEqual({ 'STATE_machine-id': 'm-123', 'STATE_multi-line': 'x\ny' });
    expect(line(post!.stdout, 'machine-id')).toBe('m-123');
    expect(line(post!.stdout, 'tool-output')).toBe('truncated');
    expect(line(post!.stdout, 'from-main')).toBe('exported by main');
    // post never registered the mask: main's registration masks post's log too.
    expect(post!.log).toContain('post prints: ***');
    expect(post!.outputs).toEqual({ 'post-ran': 'yes' });
  });

  it('runs post after a failing main', async () => {
    const { main, post } = await runAction({
      entry: fixture('main-report.js'),
      postEntry: fixture('post-report.js'),
      env: { FIXTURE_FAIL: '1' },
    });
    expect(main.conclusion).toBe('failure');
    expect(post?.conclusion).toBe('success');
    expect(line(post!.stdout, 'machine-id')).toBe('m-123');
  });

  it('runs main only when asked', async () => {
    const { main, post } = await runAction({ entry: fixture('main-report.js'), postEntry: fixture('post-report.js'), mainOnly: true });
    expect(main.outputs.single).toBe('one value');
    expect(post).toBeNull();
  });
});
