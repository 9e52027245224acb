import { describe, expect, it } from 'vitest';
import { parseRepoSpec, readSettings, SettingsError, splitArgs, type SettingsContext } from '../../src/settings.ts';

const context: SettingsContext = {
  defaultRepo: { spec: 'octo/app@abc123', repo: 'octo/app', ref: 'abc123', baseRef: undefined },
  defaultRepoWithForkCode: { spec: 'octo/app@def456', repo: 'octo/app', ref: 'def456', baseRef: 'main' },
  fromFork: false,
  defaultImage: 'ghcr.io/example/claude-fly-action:v1',
  readFile: (path) => {
    if (path === 'prompt.md') return 'Prompt from a file\nwith two lines';
    if (path === 'empty.md') return '  \n';
    throw new Error('ENOENT: no such file');
  },
};

const valid: Record<string, string> = {
  prompt: 'Find the bug',
  'anthropic-api-key': 'sk-ant-test-key',
  'fly-api-token': 'FlyV1 fm2_secret',
  'fly-app': 'my-claude-runs',
  'github-token': 'ghs_token123',
};

function settingsWith(inputs: Record<string, string>, ctx: SettingsContext = context) {
  return readSettings((name) => inputs[name] ?? '', ctx);
}

function problemsOf(inputs: Record<string, string>, ctx: SettingsContext = context): string[] {
  try {
    settingsWith(inputs, ctx);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as SettingsError).problems;
  }
  throw new Error('expected a SettingsError');
}

describe('readSettings', () => {
  it('builds typed settings with defaults from valid inputs', () => {
    const s = settingsWith(valid);
    expect(s.prompt).toBe('Find the bug');
    expect(s.repos).toEqual([context.defaultRepo]);
    expect(s.fetchDepth).toBe(50);
    expect(s.anthropic).toEqual({ kind: 'api-key', value: 'sk-ant-test-key', input: 'anthropic-api-key' });
    expect(s.fly.guest).toEqual({ cpuKind: 'shared', cpus: 2, memoryMb: 2048 });
    expect(s.fly.image).toBe(context.defaultImage);
    expect(s.fly.apiUrl).toBe('https://api.machines.dev');
    expect(s.machineGithubToken).toBe('ghs_token123');
    expect(s.claude.permissionMode).toBe('bypassPermissions');
    expect(s.timeoutMinutes).toBe(30);
    expect(s.toolOutput).toBe('truncated');
    expect(s.failOnError).toBe(true);
    expect(s.comment).toBe('auto');
    expect(s.secrets.sort()).toEqual(['FlyV1 fm2_secret', 'ghs_token123', 'sk-ant-test-key'].sort());
  });

  it('reads the prompt from prompt-file', () => {
    const { prompt: _p, ...rest } = valid;
    expect(settingsWith({ ...rest, 'prompt-file': 'prompt.md' }).prompt).toBe('Prompt from a file\nwith two lines');
  });

  it('rejects prompt and prompt-file together, or neither, or an unreadable or empty file', () => {
    expect(problemsOf({ ...valid, 'prompt-file': 'prompt.md' })[0]).toMatch(/prompt and prompt-file are both set/);
    const { prompt: _p, ...rest } = valid;
    expect(problemsOf(rest)[0]).toMatch(/neither prompt nor prompt-file/);
    expect(problemsOf({ ...rest, 'prompt-file': 'missing.md' })[0]).toMatch(/prompt-file "missing.md" cannot be read/);
    expect(problemsOf({ ...rest, 'prompt-file': 'empty.md' })[0]).toMatch(/prompt-file "empty.md" is empty/);
  });

  it('names every missing credential at once, and says why on a fork', () => {
    const problems = problemsOf({ prompt: 'x', 'fly-app': 'app' }, { ...context, fromFork: true });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/anthropic-api-key or claude-code-oauth-token is required.*fork/);
    expect(problems[1]).toMatch(/fly-api-token is required.*fork/);
    const notFork = problemsOf({ prompt: 'x', 'fly-app': 'app' });
    expect(notFork.join('\n')).not.toMatch(/fork/);
  });

  it('rejects both Anthropic credentials at once', () => {
    expect(problemsOf({ ...valid, 'claude-code-oauth-token': 'oat' })[0]).toMatch(/both set; give one/);
  });

  it('accepts an OAuth token instead of an API key', () => {
    const { 'anthropic-api-key': _k, ...rest } = valid;
    const s = settingsWith({ ...rest, 'claude-code-oauth-token': 'sk-ant-oat01-x' });
    expect(s.anthropic.kind).toBe('oauth-token');
    expect(s.anthropic.input).toBe('claude-code-oauth-token');
  });

  it.each([
    ['fly-vm-size', 'huge-1x', /fly-vm-size "huge-1x" is not a Fly machine preset/],
    ['fly-vm-memory-mb', '300', /fly-vm-memory-mb 300 is not allowed/],
    ['fly-region', 'us-east', /fly-region "us-east" is not a Fly region code/],
    ['timeout-minutes', '-5', /timeout-minutes "-5" is not valid; use a number greater than 0/],
    ['timeout-minutes', '0', /timeout-minutes "0" is not valid/],
    ['idle-timeout-minutes', 'soon', /idle-timeout-minutes "soon" is not valid/],
    ['max-turns', '0', /max-turns "0" is not valid/],
    ['max-budget-usd', '$5', /max-budget-usd "\$5" is not valid/],
    ['repos', 'not a repo', /repos entry "not a repo" is malformed/],
    ['repos', 'octo/app@', /repos entry "octo\/app@" has an invalid ref/],
    ['repos', 'https://user:pw@github.com/o/r', /holds credentials in its URL/],
    ['json-schema', '{"type": "objekt"}', /json-schema is not a valid JSON Schema: \$.type "objekt"/],
    ['json-schema', '{not json', /json-schema is not valid JSON/],
    ['json-schema', '[1,2]', /json-schema must be a JSON Schema object/],
    ['mcp-config', '"servers"', /mcp-config must be a JSON object/],
    ['tool-output', 'some', /tool-output "some" is not one of: none, truncated, full/],
    ['permission-mode', 'yolo', /permission-mode "yolo" is not one of/],
    ['fail-on-error', 'maybe', /fail-on-error "maybe" is not a boolean/],
    ['claude-args', '--append "unterminated', /claude-args: unterminated " quote/],
    ['env', '1BAD=x', /env line "1BAD=x" is not NAME=value/],
    ['fly-app', 'My_App', /fly-app "My_App" is not a Fly app name/],
    ['comment', 'always', /comment "always" is not one of: auto, off/],
    ['pr-number', 'abc', /pr-number "abc" is not valid/],
    ['fetch-depth', '-1', /fetch-depth "-1" is not valid/],
  ])('rejects %s=%j with a clear error', (name, value, message) => {
    const problems = problemsOf({ ...valid, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('accepts fractional minutes, region lists, sizes, repos and args', () => {
    const s = settingsWith({
      ...valid,
      'idle-timeout-minutes': '0.5',
      'fly-region': 'iad, ams\nsyd',
      'fly-vm-size': 'performance-2x',
      repos: 'octo/app@main\nocto/lib\nhttps://ghe.example.com/team/tool.git@v1.2',
      'claude-args': `--foo "a b" 'c d' e\\ f`,
      env: 'FOO=bar=baz\n# comment\n\nEMPTY=',
      'max-budget-usd': '2.50',
    });
    expect(s.idleTimeoutMinutes).toBe(0.5);
    expect(s.fly.regions).toEqual(['iad', 'ams', 'syd']);
    expect(s.fly.guest).toEqual({ cpuKind: 'performance', cpus: 2, memoryMb: 4096 });
    expect(s.repos.map((r) => [r.repo, r.ref])).toEqual([
      ['octo/app', 'main'],
      ['octo/lib', undefined],
      ['https://ghe.example.com/team/tool.git', 'v1.2'],
    ]);
    expect(s.claude.extraArgs).toEqual(['--foo', 'a b', 'c d', 'e f']);
    expect(s.claude.env).toEqual({ FOO: 'bar=baz', EMPTY: '' });
    expect(s.secrets).not.toContain('bar=baz');
    expect(s.claude.maxBudgetUsd).toBe(2.5);
  });

  it('uses the fork head only when allow-fork-code is true', () => {
    expect(settingsWith(valid).repos[0]?.ref).toBe('abc123');
    expect(settingsWith({ ...valid, 'allow-fork-code': 'true' }).repos[0]?.ref).toBe('def456');
  });
});

describe('parseRepoSpec', () => {
  it('splits owner/name@ref and keeps URLs whole', () => {
    expect(parseRepoSpec('a/b@feature/x')).toEqual({ spec: 'a/b@feature/x', repo: 'a/b', ref: 'feature/x', baseRef: undefined });
    expect(parseRepoSpec('https://github.com/a/b.git@refs/pull/3/head')).toMatchObject({ repo: 'https://github.com/a/b.git', ref: 'refs/pull/3/head' });
    expect(parseRepoSpec('a/b@x..y')).toMatch(/invalid ref/);
    expect(parseRepoSpec('a/b/c')).toMatch(/malformed/);
  });
});

describe('splitArgs', () => {
  it('never expands anything', () => {
    expect(splitArgs('--x "$(rm -rf /)" `id` $HOME')).toEqual(['--x', '$(rm -rf /)', '`id`', '$HOME']);
  });
});

describe('secrets', () => {
  it('treats env values whose names say credential as secrets', () => {
    const s = readSettings((name) => ({ ...valid, env: 'NPM_TOKEN=npm_abcdef123456\nDB_PASSWORD=hunter22\nNODE_ENV=production' })[name] ?? '', context);
    expect(s.secrets).toContain('npm_abcdef123456');
    expect(s.secrets).toContain('hunter22');
    expect(s.secrets).not.toContain('production');
  });
});
