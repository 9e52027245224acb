// Processes a step left behind. The runner puts RUNNER_TRACKING_ID in every
// step's environment and, when the job ends, kills every process that still
// carries it (actions/runner src/Runner.Worker/JobExtension.cs). Linux only:
// reads /proc/<pid>/environ of our own user's processes.

import { readFileSync, readdirSync } from 'node:fs';

export function findTrackedProcesses(trackingId: string): number[] {
  if (process.platform !== 'linux') return [];
  const needle = `RUNNER_TRACKING_ID=${trackingId}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(needle)) found.push(pid);
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** Job end: SIGKILL each process still carrying the tracking id; returns their pids. */
export function killTrackedProcesses(trackingId: string): number[] {
  const pids = findTrackedProcesses(trackingId);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids;
}
