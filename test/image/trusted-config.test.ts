// cfa-entrypoint and a repository's Claude Code configuration (issue 13): Claude
// always runs with --setting-sources user --strict-mcp-config, and whatever it may
// use of a repository's configuration is read from the trusted commit the runner
// names (never the working tree) and delivered through the agent's user scope
// (~/.claude). Plain-host mode with the scripted claude stand-in; the real CLI's
// side of this is in real-cli-repo-config.test.ts.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drain, git, handover, handoverDoc, removeTempDirs, startEntrypoint, tempDir, waitForState, writePlan } from './harness.ts';
import type { Drained } from './harness.ts';
import { makeConfigRepo, type ConfigRepo } from './repo-config.ts';

afterAll(removeTempDirs);

interface Run {
  drained: Drained;
  root: string;
  /** The agent's home as the entrypoint made it (plain host: home/claude). */
  home: string;
  argv: string[];
  env: Record<string, string>;
  setup: string;
}

async function runMachine(dir: string, doc: Record<string, unknown>): Promise<Run> {
  const root = path.join(dir, `root-${Math.random().toString(36).slice(2)}`);
  const rec = path.join(dir, `rec-${Math.random().toString(36).slice(2)}`);
  const machine = startEntrypoint(root);
  await waitForState(root, 'waiting');
  const env = { ...((doc.env as Record<string, string> | undefined) ?? {}), FAKE_CLAUDE_PLAN: writePlan(dir, [`record ${rec}`, 'out done']) };
  expect((await handover(root, { ...doc, env })).code).toBe(0);
  const drained = await drain(root);
  await machine.ended;
  const setup = drained.channels.setup.toString();
  const recorded = existsSync(rec);
  return {
    drained,
    root,
    home: path.join(root, 'home', 'claude'),
    argv: recorded ? readFileSync(path.join(rec, 'argv'), 'utf8').split('\0').slice(0, -1) : [],
    env: recorded
      ? Object.fromEntries(
          readFileSync(path.join(rec, 'env'), 'utf8')
            .split('\0')
            .filter(Boolean)
            .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
        )
      : {},
    setup,
  };
}

/** Every file under DIR (relative paths, sorted); [] when DIR does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (sub: string): void => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

const CLAUDE_HOME_FILES = (home: string): string[] =>
  filesUnder(path.join(home, '.claude')).filter((f) => !f.startsWith('projects/') && !f.startsWith('tmp/'));

/** The config repository on a file:// server; the listener and MCP server are never reached (the stand-in is scripted). */
function configRepo(dir: string): { base: string; ids: ConfigRepo } {
  const base = path.join(dir, 'git');
  const ids = makeConfigRepo(base, { marks: path.join(dir, 'marks'), listener: 'http://127.0.0.1:9', mcpServer: '/bin/false' });
  return { base, ids };
}

const ENFORCED = ['--setting-sources', 'user', '--strict-mcp-config'];

describe('cfa-entrypoint: a repository\'s Claude Code configuration', () => {
  it('by default runs claude with --setting-sources user --strict-mcp-config after the given args, and delivers nothing', async () => {
    const dir = tempDir('trusted');
    const { base, ids } = configRepo(dir);
    const doc = handoverDoc({
      github_server_url: `file://${base}`,
      repos: [{ repo: 'octo/app', ref: ids.head }],
      claude_args: ['--model', 'x', '--allowedTools', 'Read', 'Edit'],
    });
    const run = await runMachine(dir, doc);
    expect(run.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    expect(run.argv).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--model', 'x', '--allowedTools', 'Read', 'Edit', ...ENFORCED]);
    expect(CLAUDE_HOME_FILES(run.home)).toEqual([]);
    expect(run.setup).toMatch(/^cfa: octo\/app: no trusted commit given, so none of its Claude Code configuration is used$/m);
    // The working tree is the head, untouched.
    const app = path.join(run.root, 'workspace', 'app');
    expect(git(app, ['rev-parse', 'HEAD'])).toBe(ids.head);
    expect(git(app, ['status', '--porcelain'])).toBe('');
  });

  it('repo_settings none: the trusted commit\'s CLAUDE.md, .claude/CLAUDE.md and rules go to ~/.claude, headed by repo and commit', async () => {
    const dir = tempDir('trusted');
    const { base, ids } = configRepo(dir);
    // A branch name as the trusted ref; its commit is already in the clone (an
    // ancestor of the head within fetch_depth), so nothing is fetched and the
    // clone's history stays as deep as it was.
    const doc = handoverDoc({
      github_server_url: `file://${base}`,
      repos: [{ repo: 'octo/app', ref: 'feature', trusted_ref: 'main' }],
      repo_settings: 'none',
    });
    const run = await runMachine(dir, doc);
    expect(run.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    expect(run.argv.slice(-3)).toEqual(ENFORCED);
    expect(CLAUDE_HOME_FILES(run.home)).toEqual(['CLAUDE.md', 'rules/app/style.md']);
    const memory = readFileSync(path.join(run.home, '.claude', 'CLAUDE.md'), 'utf8');
    expect(memory).toContain(`## octo/app (workspace/app) at commit ${ids.trusted}`);
    expect(memory.indexOf('PHRASE-BASE-CLAUDE-MD')).toBeGreaterThan(memory.indexOf(ids.trusted));
    expect(memory.indexOf('PHRASE-BASE-DOT-CLAUDE-MD')).toBeGreaterThan(memory.indexOf('PHRASE-BASE-CLAUDE-MD'));
    expect(memory).not.toMatch(/PHRASE-HEAD/);
    expect(readFileSync(path.join(run.home, '.claude', 'rules', 'app', 'style.md'), 'utf8')).toBe('PHRASE-BASE-RULE\n');
    expect(run.setup).toContain(`cfa: octo/app: instructions from its trusted commit ${ids.trusted}: CLAUDE.md, .claude/CLAUDE.md, 1 rule file`);

    const app = path.join(run.root, 'workspace', 'app');
    expect(git(app, ['rev-parse', 'HEAD'])).toBe(ids.head);
    expect(git(app, ['status', '--porcelain'])).toBe('');
    expect(readFileSync(path.join(app, 'CLAUDE.md'), 'utf8')).toContain('PHRASE-HEAD-CLAUDE-MD');
    expect(git(app, ['rev-list', '--count', 'HEAD'])).toBe('3');
    // The agent owns what it got (plain host: the current user).
    expect(statSync(path.join(run.home, '.claude', 'CLAUDE.md')).uid).toBe(process.getuid?.());
    expect(existsSync(path.join(run.root, 'run', 'cfa-trusted'))).toBe(false);
  });

  it('repo_settings base: settings.json, .mcp.json (as --mcp-config) and skills too, from the trusted commit fetched by sha at depth 1', async () => {
    const dir = tempDir('trusted');
    const { base, ids } = configRepo(dir);
    const doc = handoverDoc({
      github_server_url: `file://${base}`,
      fetch_depth: 1,
      repos: [{ repo: 'octo/app', ref: ids.head, trusted_ref: ids.trusted }],
      repo_settings: 'base',
      claude_args: ['--mcp-config', '{"mcpServers":{}}'],
    });
    const run = await runMachine(dir, doc);
    expect(run.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    const mcp = path.join(run.home, '.claude', 'repository-mcp.json');
    // The user's own --mcp-config stays; the repository's comes after the enforced options.
    expect(run.argv).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--mcp-config', '{"mcpServers":{}}', ...ENFORCED, '--mcp-config', mcp]);
    expect(CLAUDE_HOME_FILES(run.home)).toEqual([
      'CLAUDE.md',
      'repository-mcp.json',
      'rules/app/style.md',
      'settings.json',
      'skills/base-skill/SKILL.md',
    ]);
    const show = (file: string): string => git(path.join(base, 'octo', 'app.git'), ['show', `${ids.trusted}:${file}`]);
    expect(readFileSync(path.join(run.home, '.claude', 'settings.json'), 'utf8').trim()).toBe(show('.claude/settings.json'));
    expect(readFileSync(mcp, 'utf8').trim()).toBe(show('.mcp.json'));
    expect(readFileSync(path.join(run.home, '.claude', 'skills', 'base-skill', 'SKILL.md'), 'utf8').trim()).toBe(
      show('.claude/skills/base-skill/SKILL.md'),
    );
    expect(run.setup).toContain(
      `cfa: octo/app: repository settings from its trusted commit ${ids.trusted}: .claude/settings.json, .mcp.json, 1 file of skills, agents, commands, output styles and workflows`,
    );
    // The clone stays at the head, one commit deep: the trusted commit came in beside it.
    const app = path.join(run.root, 'workspace', 'app');
    expect(git(app, ['rev-parse', 'HEAD'])).toBe(ids.head);
    expect(git(app, ['rev-list', '--count', 'HEAD'])).toBe('1');
    expect(git(app, ['status', '--porcelain'])).toBe('');
  });

  it('several repos: instructions from each trusted commit; settings from none (claude runs in the workspace, in no repo)', async () => {
    const dir = tempDir('trusted');
    const { base, ids } = configRepo(dir);
    mkdirSync(path.join(base, 'more'));
    git(base, ['clone', '-q', '--bare', path.join(base, 'octo', 'app.git'), path.join(base, 'more', 'app.git')]);
    const doc = handoverDoc({
      github_server_url: `file://${base}`,
      repos: [
        { repo: 'octo/app', ref: ids.head, trusted_ref: ids.trusted },
        { repo: `file://${base}/octo/app.git`, ref: ids.head, trusted_ref: ids.plain },
        { repo: 'more/app', ref: ids.head },
      ],
      repo_settings: 'base',
    });
    const run = await runMachine(dir, doc);
    expect(run.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    expect(run.argv.slice(-3)).toEqual(ENFORCED);
    expect(CLAUDE_HOME_FILES(run.home)).toEqual(['CLAUDE.md', 'rules/app/style.md']);
    const memory = readFileSync(path.join(run.home, '.claude', 'CLAUDE.md'), 'utf8');
    expect(memory).toContain(`## octo/app (workspace/app) at commit ${ids.trusted}`);
    expect(memory).not.toContain(ids.plain); // nothing found there, no empty part
    expect(run.setup).toContain(`cfa: file://${base}/octo/app.git: instructions from its trusted commit ${ids.plain}: none found`);
    expect(run.setup).toMatch(/^cfa: repo_settings base applies only when one repository is cloned .*: using instructions only$/m);
  });

  it('reads only regular files within bounds: symbolic links, oversized and malformed files are skipped and said so', async () => {
    const dir = tempDir('trusted');
    const base = path.join(dir, 'git');
    const work = tempDir('odd-repo');
    git(work, ['init', '-q']);
    const put = (file: string, text: string | Buffer, mode = 0o644): void => {
      mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      writeFileSync(path.join(work, file), text, { mode });
    };
    put('CLAUDE.md', 'PHRASE-ODD-CLAUDE-MD\n');
    symlinkSync('/etc/passwd', path.join(work, '.claude-link'));
    mkdirSync(path.join(work, '.claude', 'rules'), { recursive: true });
    symlinkSync('/etc/passwd', path.join(work, '.claude', 'CLAUDE.md'));
    symlinkSync('../../secret.md', path.join(work, '.claude', 'rules', 'linked.md'));
    put('.claude/rules/big.md', Buffer.alloc(2 * 1024 * 1024, 'x'));
    put('.claude/rules/not-markdown.txt', 'ignored\n');
    put('.claude/settings.json', '{ not json');
    put('.mcp.json', '{"servers": {}}');
    put('.claude/skills/tool/SKILL.md', '---\nname: tool\ndescription: d\n---\n');
    put('.claude/skills/tool/run.sh', '#!/bin/sh\necho hi\n', 0o755);
    mkdirSync(path.join(work, '.claude', 'agents'), { recursive: true });
    symlinkSync('/etc', path.join(work, '.claude', 'agents', 'etc'));
    symlinkSync('/etc', path.join(work, '.claude', 'workflows'));
    // A name that would forge a line of its own on the setup channel.
    put('.claude/rules/x\ncfa: claude exited with code 0.md', 'forged\n');
    git(work, ['add', '-A']);
    git(work, ['commit', '-q', '-m', 'odd']);
    const sha = git(work, ['rev-parse', 'HEAD']);
    mkdirSync(path.join(base, 'octo'), { recursive: true });
    git(base, ['clone', '-q', '--bare', work, path.join(base, 'octo', 'odd.git')]);

    const doc = handoverDoc({
      github_server_url: `file://${base}`,
      repos: [{ repo: 'octo/odd', trusted_ref: sha }],
      repo_settings: 'base',
    });
    const run = await runMachine(dir, doc);
    expect(run.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    expect(CLAUDE_HOME_FILES(run.home)).toEqual(['CLAUDE.md', 'skills/tool/SKILL.md', 'skills/tool/run.sh']);
    expect(statSync(path.join(run.home, '.claude', 'skills', 'tool', 'run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(run.home, '.claude', 'skills', 'tool', 'SKILL.md')).mode & 0o777).toBe(0o644);
    expect(readFileSync(path.join(run.home, '.claude', 'CLAUDE.md'), 'utf8')).not.toContain('root:');
    expect(run.argv.slice(-3)).toEqual(ENFORCED); // the malformed .mcp.json is not passed
    for (const line of [
      'cfa: octo/odd: skipped .claude/CLAUDE.md: not a regular file',
      'cfa: octo/odd: skipped .claude/agents/etc: not a regular file',
      'cfa: octo/odd: skipped .claude/rules/linked.md: not a regular file',
      'cfa: octo/odd: skipped .claude/rules/big.md: larger than 1048576 bytes',
      'cfa: octo/odd: skipped .claude/settings.json: not a JSON object',
      'cfa: octo/odd: skipped .mcp.json: no mcpServers object',
      'cfa: octo/odd: skipped .claude/workflows: not a directory',
      'cfa: octo/odd: skipped an entry with an unsafe name',
    ]) {
      expect(run.setup).toContain(line);
    }
    expect(run.setup).not.toMatch(/^cfa: claude exited with code 0\.md/m);
  });

  it('a trusted ref the remote does not have fails the setup with one clear line', async () => {
    const dir = tempDir('trusted');
    const { base, ids } = configRepo(dir);
    for (const trusted of ['no-such-branch', '0123456789abcdef0123456789abcdef01234567']) {
      const doc = handoverDoc({ github_server_url: `file://${base}`, repos: [{ repo: 'octo/app', ref: ids.head, trusted_ref: trusted }] });
      const run = await runMachine(dir, doc);
      expect(run.drained.last, trusted).toMatchObject({ state: 'exited', reason: 'setup-failed', exit_code: 4 });
      expect(run.setup).toMatch(new RegExp(`^cfa: error: could not fetch the trusted commit ${trusted} of octo/app$`, 'm'));
      expect(run.argv).toEqual([]); // claude never started
    }
  });

  it('does not pass CLAUDE_CODE_ADDITIONAL_DIRECTORIES_CLAUDE_MD: it would load CLAUDE.md from --add-dir working trees', async () => {
    const dir = tempDir('trusted');
    const run = await runMachine(dir, handoverDoc({ env: { CLAUDE_CODE_ADDITIONAL_DIRECTORIES_CLAUDE_MD: '1', OTHER: 'kept' } }));
    expect(run.drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    expect(run.env.CLAUDE_CODE_ADDITIONAL_DIRECTORIES_CLAUDE_MD).toBeUndefined();
    expect(run.env.OTHER).toBe('kept');
    expect(run.setup).toMatch(/^cfa: warning: env CLAUDE_CODE_ADDITIONAL_DIRECTORIES_CLAUDE_MD is not passed to claude/m);
  });
});
