// Fault scenarios: what goes wrong in one run, drawn from a seed so any
// failing scenario can be run again alone. Pure: no I/O.
//
// A scenario combines Fly API faults (transient on any call, or a Fly that
// keeps refusing a create or the handover), a machine fault (it never starts,
// dies or is OOM-killed mid-run), how Claude behaves (finishes, reports an
// error, crashes mid-line with no result, goes silent, or ends with a big
// output still to drain), and a kill of the main step at one phase with one
// signal (with post run after it, or, when the runner itself dies, no post).
import { Random } from '../bench/random.ts';

/** The API calls the action makes, as the fault rules pick them out. */
export const CALLS = ['create', 'wait', 'get', 'handover', 'read', 'destroy', 'list'] as const;
export type Call = (typeof CALLS)[number];

export type Fault =
  | { kind: 'status'; status: number }
  | { kind: 'reset' }
  | { kind: 'lose-response' }
  | { kind: 'delay'; ms: number; phase: 'before' | 'after' };

export interface ApiFault {
  call: Call;
  fault: Fault;
  /** The first matching request faulted (1-based). */
  nth: number;
  /** How many in a row; ignored when `always`. */
  count: number;
  /** Every match from nth on: Fly keeps refusing. */
  always: boolean;
}

export const CLAUDE_BEHAVIOURS = ['success', 'error-result', 'crash', 'silent', 'big-output'] as const;
/** success: a result; error-result: an error result and exit 1; crash: SIGSEGV mid-line, no result;
 * silent: goes quiet (idle timeout); big-output: megabytes just before its result (a long final drain). */
export type ClaudeBehaviour = (typeof CLAUDE_BEHAVIOURS)[number];

/** none; fail-start: the machine never starts; dies / oom: its process is killed once Claude has written. */
export type MachineFault = 'none' | 'fail-start' | 'dies' | 'oom';

export const PHASES = ['before-create', 'during-create', 'cloning', 'streaming', 'final-drain', 'during-destroy'] as const;
export type Phase = (typeof PHASES)[number];
export type KillSignal = 'SIGINT' | 'SIGTERM' | 'SIGKILL';

export interface Kill {
  phase: Phase;
  signal: KillSignal;
  /**
   * runs: post runs as the runner would; never: the runner died with main (no post); killed: post is
   * SIGKILLed too, `postKillMs` after it starts. Only with SIGKILL; without a post that finished, the
   * machine must end itself by its deadline.
   */
  post: 'runs' | 'never' | 'killed';
  postKillMs: number;
  /** Extra wait after the phase is reached, ms (where in the phase). */
  afterMs: number;
}

export interface Scenario {
  /** Seed of this scenario alone: `npm run faults -- --only <seed>` runs it again. */
  seed: number;
  claude: ClaudeBehaviour;
  machine: MachineFault;
  apiFaults: ApiFault[];
  kill: Kill | undefined;
  /** A pull_request event, so the sticky comment is written (and checked for secrets). */
  pullRequest: boolean;
  /** Clone a big repository, so a kill while cloning can land. */
  bigClone: boolean;
}

const TRANSIENT_STATUSES = [408, 429, 500, 502, 503];

function transientFault(r: Random): Fault {
  const roll = r.next();
  if (roll < 0.5) return { kind: 'status', status: r.pick(TRANSIENT_STATUSES) };
  if (roll < 0.65) return { kind: 'reset' };
  if (roll < 0.8) return { kind: 'lose-response' };
  return { kind: 'delay', ms: r.int(200, 2000), phase: r.chance(0.5) ? 'before' : 'after' };
}

/** Faults one call kind takes in a transient scenario: within every retry budget of the action (create's is 3). */
export const TRANSIENT_PER_CALL = 2;

function transientFaults(r: Random, max: number): ApiFault[] {
  const n = r.int(0, max);
  const used = new Map<Call, number>();
  const faults: ApiFault[] = [];
  for (let i = 0; i < n; i++) {
    const call = r.pick(CALLS);
    const fault = transientFault(r);
    const nth = r.int(1, 4);
    const count = Math.min(r.int(1, 2), TRANSIENT_PER_CALL - (used.get(call) ?? 0));
    if (count <= 0) continue; // more would be a Fly that keeps refusing, a scenario of its own
    used.set(call, (used.get(call) ?? 0) + count);
    faults.push({ call, fault, nth, count, always: false });
  }
  return faults;
}

const KILL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;
/** Every phase with every signal: kill scenarios take them in turn. */
const KILL_PAIRS = PHASES.flatMap((phase) => KILL_SIGNALS.map((signal) => ({ phase, signal })));
/** Of every 20 consecutive seeds, this many are killed runs (45 %). */
const KILLED_PER_20 = 9;

/**
 * The kill of a seed, if it has one: decided by the seed alone (so `--only`
 * reproduces it), and round-robin over every (phase, signal) pair across
 * consecutive seeds, so any 40 consecutive seeds cover them all.
 */
function killOf(seed: number, r: Random): Kill | undefined {
  if (seed % 20 >= KILLED_PER_20) return undefined;
  const pair = KILL_PAIRS[(Math.floor(seed / 20) * KILLED_PER_20 + (seed % 20)) % KILL_PAIRS.length]!;
  const post = pair.signal === 'SIGKILL' && r.chance(0.35) ? r.pick(['never', 'killed'] as const) : 'runs';
  return { ...pair, post, postKillMs: post === 'killed' ? r.int(0, 400) : 0, afterMs: r.int(0, pair.phase === 'streaming' ? 1500 : 300) };
}

/** The scenario of one seed. */
export function scenarioOf(seed: number): Scenario {
  const r = new Random(seed);
  const roll = r.next();
  const pullRequest = r.chance(0.3);
  // A kill needs a machine that gets far enough, and a final drain long enough to land in.
  const kill = killOf(seed, r);
  if (kill) {
    const claude = kill.phase === 'final-drain' ? 'big-output' : r.pick(['success', 'success', 'big-output', 'error-result'] as const);
    return { seed, claude, machine: 'none', apiFaults: transientFaults(r, 2), kill, pullRequest, bigClone: kill.phase === 'cloning' };
  }
  if (roll < 0.2) {
    // Fly keeps refusing: the create or the handover never goes through.
    const call = r.pick(['create', 'handover'] as const);
    const fault: ApiFault = { call, fault: { kind: 'status', status: r.pick([500, 502, 503]) }, nth: 1, count: 1, always: true };
    return { seed, claude: 'success', machine: 'none', apiFaults: [fault, ...transientFaults(r, 1)], kill: undefined, pullRequest, bigClone: false };
  }
  if (roll < 0.45) {
    const machine = r.pick(['fail-start', 'dies', 'oom'] as const);
    return { seed, claude: 'silent', machine, apiFaults: transientFaults(r, 2), kill: undefined, pullRequest, bigClone: false };
  }
  return { seed, claude: r.pick(CLAUDE_BEHAVIOURS), machine: 'none', apiFaults: transientFaults(r, 3), kill: undefined, pullRequest, bigClone: false };
}

/** `count` scenarios from a run seed: scenario i has seed runSeed * 100003 + i (each reproducible alone). */
export function scenarios(runSeed: number, count: number): Scenario[] {
  return Array.from({ length: count }, (_, i) => scenarioOf(runSeed * 100_003 + i));
}

/** One line saying what the scenario does. */
export function describeScenario(s: Scenario): string {
  const parts = [`seed ${s.seed}`, `claude ${s.claude}`];
  if (s.machine !== 'none') parts.push(`machine ${s.machine}`);
  for (const f of s.apiFaults) {
    const what = f.fault.kind === 'status' ? String(f.fault.status) : f.fault.kind === 'delay' ? `delay ${f.fault.ms} ms ${f.fault.phase}` : f.fault.kind;
    parts.push(`${f.call} ${what} ${f.always ? `from #${f.nth} on` : `#${f.nth}${f.count > 1 ? `-${f.nth + f.count - 1}` : ''}`}`);
  }
  if (s.kill) parts.push(`${s.kill.signal} ${s.kill.phase}${s.kill.afterMs ? ` +${s.kill.afterMs} ms` : ''}${s.kill.post === 'never' ? ', no post' : s.kill.post === 'killed' ? `, post SIGKILLed at ${s.kill.postKillMs} ms` : ''}`);
  if (s.pullRequest) parts.push('pull request');
  if (s.bigClone) parts.push('big clone');
  return parts.join(', ');
}

/** What the run should conclude, from what was done to it (never from what the action said). */
export function expectedConclusion(s: Scenario, killSent: KillSignal | undefined): string | undefined {
  if (killSent === 'SIGKILL') return undefined; // killed outright: no conclusion can be written
  if (killSent) return 'cancelled';
  if (s.apiFaults.some((f) => f.always)) return 'failure';
  if (s.machine === 'fail-start') return 'failure';
  if (s.machine === 'dies' || s.machine === 'oom') return 'no-result';
  switch (s.claude) {
    case 'success':
    case 'big-output':
      return 'success';
    case 'error-result':
      return 'failure';
    case 'crash':
      return 'no-result';
    case 'silent':
      return 'timed-out';
  }
}
