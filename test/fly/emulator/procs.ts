// Host processes started by the emulator: every one in its own process group
// and tagged through its environment, so that a machine's whole "VM" can be
// killed at once and nothing outlives close(), not even a grandchild that
// left the group (found through /proc/<pid>/environ on Linux).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const TAG_VAR = 'FLY_EMULATOR_TAG';

interface Tracked {
  child: ChildProcess;
  tag: string;
  exited: Promise<void>;
}

const everyRegistry = new Set<ProcessRegistry>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a test runner exits without close(): no machine may survive it.
  process.on('exit', () => {
    for (const registry of everyRegistry) registry.killAllNow();
  });
}

export class ProcessRegistry {
  private readonly tracked = new Set<Tracked>();
  private readonly emulatorTag: string;
  private closed = false;

  constructor(emulatorTag: string) {
    this.emulatorTag = emulatorTag;
    everyRegistry.add(this);
    installExitHook();
  }

  /** Tag value for a machine: `<emulator>:<machine>`. */
  tagFor(machineId: string): string {
    return `${this.emulatorTag}:${machineId}`;
  }

  spawn(command: string, args: string[], env: Record<string, string>, cwd: string, tag: string): ChildProcess {
    if (this.closed) throw new Error('fly emulator: closed, no new processes');
    const child = spawn(command, args, {
      env: { ...env, [TAG_VAR]: tag },
      cwd,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let resolveExit: () => void = () => {};
    const exited = new Promise<void>((resolve) => (resolveExit = resolve));
    const entry: Tracked = { child, tag, exited };
    this.tracked.add(entry);
    const done = () => {
      this.tracked.delete(entry);
      resolveExit();
    };
    child.once('exit', done);
    child.once('error', done);
    return child;
  }

  liveCount(): number {
    return this.tracked.size;
  }

  /**
   * SIGKILL the process groups of every process carrying `tag` (prefix match), plus strays found in
   * /proc: by the tag in their environment, or by a working directory under `root` (the image starts
   * Claude in a session of its own with a clean environment, so only its directory gives it away).
   */
  async killTag(tagPrefix: string, root?: string): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const entry of this.tracked) {
      if (!entry.tag.startsWith(tagPrefix)) continue;
      killGroup(entry.child.pid, 'SIGKILL');
      waits.push(entry.exited);
    }
    const strays = sweepProc(`${TAG_VAR}=${tagPrefix}`, root);
    await Promise.all(waits);
    await waitGone(strays);
  }

  async killAll(root?: string): Promise<void> {
    this.closed = true;
    await this.killTag(`${this.emulatorTag}:`, root);
    everyRegistry.delete(this);
  }

  /** Synchronous variant for the process exit hook. */
  killAllNow(): void {
    for (const entry of this.tracked) killGroup(entry.child.pid, 'SIGKILL');
    sweepProc(`${TAG_VAR}=${this.emulatorTag}:`);
  }
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals | number): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** A process that is gone or a zombie (killed, not yet reaped) counts as dead. */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return /\)\s+[ZX]\s/.test(stat);
  } catch {
    return true;
  }
}

async function waitGone(pids: number[], timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (pids.some((pid) => !processGone(pid)) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Kill (SIGKILL) every process whose environment holds `needle` (a `VAR=value` prefix) or whose
 * working directory is under `root`; answer their pids. Linux only; best effort.
 */
function sweepProc(needle: string, root?: string): number[] {
  const killed: number[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return killed;
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let environ = '';
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      // unreadable: judged by its directory alone
    }
    let cwd = '';
    if (root) {
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // gone, or not ours to read
      }
    }
    const underRoot = root !== undefined && (cwd === root || cwd.startsWith(`${root}/`));
    if (underRoot || environ.split('\u0000').some((entry) => entry.startsWith(needle))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
        killed.push(Number(pid));
      } catch {
        // gone already
      }
    }
  }
  return killed;
}
