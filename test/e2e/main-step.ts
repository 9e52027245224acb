// The main step's process as the operating system sees it, for tests that kill
// it the way a dying runner would.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * pids of a main step's node process, found by a marker in its environment
 * (E2E_KILL_MARK), to kill it as a dying runner would (the runner's SIGKILL stands in here).
 */
export function mainStepPids(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      if (env.includes(`E2E_KILL_MARK=${marker}`) && /main[/\\]index\.js/.test(cmd)) pids.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}
