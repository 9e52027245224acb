import { describe, expect, it } from 'vitest';
import { splitArgs } from '../../src/input-text.ts';
import { parseRepoSpec } from '../../src/repo-spec.ts';
import {
  isInside,
  MAX_PROMPT_BYTES,
  MAX_REPOS,
  MAX_TIMEOUT_MINUTES,
  readSettings,
  SettingsError,
  type FileRead,
  type SettingsContext,
} from '../../src/settings.ts';

const context: SettingsContext = {
  defaultRepo: { spec: 'octo/app@abc123', repo: 'octo/app', ref: 'abc123', baseRef: undefined },
  defaultRepoWithForkCode: { spec: 'octo/app@def456', repo: 'octo/app', ref: 'def456', baseRef: 'main' },
  fromFork: false,
  defaultImage: 'ghcr.io/example/claude-fly-action:v1',
  promptFileDirs: ['/ws', '/runner-temp'],
  readFile: (path) => {
    if (path === '/ws/prompt.md') return { kind: 'file', realPath: path, text: 'Prompt from a file\nwith two lines' };
    if (path === '/ws/empty.md') return { kind: 'file', realPath: path, text: '  \n' };
    return { kind: 'missing' };
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
    expect(problemsOf({ ...rest, 'prompt-file': 'missing.md' })[0]).toMatch(/prompt-file "missing.md" does not exist/);
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
    ['claude-args', '--append "unterminated', /claude-args has an unterminated " quote/],
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

describe('prompt-file: a text file in the workspace or RUNNER_TEMP', () => {
  const { prompt: _p, ...noPrompt } = valid;
  const withFile = (path: string, found: FileRead) => {
    const seen: string[] = [];
    const ctx: SettingsContext = {
      ...context,
      readFile: (p) => {
        seen.push(p);
        return found;
      },
    };
    return { seen, run: () => settingsWith({ ...noPrompt, 'prompt-file': path }, ctx), problems: () => problemsOf({ ...noPrompt, 'prompt-file': path }, ctx) };
  };

  it('reads a relative path from the workspace, and an absolute one in RUNNER_TEMP', () => {
    const relative = withFile('docs/task.md', { kind: 'file', realPath: '/ws/docs/task.md', text: 'Do it' });
    expect(relative.run().prompt).toBe('Do it');
    expect(relative.seen).toEqual(['/ws/docs/task.md']);
    expect(withFile('/runner-temp/p.md', { kind: 'file', realPath: '/runner-temp/p.md', text: 'Do it' }).run().prompt).toBe('Do it');
    // A name that merely starts with two dots stays inside.
    expect(withFile('..notes.md', { kind: 'file', realPath: '/ws/..notes.md', text: 'Do it' }).run().prompt).toBe('Do it');
  });

  it('refuses a file whose real path leaves the directories, a directory, a huge or binary file', () => {
    expect(withFile('../x.md', { kind: 'missing' }).problems()).toEqual([expect.stringMatching(/^prompt-file "\.\.\/x\.md" is outside the workspace and RUNNER_TEMP/)]);
    expect(withFile('link.md', { kind: 'file', realPath: '/etc/passwd', text: 'root:x:0:0' }).problems()[0]).toMatch(/"link\.md" is a symbolic link to outside/);
    expect(withFile('/ws2/p.md', { kind: 'file', realPath: '/ws2/p.md', text: 'x' }).problems()[0]).toMatch(/"\/ws2\/p\.md" is outside/);
    expect(withFile('docs', { kind: 'not-a-file', realPath: '/ws/docs' }).problems()[0]).toMatch(/"docs" is not a file/);
    expect(withFile('big.md', { kind: 'too-big', realPath: '/ws/big.md', bytes: 300 * 1024 }).problems()[0]).toMatch(/"big\.md" holds 300 KiB; a prompt may hold at most 256 KiB/);
    expect(withFile('p.bin', { kind: 'file', realPath: '/ws/p.bin', text: 'a\0b' }).problems()[0]).toMatch(/holds NUL bytes/);
    expect(withFile('p.md', { kind: 'unreadable', message: 'EACCES' }).problems()[0]).toMatch(/"p\.md" cannot be read \(EACCES\)/);
  });

  it('holds the prompt input to the same size', () => {
    expect(problemsOf({ ...valid, prompt: 'x'.repeat(MAX_PROMPT_BYTES + 1) })[0]).toMatch(/^prompt holds 257 KiB; a prompt may hold at most 256 KiB/);
    expect(settingsWith({ ...valid, prompt: 'x'.repeat(MAX_PROMPT_BYTES) }).prompt).toHaveLength(MAX_PROMPT_BYTES);
  });
});

describe('one problem per bad input', () => {
  it.each([
    ['repos', 'a/$(x)\nb/`y`\nc/ok', /^repos entry "a\/\$\(x\)" is malformed.*; 1 more entry is bad too\.$/],
    ['fly-region', 'us-east, eu-west, iad', /^fly-region "us-east", "eu-west" are not Fly region codes/],
    ['env', '1A=x\nB\nHOME=/x\nGH_TOKEN=t', /^env lines "1A=x", "B" are not NAME=value.*; env may not set HOME, GH_TOKEN: the machine sets them for Claude \(give machine-github-token instead\)\.$/],
    ['allowed-actors', '@a, b c, d e, f g', /^allowed-actors "@a", "b c", "d e" \(and 1 more\) are not GitHub logins/],
  ])('%s', (name, value, message) => {
    const problems = problemsOf({ ...valid, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});

describe('rules that keep a bad value from reaching the machine', () => {
  it.each([
    ['repos', 'octo/..', /is malformed/],
    ['repos', '-octo/app', /is malformed/],
    ['repos', 'octo/app@-x', /has an invalid ref/],
    ['repos', 'https://ghe.example/team/tool?x=1', /does not name owner\/name on its host/],
    ['repos', 'https://ghe.example/team/./tool', /does not name owner\/name on its host/],
    ['repos', Array.from({ length: MAX_REPOS + 1 }, (_, i) => `o/r${i}`).join(','), /repos lists 21 repositories; give at most 20/],
    ['fail-on-error', 'yes', /is not a boolean; use true or false/],
    ['fail-fast-on-auth', '1', /is not a boolean/],
    ['timeout-minutes', String(MAX_TIMEOUT_MINUTES + 1), /at most 7200/],
    ['idle-timeout-minutes', '9999', /at most 7200/],
    ['max-budget-usd', '0', /greater than 0 .*leave it empty for no limit/],
    ['model', 'opus 4', /is not a model name/],
    ['image', 'Registry.example/UPPER:tag', /is not an image reference/],
    ['fly-app', 'cfa-', /is not a Fly app name/],
    ['fly-api-url', 'https://api.machines.dev/?token=x', /has a query or fragment/],
    ['claude-args', '-p --verbose', /claude-args may not set -p/],
    ['env', 'CFA_DEADLINE=1', /env may not set CFA_DEADLINE/],
    ['env', 'GIT_CONFIG_KEY_0=x', /env may not set GIT_CONFIG_KEY_0/],
    ['github-token', 'ghs_a\rb', /github-token holds a line break/],
  ])('rejects %s=%j', (name, value, message) => {
    const problems = problemsOf({ ...valid, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('never repeats credentials found in a URL', () => {
    const problems = problemsOf({ ...valid, 'fly-api-url': 'https://u:s3cr3t-pw@api.machines.dev', repos: 'https://x:t0ken-abc@github.com/o/r' });
    expect(problems).toEqual([expect.stringMatching(/^a repos entry for github\.com holds credentials/), expect.stringMatching(/^fly-api-url holds a user name or password/)]);
    expect(problems.join('\n')).not.toMatch(/s3cr3t-pw|t0ken-abc/);
  });

  it('clips a huge value in the problem', () => {
    const [problem] = problemsOf({ ...valid, model: 'm'.repeat(100_000) });
    expect(problem!.length).toBeLessThan(500);
  });

  it('accepts the values people use', () => {
    for (const model of ['sonnet', 'opus[1m]', 'claude-sonnet-4-5', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-opus-4-1@20250805']) {
      expect(settingsWith({ ...valid, model }).claude.model).toBe(model);
    }
    for (const image of ['registry.fly.io/my-app:deployment-01ABC', `ghcr.io/o/i@sha256:${'a'.repeat(64)}`, 'localhost:5000/img', 'ubuntu']) {
      expect(settingsWith({ ...valid, image }).fly.image).toBe(image);
    }
    const s = settingsWith({ ...valid, repos: 'octo/.github, https://ghe.example:8443/team/tool.git@v1', 'fail-on-error': 'FALSE', 'allowed-actors': 'octocat, renovate[bot], *', env: 'HTTPS_PROXY=http://proxy:8080\nLANG=C' });
    expect(s.repos.map((r) => r.repo)).toEqual(['octo/.github', 'https://ghe.example:8443/team/tool.git']);
    expect(s.failOnError).toBe(false);
    expect(s.allowedActors).toEqual(['octocat', 'renovate[bot]', '*']);
    expect(Object.keys(s.claude.env)).toEqual(['HTTPS_PROXY', 'LANG']);
  });

  it('refuses claude-args that would load configuration the action must choose', () => {
    for (const flag of ['--setting-sources user,project', '--settings=/tmp/s.json', '--add-dir /etc', '--plugin-dir ./p', '--mcp-config x.json']) {
      const [problem] = problemsOf({ ...valid, 'claude-args': flag });
      expect(problem).toMatch(new RegExp(`^claude-args may not set ${flag.split(/[ =]/)[0]}: the action chooses what configures Claude`));
    }
  });

  it('refuses env that moves Claude\'s requests, credential or configuration elsewhere, naming anthropic-base-url', () => {
    const names = ['CLAUDE_CONFIG_DIR', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_CUSTOM_HEADERS', 'ANTHROPIC_BEDROCK_BASE_URL', 'ANTHROPIC_VERTEX_BASE_URL', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX', 'CLAUDE_CODE_ADDITIONAL_DIRECTORIES_CLAUDE_MD'];
    for (const name of names) {
      const [problem] = problemsOf({ ...valid, env: `${name}=x` });
      expect(problem).toBe(`env may not set ${name}: it chooses where Claude sends its requests and credential, or where its configuration comes from (give anthropic-base-url for a gateway).`);
    }
    expect(settingsWith({ ...valid, env: 'ANTHROPIC_MODEL=claude-x\nCLAUDE_CODE_MAX_OUTPUT_TOKENS=100' }).claude.env).toEqual({ ANTHROPIC_MODEL: 'claude-x', CLAUDE_CODE_MAX_OUTPUT_TOKENS: '100' });
  });

  it('refuses a bare -- in claude-args, which would turn the machine\'s own options into prompt text', () => {
    expect(problemsOf({ ...valid, 'claude-args': '--verbose -- extra' })).toEqual([
      'claude-args may not hold a bare --: the machine adds options after claude-args, and -- would make them prompt text.',
    ]);
  });

  it('reads anthropic-base-url and repo-settings', () => {
    expect(settingsWith(valid)).toMatchObject({ anthropicBaseUrl: undefined, repoSettings: 'none' });
    expect(settingsWith({ ...valid, 'anthropic-base-url': 'https://gw.example/anthropic/', 'repo-settings': 'base' })).toMatchObject({
      anthropicBaseUrl: 'https://gw.example/anthropic',
      repoSettings: 'base',
    });
    expect(problemsOf({ ...valid, 'anthropic-base-url': 'ftp://x' })[0]).toMatch(/^anthropic-base-url "ftp:\/\/x" is not an http\(s\) URL; use an http\(s\) base URL/);
    const [withPassword] = problemsOf({ ...valid, 'anthropic-base-url': 'https://u:sekrit@gw.example' });
    expect(withPassword).toMatch(/^anthropic-base-url holds a user name or password/);
    expect(withPassword).not.toContain('sekrit');
    expect(problemsOf({ ...valid, 'repo-settings': 'head' })).toEqual(['repo-settings "head" is not one of: none, base.']);
  });

  it('lists the event problems first, as they come', () => {
    expect(problemsOf({ ...valid, 'fly-app': 'X' }, { ...context, eventProblems: ['GITHUB_EVENT_PATH is not set; ...'] })).toEqual([
      'GITHUB_EVENT_PATH is not set; ...',
      expect.stringMatching(/^fly-app "X"/),
    ]);
  });
});

describe('isInside', () => {
  it('is lexical containment, the directory itself included', () => {
    expect(isInside('/ws', '/ws')).toBe(true);
    expect(isInside('/ws', '/ws/a/b')).toBe(true);
    expect(isInside('/ws', '/ws/..a')).toBe(true);
    expect(isInside('/ws', '/ws2/a')).toBe(false);
    expect(isInside('/ws', '/ws/../etc')).toBe(false);
    expect(isInside('/ws', '/')).toBe(false);
  });
});
