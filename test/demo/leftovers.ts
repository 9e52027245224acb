// What a run leaves outside the demo's temp dir, and how to remove it.
//
// Processes still working inside a directory the demo made. The image runs
// Claude in a session of its own with a cleaned environment, so when a
// machine is destroyed mid-run (Ctrl-C), the emulator's kill (process group
// plus an environment tag) misses it and it lives on, writing under the
// removed temp dir. They are found by their working directory (Linux /proc),
// which is inside the demo's own unique temp dir: nothing else matches.
import { readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

/** SIGKILLs every process whose working directory is `dir` or under it; returns their pids. */
export function killProcessesUnder(dir: string): number[] {
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return []; // no /proc: not Linux
  }
  const killed: number[] = [];
  for (const name of pids) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    let cwd: string;
    try {
      cwd = readlinkSync(`/proc/${name}/cwd`).replace(/ \(deleted\)$/, '');
    } catch {
      continue; // gone, or not ours to read
    }
    if (cwd !== dir && !cwd.startsWith(prefix)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // already gone
    }
  }
  return killed;
}

/**
 * The Claude Code CLI keeps per-project scratch files in $TMPDIR/claude-<uid>/<project>,
 * where <project> is its working directory with every other character than A-Z, a-z,
 * 0-9 turned into '-'; the e2e world points the CLI at the host's temp dir. Removes
 * those of projects under `dir`; returns how many.
 */
export function removeClaudeScratchUnder(dir: string, tmp: string = tmpdir()): number {
  const base = join(tmp, `claude-${process.getuid?.() ?? 0}`);
  const prefix = `${dir.replace(/[^A-Za-z0-9]/g, '-')}-`;
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return 0;
  }
  const ours = names.filter((name) => name.startsWith(prefix));
  for (const name of ours) rmSync(join(base, name), { recursive: true, force: true });
  return ours.length;
}
