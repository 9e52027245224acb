// One emulated machine: its state machine (created -> starting -> started ->
// stopping/stopped -> destroyed, or failed), its events (newest first), and
// its process on the host, which plays the VM: when the main process ends,
// everything else started in the machine is killed too, as a VM shutdown would.
import type { ChildProcess } from 'node:child_process';
import type {
  EmulatedMachine,
  ExitEventStyle,
  LaunchContext,
  LaunchSpec,
  MachineExit,
  MachineFaultPlan,
  MachineState,
  RestartPolicy,
  WireMachineEvent,
} from './types.ts';
import type { ProcessRegistry } from './procs.ts';
import { killGroup } from './procs.ts';
import { exitEvent, simpleEvent } from './events.ts';
import { signalNumber } from './exec.ts';
import { imageRef, rfc3339Seconds } from './ids.ts';

export interface MachineDeps {
  procs: ProcessRegistry;
  repoRoot: string;
  launch: (ctx: LaunchContext) => LaunchSpec;
  exitStyle: ExitEventStyle;
  createToStartMs: number;
  bootMs: number;
  restartDelayMs: number;
  autoDestroyDelayMs: number;
  defaultMaxRetries: number;
}

export interface MachineInit {
  id: string;
  app: string;
  name: string;
  region: string;
  instanceId: string;
  privateIp: string;
  config: Record<string, unknown>;
  requestedConfig: Record<string, unknown>;
  createRequest: Record<string, unknown>;
  restartPolicy: RestartPolicy;
  restartPolicyDefaulted: boolean;
  maxRetries: number | undefined;
  autoDestroy: boolean;
  root: string;
  env: Record<string, string>;
  flyEnv: Record<string, string>;
  plan: MachineFaultPlan | undefined;
}

const OUTPUT_LIMIT = 1 << 20;

function parseGoDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return value / 1e6; // Go's time.Duration: nanoseconds
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[m[2] as 'ms' | 's' | 'm' | 'h'];
}

export class MachineRuntime {
  readonly init: MachineInit;
  state: MachineState = 'created';
  readonly events: WireMachineEvent[] = [];
  readonly exits: MachineExit[] = [];
  /** Fly sets it at the create; only `backdate` (a test's way of letting time pass) moves it. */
  createdAt = Date.now();
  updatedAt = this.createdAt;
  destroyedAt: number | undefined;
  starts = 0;
  output = '';
  /** The environment the process and every exec run in. */
  env: Record<string, string>;
  private readonly deps: MachineDeps;
  private child: ChildProcess | undefined;
  /** The launch spec of the current (or last) process: how exec runs, what to release. */
  private spec: LaunchSpec | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly listeners = new Set<() => void>();
  private restartCount = 0;
  private stopRequested = false;
  private destroying = false;
  private oomPending = false;
  private processExited: Promise<void> = Promise.resolve();
  /** Counts spawns, so a boot timer of an earlier process cannot mark a later one started. */
  private generation = 0;
  private destroyPromise: Promise<void> | undefined;
  /** Set by shutdown (emulator close): nothing is scheduled or started any more. */
  private closed = false;

  constructor(init: MachineInit, deps: MachineDeps) {
    this.init = init;
    this.deps = deps;
    this.env = init.env;
    this.events.unshift(simpleEvent('launch', 'created', 'user', this.createdAt));
  }

  get id(): string {
    return this.init.id;
  }

  /** As if the machine had been created `ms` earlier: created_at and its launch event move back. */
  backdate(ms: number): void {
    this.createdAt -= ms;
    const launch = this.events.find((e) => e.type === 'launch');
    if (launch) launch.timestamp -= ms;
  }

  get tag(): string {
    return this.deps.procs.tagFor(this.init.id);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Called on every state change; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setState(state: MachineState): void {
    this.state = state;
    this.updatedAt = Date.now();
    for (const l of [...this.listeners]) l();
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private pushEvent(event: WireMachineEvent): void {
    this.events.unshift(event);
    this.updatedAt = Date.now();
  }

  /** Begin the launch after create (unless skip_launch). */
  launch(): void {
    this.later(this.deps.createToStartMs, () => this.start());
  }

  /** created/stopped -> starting -> started; false when the state does not allow it. */
  start(): boolean {
    if (this.destroying || !['created', 'stopped'].includes(this.state)) return false;
    this.stopRequested = false;
    this.setState('starting');
    const plan = this.init.plan;
    if (plan?.failStart) {
      const code = plan.failStart.exitCode ?? 1;
      this.later(this.deps.bootMs, () => {
        this.recordExit({ exitCode: code, signal: undefined, oomKilled: false, requestedStop: false, restarting: false, at: Date.now() });
        this.setState('failed');
      });
      return true;
    }
    this.spawnProcess();
    return true;
  }

  private spawnProcess(): void {
    if (this.closed) return;
    const ctx: LaunchContext = {
      machine: this.snapshot(),
      root: this.init.root,
      env: { ...this.init.env },
      flyEnv: { ...this.init.flyEnv },
      repoRoot: this.deps.repoRoot,
    };
    let spec: LaunchSpec;
    try {
      spec = this.deps.launch(ctx);
    } catch (err) {
      this.failToStart(`launch failed: ${(err as Error).message}`);
      return;
    }
    this.env = spec.env ?? ctx.env;
    this.spec = spec;
    const child = this.deps.procs.spawn(spec.command, spec.args ?? [], this.env, this.init.root, this.tag);
    this.child = child;
    this.starts += 1;
    const generation = ++this.generation;
    child.stdin?.end();
    const append = (b: Buffer) => {
      this.output += b.toString('utf8');
      if (this.output.length > OUTPUT_LIMIT) this.output = this.output.slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    let resolveExited: () => void = () => {};
    this.processExited = new Promise((r) => (resolveExited = r));
    let spawnFailed = false;
    child.once('error', (err) => {
      spawnFailed = true;
      this.child = undefined;
      resolveExited();
      this.failToStart(`failed to spawn ${spec.command}: ${err.message}`);
    });
    child.once('exit', (code, signal) => {
      if (spawnFailed) return;
      this.child = undefined;
      void this.onProcessExit(code, signal).finally(resolveExited);
    });
    if (spec.booted) {
      // A process that ends before it has booted is recorded by its exit alone.
      spec.booted.then(
        () => this.later(this.deps.bootMs, () => this.markStarted(generation)),
        () => undefined,
      );
    } else {
      this.later(this.deps.bootMs, () => this.markStarted(generation));
    }
  }

  /** The host command line that runs an exec request's argv in this machine. */
  execArgv(argv: string[]): string[] {
    return this.spec?.exec ? this.spec.exec(argv) : argv;
  }

  /** Frees what the machine's process left outside the host's process tree (its launch spec's release). */
  async release(): Promise<void> {
    await this.spec?.release?.();
  }

  private markStarted(generation: number): void {
    if (generation !== this.generation || !this.child || this.state !== 'starting' || this.destroying) return;
    this.pushEvent(simpleEvent('start', 'started', 'flyd', Date.now()));
    this.setState('started');
    const plan = this.init.plan;
    if (plan?.oomAfterMs !== undefined) this.later(plan.oomAfterMs, () => this.kill('SIGKILL', true));
    if (plan?.dieAfterMs !== undefined) this.later(plan.dieAfterMs, () => this.kill(plan.dieSignal ?? 'SIGKILL', false));
  }

  private failToStart(message: string): void {
    this.output += message + '\n';
    this.recordExit({ exitCode: 1, signal: undefined, oomKilled: false, requestedStop: false, restarting: false, at: Date.now() });
    this.setState('failed');
  }

  private recordExit(exit: MachineExit): void {
    this.exits.push(exit);
    this.pushEvent(exitEvent(exit, this.deps.exitStyle, this.restartCount));
  }

  private async onProcessExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    // The VM stops with its main process: nothing else of the machine keeps running.
    await this.deps.procs.killTag(this.tag, this.init.root);
    await this.release();
    if (this.state === 'starting') {
      // It exited before the boot delay passed: it did start, briefly.
      this.pushEvent(simpleEvent('start', 'started', 'flyd', Date.now()));
    }
    const signum = signalNumber(signal);
    const oom = this.oomPending;
    this.oomPending = false;
    const exitCode = oom ? 137 : code ?? (signum !== undefined ? 128 + signum : 1);
    const requestedStop = this.stopRequested || this.destroying;
    const failed = exitCode !== 0 || oom;
    const maxRetries = this.init.maxRetries ?? this.deps.defaultMaxRetries;
    const restarting =
      !requestedStop &&
      (this.init.restartPolicy === 'always' || (this.init.restartPolicy === 'on-failure' && failed && this.restartCount < maxRetries));
    this.recordExit({ exitCode, signal: oom ? 9 : signum, oomKilled: oom, requestedStop, restarting, at: Date.now() });
    if (this.destroying) return;
    if (restarting) {
      this.restartCount += 1;
      this.setState('starting');
      this.later(this.deps.restartDelayMs, () => {
        if (this.state === 'starting' && !this.destroying) this.spawnProcess();
      });
      return;
    }
    this.setState('stopped');
    if (this.init.autoDestroy) this.later(this.deps.autoDestroyDelayMs, () => void this.destroy('flyd'));
  }

  /** Send a signal to the machine's process group (the signal endpoint). */
  signal(sig: NodeJS.Signals | number): boolean {
    return killGroup(this.child?.pid, sig);
  }

  /** Kill the process; `oom` makes the exit read as an OOM kill. */
  kill(sig: NodeJS.Signals, oom: boolean): void {
    if (!this.child) return;
    if (oom) this.oomPending = true;
    killGroup(this.child.pid, sig);
  }

  /** The stop endpoint: signal (default stop_config.signal or SIGINT), SIGKILL after the timeout (default 5 s). */
  stop(signal: string | undefined, timeout: unknown): boolean {
    if (!['started', 'starting'].includes(this.state) || this.destroying) return false;
    const stopConfig = (this.init.config.stop_config ?? {}) as Record<string, unknown>;
    const sig = (signal || (stopConfig.signal as string | undefined) || 'SIGINT').toUpperCase() as NodeJS.Signals;
    const killAfter = parseGoDuration(timeout) ?? parseGoDuration(stopConfig.timeout) ?? 5000;
    this.stopRequested = true;
    this.clearTimers();
    this.setState('stopping');
    if (!this.child) {
      this.setState('stopped');
      return true;
    }
    killGroup(this.child.pid, sig);
    this.later(killAfter, () => killGroup(this.child?.pid, 'SIGKILL'));
    return true;
  }

  /** Whether a destroy without force is allowed in the current state. */
  destroyableWithoutForce(): boolean {
    return ['created', 'stopped', 'suspended', 'failed'].includes(this.state);
  }

  /** Destroy: kill the process (SIGKILL), then state destroyed with a destroy event. */
  async destroy(source: 'user' | 'flyd' = 'user'): Promise<void> {
    this.destroyPromise ??= this.runDestroy(source);
    return this.destroyPromise;
  }

  private async runDestroy(source: 'user' | 'flyd'): Promise<void> {
    this.destroying = true;
    this.clearTimers();
    this.setState('destroying');
    if (this.child) killGroup(this.child.pid, 'SIGKILL');
    // Resolved already when no process ran; otherwise after its exit was recorded.
    await this.processExited;
    await this.deps.procs.killTag(this.tag, this.init.root);
    this.pushEvent(simpleEvent('destroy', 'destroyed', source, Date.now()));
    this.destroyedAt = Date.now();
    this.setState('destroyed');
  }

  /** Stop all timers (emulator close). */
  shutdown(): void {
    this.closed = true;
    this.clearTimers();
  }

  /** The Machine object as the API serves it. */
  toWire(): Record<string, unknown> {
    return {
      id: this.init.id,
      name: this.init.name,
      state: this.state,
      region: this.init.region,
      image_ref: imageRef(String(this.init.config.image)),
      instance_id: this.init.instanceId,
      private_ip: this.init.privateIp,
      created_at: rfc3339Seconds(this.createdAt),
      updated_at: rfc3339Seconds(this.updatedAt),
      config: structuredClone(this.init.config),
      events: structuredClone(this.events),
      host_status: 'ok',
    };
  }

  snapshot(): EmulatedMachine {
    return {
      id: this.init.id,
      app: this.init.app,
      name: this.init.name,
      region: this.init.region,
      state: this.state,
      instanceId: this.init.instanceId,
      privateIp: this.init.privateIp,
      config: structuredClone(this.init.config),
      requestedConfig: structuredClone(this.init.requestedConfig),
      createRequest: structuredClone(this.init.createRequest),
      restartPolicy: this.init.restartPolicy,
      restartPolicyDefaulted: this.init.restartPolicyDefaulted,
      autoDestroy: this.init.autoDestroy,
      events: structuredClone(this.events),
      root: this.init.root,
      pid: this.child?.pid,
      starts: this.starts,
      exits: structuredClone(this.exits),
      createdAt: this.createdAt,
      destroyedAt: this.destroyedAt,
      output: this.output,
    };
  }
}
