// The CPU a process used, from outside it and with no change to it: Linux's
// /proc/<pid>/stat, sampled until the process ends. The pure half parses a
// stat line and turns samples into a share of wall time; the watcher finds
// the step's process by a marker in its environment and samples it.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  /** Clock ticks in user and kernel mode (the process itself, not its children). */
  utimeTicks: number;
  stimeTicks: number;
  /** When it started, in clock ticks after boot. */
  startTicks: number;
}

/** Fields of /proc/<pid>/stat (proc(5)); the name in parentheses may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  if (close === -1) throw new Error(`not a /proc stat line: ${text.slice(0, 80)}`);
  // After "pid (comm) " come the fields from 3 (state) on: field n is at n - 3.
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const field = (n: number): number => {
    const v = Number(fields[n - 3]);
    if (!Number.isFinite(v)) throw new Error(`/proc stat field ${n} is not a number`);
    return v;
  };
  return { utimeTicks: field(14), stimeTicks: field(15), startTicks: field(22) };
}

export interface CpuSample {
  /** Epoch ms of the reading. */
  at: number;
  /** CPU time used so far (user + system), ms. */
  cpuMs: number;
}

export interface CpuShare {
  cpuMs: number;
  wallMs: number;
  /** cpuMs / wallMs, as a percentage. */
  percent: number;
}

/**
 * CPU used between two samples as a share of the wall time between them:
 * the first sample at or after `from` and the last at or before `to`
 * (default: the first and the last). Undefined when fewer than two fall inside.
 */
export function cpuShare(samples: readonly CpuSample[], from = -Infinity, to = Infinity): CpuShare | undefined {
  const inside = samples.filter((s) => s.at >= from && s.at <= to);
  const first = inside[0];
  const last = inside.at(-1);
  if (!first || !last || last.at <= first.at) return undefined;
  const cpuMs = last.cpuMs - first.cpuMs;
  const wallMs = last.at - first.at;
  return { cpuMs, wallMs, percent: (cpuMs / wallMs) * 100 };
}

let clockTicks: number | undefined;
/** The kernel's clock ticks per second (USER_HZ; 100 nearly everywhere). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** pids whose environment holds NAME=VALUE exactly. */
export function pidsWithEnv(name: string, value: string): number[] {
  const wanted = `${name}=${value}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(wanted)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

export interface CpuTrace {
  pid: number | undefined;
  /** Epoch ms the process started (from its start ticks and the uptime), to the tick. */
  startedAt: number | undefined;
  /** A first sample of 0 ms at startedAt, then every reading. */
  samples: CpuSample[];
}

/**
 * Samples the CPU of the process whose environment carries NAME=VALUE (node
 * only: `isTarget` filters by command line), every intervalMs, until it is
 * gone and stop() is called. What the process uses after its last reading
 * (at most intervalMs) is not in the trace.
 */
export function watchCpu(name: string, value: string, options: { intervalMs?: number; isTarget?: (cmdline: string) => boolean } = {}): { stop(): Promise<CpuTrace> } {
  const intervalMs = options.intervalMs ?? 100;
  const hz = ticksPerSecond();
  const trace: CpuTrace = { pid: undefined, startedAt: undefined, samples: [] };
  let gone = false;
  const tick = (): void => {
    if (gone) return;
    if (trace.pid === undefined) {
      trace.pid = pidsWithEnv(name, value).find((pid) => {
        try {
          return (options.isTarget ?? (() => true))(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
        } catch {
          return false;
        }
      });
      if (trace.pid === undefined) return;
    }
    try {
      const stat = parseProcStat(readFileSync(`/proc/${trace.pid}/stat`, 'latin1'));
      const at = Date.now();
      if (trace.startedAt === undefined) {
        const uptimeS = Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);
        trace.startedAt = at - (uptimeS * 1000 - (stat.startTicks / hz) * 1000);
        trace.samples.push({ at: trace.startedAt, cpuMs: 0 });
      }
      trace.samples.push({ at, cpuMs: ((stat.utimeTicks + stat.stimeTicks) / hz) * 1000 });
    } catch {
      gone = true;
    }
  };
  const timer = setInterval(tick, intervalMs);
  tick();
  return {
    async stop() {
      tick();
      clearInterval(timer);
      return trace;
    },
  };
}
