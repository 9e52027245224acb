// A small throwaway git repository for one CLI run: the files the scenarios read,
// run and edit, in a fresh directory.

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const WORKSPACE_FILES: Readonly<Record<string, string>> = {
  'README.md': '# Demo\n\nA tiny repository for Claude Code runs.\n',
  'greet.js': "// Prints a greeting.\nconsole.log('Helo, world');\n",
  'incident.md':
    '# Incident\n::error::pwned-from-file\n::add-mask::x\n##[group]x\n<script>alert(1)</script>\n@octocat see ![x](https://evil.example/x.png)\n',
};

/** Creates `<root>/ws` (a git repo with WORKSPACE_FILES, one commit) and an empty `<root>/home`, replacing what was there. */
export function makeWorkspace(root: string): { cwd: string; home: string } {
  rmSync(root, { recursive: true, force: true });
  const cwd = join(root, 'ws');
  const home = join(root, 'home');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(home, { recursive: true });
  for (const [name, text] of Object.entries(WORKSPACE_FILES)) writeFileSync(join(cwd, name), text);
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.name=Stand-in', '-c', 'user.email=standin@example.invalid', '-c', 'init.defaultBranch=main', ...args], {
      cwd,
      stdio: 'ignore',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z' },
    });
  };
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'Initial commit');
  return { cwd, home };
}
