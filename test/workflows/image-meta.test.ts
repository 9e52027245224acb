// .github/scripts/image-meta.sh run for real: package.json in a scratch directory, a
// local bare repository as origin for the "is v<version> released?" question.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readText, repoRoot } from './files.ts';

const script = path.join(repoRoot, '.github', 'scripts', 'image-meta.sh');
const realPackage = JSON.parse(readText('package.json')) as {
  version: string;
  devDependencies: Record<string, string>;
  config: { imageRepository: string };
  repository: { url: string };
};
const canonical = realPackage.config.imageRepository.replace(/^ghcr\.io\//, '');

let scratch = '';
let work = '';
let runCount = 0;

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, stdio: 'pipe' });
}

interface Run {
  status: number | null;
  stdout: string;
  outputs: Record<string, string>;
}

function run(env: Record<string, string>, pkg: object = realPackage): Run {
  runCount += 1;
  const pkgFile = path.join(scratch, `package-${runCount}.json`);
  const outFile = path.join(scratch, `output-${runCount}`);
  writeFileSync(pkgFile, JSON.stringify(pkg));
  writeFileSync(outFile, '');
  const r = spawnSync('bash', [script], {
    cwd: work,
    env: {
      PATH: process.env.PATH,
      PACKAGE_JSON: pkgFile,
      GITHUB_OUTPUT: outFile,
      GITHUB_REPOSITORY: canonical,
      GITHUB_REF: 'refs/heads/main',
      DEFAULT_BRANCH: 'main',
      ...env,
    },
    encoding: 'utf8',
  });
  const outputs = Object.fromEntries(
    readFileSync(outFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { status: r.status, stdout: r.stdout, outputs };
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'ship-image-meta-'));
  const bare = path.join(scratch, 'origin.git');
  work = path.join(scratch, 'work');
  git(scratch, 'init', '-q', '--bare', bare);
  git(scratch, 'init', '-q', work);
  git(work, 'commit', '-q', '--allow-empty', '-m', 'c');
  git(work, 'remote', 'add', 'origin', bare);
  // A released version, for the "main does not overwrite a release" case.
  git(work, 'tag', 'v0.0.9');
  git(work, 'push', '-q', 'origin', 'HEAD:refs/heads/main', 'v0.0.9');
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('image-meta.sh', () => {
  it("reads the action's version and package.json's Claude Code pin", () => {
    const r = run({});
    expect(r.status, r.stdout).toBe(0);
    expect(r.outputs).toEqual({
      version: realPackage.version,
      'claude-code-version': realPackage.devDependencies['@anthropic-ai/claude-code']!.replace(/^[~^]/, ''),
      image: realPackage.config.imageRepository,
      'version-tag': 'true',
    });
  });

  it('strips ^ or ~ from the pin and refuses a pin that is not one version', () => {
    const withPin = (pin: string): object => ({
      ...realPackage,
      devDependencies: { ...realPackage.devDependencies, '@anthropic-ai/claude-code': pin },
    });
    expect(run({}, withPin('^2.1.7')).outputs['claude-code-version']).toBe('2.1.7');
    expect(run({}, withPin('~2.0.1-beta.3')).outputs['claude-code-version']).toBe('2.0.1-beta.3');
    for (const bad of ['latest', '>=2.1.0', '2.x', '^2']) {
      const r = run({}, withPin(bad));
      expect(r.status, bad).not.toBe(0);
      expect(r.stdout).toMatch(/^::error title=image metadata::the Claude Code pin/m);
      expect(r.outputs).toEqual({});
    }
    const { '@anthropic-ai/claude-code': _gone, ...rest } = realPackage.devDependencies;
    expect(run({}, { ...realPackage, devDependencies: rest }).status).not.toBe(0);
  });

  it('lower-cases the repository and insists on config.imageRepository in the canonical repository', () => {
    const upper = run({ GITHUB_REPOSITORY: canonical.toUpperCase() });
    expect(upper.status).toBe(0);
    expect(upper.outputs.image).toBe(realPackage.config.imageRepository);

    const wrong = run({}, { ...realPackage, config: { imageRepository: 'ghcr.io/someone/else' } });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout).toContain('config.imageRepository is ghcr.io/someone/else');
  });

  it('lets a fork publish to its own namespace, with a notice', () => {
    const r = run({ GITHUB_REPOSITORY: 'Some-User/Claude-Fly-Fork' });
    expect(r.status).toBe(0);
    expect(r.outputs.image).toBe('ghcr.io/some-user/claude-fly-fork');
    expect(r.stdout).toMatch(/^::notice title=image metadata::publishing to ghcr\.io\/some-user\/claude-fly-fork/m);
  });

  it('tags v<version> from a tag naming this version or an alias of it, and fails on any other tag', () => {
    const pkg = { ...realPackage, version: '1.2.3' };
    for (const tag of ['v1.2.3', 'v1.2', 'v1']) {
      const r = run({ GITHUB_REF: `refs/tags/${tag}` }, pkg);
      expect(r.status, tag).toBe(0);
      expect(r.outputs['version-tag'], tag).toBe('true');
    }
    for (const tag of ['v1.2.4', 'v1.20', 'v2', '1.2.3', 'v1.2.3-rc.1']) {
      const r = run({ GITHUB_REF: `refs/tags/${tag}` }, pkg);
      expect(r.status, tag).not.toBe(0);
      expect(r.stdout).toContain(`tag ${tag} does not name package.json version 1.2.3`);
    }
  });

  it('on the default branch tags v<version> until that version is released', () => {
    const unreleased = run({}, { ...realPackage, version: '0.1.0' });
    expect(unreleased.outputs['version-tag']).toBe('true');
    const released = run({}, { ...realPackage, version: '0.0.9' });
    expect(released.status).toBe(0);
    expect(released.outputs['version-tag']).toBe('false');
    expect(released.stdout).toMatch(/^::notice title=image metadata::v0\.0\.9 is released/m);
  });

  it('never tags v<version> from another branch or a pull request', () => {
    expect(run({ GITHUB_REF: 'refs/heads/feature' }).outputs['version-tag']).toBe('false');
    expect(run({ GITHUB_REF: 'refs/pull/7/merge' }).outputs['version-tag']).toBe('false');
  });

  it('fails rather than guess when origin cannot be asked', () => {
    const r = run({ REMOTE: path.join(scratch, 'no-such-remote.git') }, { ...realPackage, version: '0.1.0' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/could not ask .* whether tag v0\.1\.0 exists/);
  });

  it('is shellcheck-clean', () => {
    const r = spawnSync('shellcheck', ['--format=gcc', script], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
