import { describe, expect, it } from 'vitest';
import { checkLocalConfig, configHelp, DEFAULT_PROMPT, DEFAULT_REPOS, firstRepository, parseDotEnv } from './local-config.ts';

describe('parseDotEnv', () => {
  it('reads KEY=VALUE lines, skips comments and blanks, reports other lines', () => {
    const { values, ignored } = parseDotEnv(
      [
        '# Fly',
        'FLY_APP=my-app',
        '',
        '  export FLY_REGION = iad, ord   # two regions',
        'not a pair',
        'PROMPT="line one\\nsay \\"hi\\" # not a comment"',
        "IMAGE='ghcr.io/x/y:1 # kept'",
        'EMPTY=',
        'FLY_APP=later-wins',
        'URL=https://example.com/a#frag',
      ].join('\r\n'),
    );
    expect(values).toEqual({
      FLY_APP: 'later-wins',
      FLY_REGION: 'iad, ord',
      PROMPT: 'line one\nsay "hi" # not a comment',
      IMAGE: 'ghcr.io/x/y:1 # kept',
      EMPTY: '',
      URL: 'https://example.com/a#frag',
    });
    expect(ignored).toEqual([5]);
  });
});

describe('checkLocalConfig', () => {
  it('names every missing required key; empty values count as missing', () => {
    const r = checkLocalConfig({ FLY_APP: '  ', GITHUB_TOKEN: 'ghp_x' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toEqual([
      'FLY_API_TOKEN is missing',
      'FLY_APP is missing',
      'ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN is missing (one of the two)',
    ]);
  });

  it('maps the keys to the action inputs, with defaults for the optional ones', () => {
    const r = checkLocalConfig({ FLY_API_TOKEN: 'fo1_t', FLY_APP: 'app', CLAUDE_CODE_OAUTH_TOKEN: 'oat' });
    expect(r.ok && r.config).toMatchObject({
      flyApiToken: 'fo1_t',
      flyApp: 'app',
      anthropic: { input: 'claude-code-oauth-token', key: 'CLAUDE_CODE_OAUTH_TOKEN', value: 'oat' },
      flyApiUrl: 'https://api.machines.dev',
      repos: DEFAULT_REPOS,
      prompt: DEFAULT_PROMPT,
      githubToken: undefined,
      flyRegion: undefined,
      image: undefined,
    });
    const k = checkLocalConfig({ FLY_API_TOKEN: 't', FLY_APP: 'a', ANTHROPIC_API_KEY: 'sk', REPOS: 'o/r@dev', PROMPT: 'p' });
    expect(k.ok && [k.config.anthropic.input, k.config.repos, k.config.prompt]).toEqual(['anthropic-api-key', 'o/r@dev', 'p']);
  });

  it('refuses both Anthropic credentials at once', () => {
    const r = checkLocalConfig({ FLY_API_TOKEN: 't', FLY_APP: 'a', ANTHROPIC_API_KEY: 'k', CLAUDE_CODE_OAUTH_TOKEN: 'o' });
    expect(!r.ok && r.problems).toEqual(['ANTHROPIC_API_KEY and CLAUDE_CODE_OAUTH_TOKEN are both set: keep one']);
  });

  it('the help names the file, the problems and every key', () => {
    const text = configHelp('/x/.env', ['FLY_APP is missing'], true);
    expect(text.split('\n')[0]).toBe('npm run local cannot start: /x/.env does not exist.');
    expect(text).toContain('  - FLY_APP is missing');
    for (const key of ['FLY_API_TOKEN', 'ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'FLY_REGION', 'IMAGE', 'GITHUB_TOKEN', 'REPOS', 'PROMPT']) {
      expect(text).toContain(key);
    }
  });
});

describe('firstRepository', () => {
  it('takes owner/name of the first entry in any of the accepted forms', () => {
    expect(firstRepository('octocat/Hello-World')).toBe('octocat/Hello-World');
    expect(firstRepository(' a/b@v1, c/d')).toBe('a/b');
    expect(firstRepository('\nhttps://github.com/o/r.git\nx/y')).toBe('o/r');
    expect(firstRepository('nonsense')).toBeUndefined();
    expect(firstRepository('')).toBeUndefined();
  });
});
