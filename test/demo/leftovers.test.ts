import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killProcessesUnder, removeClaudeScratchUnder } from './leftovers.ts';

const root = mkdtempSync(join(tmpdir(), 'demo-leftovers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('killProcessesUnder', () => {
  it.runIf(existsSync('/proc'))('kills a process working under the directory, not one outside it', async () => {
    const inside = join(root, 'machine', 'workspace');
    mkdirSync(inside, { recursive: true });
    const outside = mkdtempSync(join(tmpdir(), 'demo-leftovers-other-'));
    const a = spawn('sleep', ['30'], { cwd: inside, detached: true, stdio: 'ignore' });
    const b = spawn('sleep', ['30'], { cwd: outside, detached: true, stdio: 'ignore' });
    const aExit = new Promise((resolve) => a.on('exit', (_code, signal) => resolve(signal)));
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const killed = killProcessesUnder(join(root, 'machine'));
      expect(killed).toEqual([a.pid]);
      expect(await aExit).toBe('SIGKILL');
      expect(b.exitCode).toBeNull();
    } finally {
      a.kill('SIGKILL');
      b.kill('SIGKILL');
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('removeClaudeScratchUnder', () => {
  it("removes the CLI's scratch dirs of projects under the directory only", () => {
    const tmp = join(root, 'tmp');
    const base = join(tmp, `claude-${process.getuid?.() ?? 0}`);
    const ours = join(base, '-tmp-cfa-e2e-Ab1-machines-m1-workspace-app');
    const theirs = join(base, '-tmp-cfa-e2e-Ab12-machines-m2-workspace-app');
    for (const d of [ours, theirs, join(base, 'bash-edit-diff')]) mkdirSync(d, { recursive: true });
    expect(removeClaudeScratchUnder('/tmp/cfa-e2e-Ab1', tmp)).toBe(1);
    expect(existsSync(ours)).toBe(false);
    expect(existsSync(theirs)).toBe(true);
    expect(existsSync(join(base, 'bash-edit-diff'))).toBe(true);
    expect(removeClaudeScratchUnder('/nowhere', join(root, 'no-tmp'))).toBe(0);
  });
});
