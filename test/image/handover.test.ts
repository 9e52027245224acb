// cfa-handover: shape checks, atomic root-only storage, one handover only.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { handover, handoverDoc, removeTempDirs, runDir, tempDir } from './harness.ts';

afterAll(removeTempDirs);

const freshRoot = (): string => path.join(tempDir('handover'), 'root');

describe('cfa-handover', () => {
  it('stores a valid handover byte for byte, mode 0600, in a 0700 run directory it may create', async () => {
    const root = freshRoot();
    const doc = JSON.stringify(handoverDoc({ prompt: 'multi\nline "quoted" $(x)', env: { A_B: 'c' } }));
    const result = await handover(root, doc);
    expect(result).toEqual({ code: 0, answer: { ok: true } });
    const file = path.join(runDir(root), 'handover.json');
    expect(readFileSync(file, 'utf8')).toBe(doc);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(runDir(root)).mode & 0o777).toBe(0o700);
    // Its parent stays traversable: the entrypoint stages files for the agent there.
    expect(statSync(path.dirname(runDir(root))).mode & 0o777).toBe(0o755);
  });

  it('refuses a second handover with exit 3 and keeps the first', async () => {
    const root = freshRoot();
    expect((await handover(root, handoverDoc({ prompt: 'first' }))).code).toBe(0);
    const second = await handover(root, handoverDoc({ prompt: 'second' }));
    expect(second).toEqual({ code: 3, answer: { ok: false, error: 'a handover was already received' } });
    expect(JSON.parse(readFileSync(path.join(runDir(root), 'handover.json'), 'utf8'))).toMatchObject({ prompt: 'first' });
  });

  it('refuses with exit 4 once the machine has stopped waiting', async () => {
    const root = freshRoot();
    mkdirSync(runDir(root), { recursive: true });
    writeFileSync(path.join(runDir(root), 'state'), 'exited\n');
    const result = await handover(root, handoverDoc());
    expect(result.code).toBe(4);
    expect(existsSync(path.join(runDir(root), 'handover.json'))).toBe(false);
  });

  it('accepts a handover without prompt or credentials: the entrypoint reports those', async () => {
    const result = await handover(freshRoot(), { version: 1 });
    expect(result).toEqual({ code: 0, answer: { ok: true } });
  });

  const secret = 'sk-ant-SECRET-must-not-echo';
  const malformed: Array<[string, string]> = [
    ['not JSON', `{"version":1,"anthropic_api_key":"${secret}"`],
    ['two documents', `{"version":1} {"version":1,"anthropic_api_key":"${secret}"}`],
    ['an array', '[1]'],
    ['version 2', JSON.stringify(handoverDoc({ version: 2 }))],
    ['a numeric prompt', JSON.stringify(handoverDoc({ prompt: 5 }))],
    ['a numeric key', JSON.stringify(handoverDoc({ anthropic_api_key: 5 }))],
    ['repos not an array', JSON.stringify(handoverDoc({ repos: 'acme/app' }))],
    ['a repo without a name', JSON.stringify(handoverDoc({ repos: [{ ref: 'main' }] }))],
    ['a repo that is an option', JSON.stringify(handoverDoc({ repos: [{ repo: '-u/x' }] }))],
    ['a repo with three parts', JSON.stringify(handoverDoc({ repos: [{ repo: 'a/b/c' }] }))],
    ['a repo named ..', JSON.stringify(handoverDoc({ repos: [{ repo: 'acme/..' }] }))],
    ['a URL with credentials', JSON.stringify(handoverDoc({ repos: [{ repo: `https://x:${secret}@github.com/a/b` }] }))],
    ['an ssh URL', JSON.stringify(handoverDoc({ repos: [{ repo: 'ssh://git@github.com/a/b' }] }))],
    ['a ref that is an option', JSON.stringify(handoverDoc({ repos: [{ repo: 'a/b', ref: '--upload-pack=touch /tmp/x' }] }))],
    ['a ref with a space', JSON.stringify(handoverDoc({ repos: [{ repo: 'a/b', ref: 'a b' }] }))],
    ['a base_ref with ..', JSON.stringify(handoverDoc({ repos: [{ repo: 'a/b', base_ref: 'a..b' }] }))],
    ['claude_args with a number', JSON.stringify(handoverDoc({ claude_args: ['--max-turns', 5] }))],
    ['an env name with a dash', JSON.stringify(handoverDoc({ env: { 'A-B': 'x' } }))],
    ['an env value that is not a string', JSON.stringify(handoverDoc({ env: { A: 1 } }))],
    ['a negative fetch_depth', JSON.stringify(handoverDoc({ fetch_depth: -1 }))],
    ['a fractional fetch_depth', JSON.stringify(handoverDoc({ fetch_depth: 1.5 }))],
    ['a huge fetch_depth', JSON.stringify(handoverDoc({ fetch_depth: 1e300 }))],
    ['an ftp server URL', JSON.stringify(handoverDoc({ github_server_url: 'ftp://example.com' }))],
    ['a host with a path', JSON.stringify(handoverDoc({ github_host: 'example.com/x' }))],
    ['a NUL in the prompt', JSON.stringify(handoverDoc({ prompt: 'a\u0000b' }))],
    ['repo_settings that is not none or base', JSON.stringify(handoverDoc({ repo_settings: 'head' }))],
    ['repo_settings that is not a string', JSON.stringify(handoverDoc({ repo_settings: true }))],
    ['a trusted_ref that is an option', JSON.stringify(handoverDoc({ repos: [{ repo: 'a/b', trusted_ref: '--upload-pack=x' }] }))],
    ['a trusted_ref with ..', JSON.stringify(handoverDoc({ repos: [{ repo: 'a/b', trusted_ref: 'main..x' }] }))],
    ['a trusted_ref that is not a string', JSON.stringify(handoverDoc({ repos: [{ repo: 'a/b', trusted_ref: 40 }] }))],
    ['claude_args with a bare --', JSON.stringify(handoverDoc({ claude_args: ['--model', 'x', '--', '--verbose'] }))],
  ];
  it.each(malformed)('refuses %s with exit 2, a reason, and nothing stored', async (_label, input) => {
    const root = freshRoot();
    const result = await handover(root, input);
    expect(result.code).toBe(2);
    expect(result.answer).toMatchObject({ ok: false, error: expect.stringMatching(/\w/) as string });
    expect(JSON.stringify(result.answer)).not.toContain(secret);
    expect(existsSync(path.join(runDir(root), 'handover.json'))).toBe(false);
  });

  it('accepts repo_settings none or base, and a trusted_ref that is a sha, a ref, empty or absent', async () => {
    for (const repoSettings of ['none', 'base', null]) {
      const doc = handoverDoc({
        repo_settings: repoSettings,
        repos: [
          { repo: 'acme/app', ref: '0123456789abcdef0123456789abcdef01234567', trusted_ref: 'fedcba9876543210fedcba9876543210fedcba98' },
          { repo: 'acme/lib', ref: 'refs/pull/3/head', trusted_ref: 'refs/heads/main' },
          { repo: 'acme/docs', trusted_ref: '' },
          { repo: 'acme/site', trusted_ref: null },
        ],
      });
      expect(await handover(freshRoot(), doc), String(repoSettings)).toEqual({ code: 0, answer: { ok: true } });
    }
  });

  it('accepts the repo forms: owner/name, owner/name.git, https URLs (GHES too)', async () => {
    const doc = handoverDoc({
      github_host: 'ghe.example.com:8443',
      github_server_url: 'https://ghe.example.com:8443',
      fetch_depth: 0,
      repos: [
        { repo: 'acme/app', ref: 'refs/pull/12/head', base_ref: 'main' },
        { repo: 'acme/app.js.git', ref: 'v1.2.3' },
        { repo: 'https://ghe.example.com/acme/lib', ref: '0123456789abcdef0123456789abcdef01234567' },
        { repo: 'https://github.com/acme/other.git' },
      ],
    });
    expect(await handover(freshRoot(), doc)).toEqual({ code: 0, answer: { ok: true } });
  });
});
