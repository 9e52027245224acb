// Public types of the Fly Machines API emulator (test/fly/emulator.ts).
// Wire shapes follow Fly's published spec (reference/fly-machines-openapi.json)
// and the reference Go client (superfly/fly-go, package flaps); test-facing
// shapes are camelCase.

/** A machine state as Fly names it. */
export type MachineState =
  | 'created'
  | 'starting'
  | 'started'
  | 'stopping'
  | 'stopped'
  | 'suspended'
  | 'failed'
  | 'replacing'
  | 'destroying'
  | 'destroyed';

export type RestartPolicy = 'no' | 'always' | 'on-failure';

/** One entry of a machine's `events` array, exactly as served (newest first). */
export interface WireMachineEvent {
  id?: string;
  type: string;
  status: string;
  source: string;
  timestamp: number;
  request?: Record<string, unknown>;
}

/** Where an exit event puts its `exit_event` object, and how it spells `exited_at`. */
export interface ExitEventStyle {
  /**
   * 'exit_event'    -> request.exit_event (what Fly serves today; default)
   * 'MonitorEvent'  -> request.MonitorEvent.exit_event (also read by fly-go)
   * 'monitor_event' -> request.monitor_event.exit_event (read by flaude)
   */
  shape?: 'exit_event' | 'MonitorEvent' | 'monitor_event';
  /** 'rfc3339' (default; fly-go decodes a time.Time) or 'epoch_ms'. */
  exitedAt?: 'rfc3339' | 'epoch_ms';
  /** Go `omitempty`: drop zero codes and false flags (default true). */
  omitEmpty?: boolean;
  /** Value of `signal`/`guest_signal` when no signal ended the process (default -1, as flyd reports). */
  noSignal?: number;
}

/** What the machine process is started as (see EmulatorOptions.launch). */
export interface LaunchSpec {
  command: string;
  args?: string[];
  /** Full environment of the process; default: LaunchContext.env. */
  env?: Record<string, string>;
  /**
   * How exec runs a command in this machine: the host command line for the exec
   * request's argv (e.g. `podman exec -i NAME ...argv`). Default: argv itself, on
   * the host, in the machine's environment, with cwd = its root.
   */
  exec?: (argv: string[]) => string[];
  /**
   * Resolves once the machine has booted (e.g. its container runs); `started`
   * follows bootMs later. Default: the process was spawned.
   */
  booted?: Promise<void>;
  /**
   * Frees what the machine holds outside the host's process tree (e.g. its
   * container): called when its process has ended or been killed, before the exit
   * is recorded, and at close(). Must be safe to call more than once.
   */
  release?: () => Promise<void>;
}

export interface LaunchContext {
  machine: EmulatedMachine;
  /** The machine's root directory (CFA_ROOT in plain-host mode). */
  root: string;
  /** The environment the emulator built for this machine (also used by exec). */
  env: Record<string, string>;
  /**
   * The environment Fly gives the machine's process in its image: imageEnv, then
   * config.env over it, then the FLY_* variables. No plain-host additions (PATH,
   * HOME, CFA_ROOT, ...): what a launcher that runs the real image passes to it.
   */
  flyEnv: Record<string, string>;
  /** Repository root (holds image/bin). */
  repoRoot: string;
}

export interface TokenBucketRate {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size (the burst). */
  burst: number;
}

/** Actions the rate limiter keys on (flaps action names, snake_case). */
export type ApiAction =
  | 'app_get'
  | 'app_create'
  | 'machine_create'
  | 'machine_list'
  | 'machine_get'
  | 'machine_wait'
  | 'machine_exec'
  | 'machine_stop'
  | 'machine_start'
  | 'machine_signal'
  | 'machine_destroy'
  | 'other';

export interface RateLimitOptions {
  /** Rate of every action but machine_get (Fly: 1/s, burst 3). */
  default?: TokenBucketRate;
  /** Per-action overrides; `false` exempts an action. machine_get defaults to 5/s burst 10. */
  perAction?: Partial<Record<ApiAction, TokenBucketRate | false>>;
  /** Clock in ms for the buckets (default Date.now), so tests can drive refills. */
  clock?: () => number;
  /** Extra headers on a 429 (Fly's documented limits name none; default none). */
  headers?: Record<string, string>;
}

export interface EmulatorOptions {
  /** The API token clients must send (as `Bearer <t>` or `FlyV1 <t>`); default a random `fm2_...`. */
  token?: string;
  /** Require `FlyV1` for macaroon tokens (fm1r_/fm1a_/fm2_) and `Bearer` for others (default false: either). */
  strictScheme?: boolean;
  /** Apps that exist at start (default ['cfa-test-app']). */
  apps?: string[];
  /** Apps that exist in someone else's org: GET answers 403. */
  foreignApps?: string[];
  /** Org slug reported for apps (default 'personal'). */
  org?: string;
  /** Region used when a create names none (default 'ord'). */
  defaultRegion?: string;
  /** Directory that holds a `claude` executable, first on the machine's PATH. */
  claudeDir?: string;
  /** CFA_AGENT_USER given to the machine (default '' = run Claude as the current user). */
  agentUser?: string;
  /** Repository root (default: derived from this file's location). */
  repoRoot?: string;
  /** Parent directory for the machines' roots (default: a fresh temp dir, removed on close). */
  workDir?: string;
  /** Replace the machine process (default: <repo>/image/bin/cfa-entrypoint). */
  launch?: (ctx: LaunchContext) => LaunchSpec;
  /** created -> starting after this many ms (default 20). */
  createToStartMs?: number;
  /** starting -> started after the process is spawned (default 30). */
  bootMs?: number;
  /** Delay before a restart under the restart policy (default 50). */
  restartDelayMs?: number;
  /** Delay between `stopped` and `destroyed` with auto_destroy (default 20). */
  autoDestroyDelayMs?: number;
  /** Restarts allowed under on-failure when config.restart.max_retries is absent (default 10). */
  defaultMaxRetries?: number;
  /** Exec timeout when the request names none, in seconds (default 30). */
  defaultExecTimeoutSeconds?: number;
  /**
   * The image's ENV (what its Dockerfile sets, e.g. CFA_LINGER_SECONDS): the
   * machine's environment starts from it and the config's env overrides it,
   * as on Fly. Tests shorten the image's own durations through it.
   */
  imageEnv?: Record<string, string>;
  /** Exit events' shape. */
  exitEvents?: ExitEventStyle;
  /** Token-bucket rate limiting like Fly's; `false` disables it. On by default. */
  rateLimits?: RateLimitOptions | false;
  /**
   * A latency model: milliseconds to hold each answer after the request was
   * processed (exec: after its command ended) and before it is written, as
   * the network and Fly's own layers would. Called once per answer (429s and
   * errors too, never for a reset connection); 0 or none answers at once.
   * Default: none.
   */
  latency?: (action: ApiAction, method: string, path: string) => number;
}

/** One request as the emulator saw it (authorization value redacted). */
export interface RecordedRequest {
  seq: number;
  requestId: string;
  at: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string[]>;
  /** Lower-cased header names; `authorization` keeps only its scheme. */
  headers: Record<string, string>;
  /** Raw body text ('' when none). */
  bodyText: string;
  /** Parsed JSON body, or undefined when absent or not JSON. */
  body: unknown;
  action: ApiAction;
  machineId: string | undefined;
  /** Status answered, or 'reset' when the connection was destroyed instead. */
  status: number | 'reset' | 'pending';
  /** What the fault plan did to this request, if anything. */
  fault: string | undefined;
}

/** An exit of a machine's process, as the emulator observed it. */
export interface MachineExit {
  exitCode: number;
  /** Signal number that ended the process, or undefined. */
  signal: number | undefined;
  oomKilled: boolean;
  requestedStop: boolean;
  restarting: boolean;
  at: number;
}

/** A snapshot of one emulated machine (copies; safe to keep). */
export interface EmulatedMachine {
  id: string;
  app: string;
  name: string;
  region: string;
  state: MachineState;
  instanceId: string;
  privateIp: string;
  /** Config as served (with Fly's defaults filled in, e.g. guest). */
  config: Record<string, unknown>;
  /** Config exactly as the client sent it. */
  requestedConfig: Record<string, unknown>;
  /** The whole create request body as sent. */
  createRequest: Record<string, unknown>;
  /** The restart policy in force (on-failure when the client sent none). */
  restartPolicy: RestartPolicy;
  /** True when the client sent no restart policy. */
  restartPolicyDefaulted: boolean;
  autoDestroy: boolean;
  /** Events newest first, exactly as served. */
  events: WireMachineEvent[];
  /** The machine's root directory on the host. */
  root: string;
  /** pid of the running machine process, if any. */
  pid: number | undefined;
  /** Times the process was started (1 + restarts). */
  starts: number;
  exits: MachineExit[];
  createdAt: number;
  destroyedAt: number | undefined;
  /** stdout+stderr of the machine's process(es), interleaved as read. */
  output: string;
}

/** An HTTP fault: what happens instead of (or around) the normal answer. */
export type HttpFault =
  | {
      kind: 'status';
      status: number;
      /** `error` of the JSON body (default: a message like Fly's for that status). */
      error?: string;
      /** `status` field of the body, e.g. 'insufficient_capacity'. */
      errorStatus?: string;
      /** Replace the whole body (string sent as is). */
      rawBody?: string;
      headers?: Record<string, string>;
    }
  /** Destroy the socket (TCP RST) without answering and without processing. */
  | { kind: 'reset' }
  /** Wait before processing ('before', default) or after processing, before answering ('after'). */
  | { kind: 'delay'; ms: number; phase?: 'before' | 'after' }
  /** Process the request for real, then reset the connection instead of answering. */
  | { kind: 'lose-response' };

export interface FaultRuleSpec {
  /** HTTP method, e.g. 'POST' (default any). */
  method?: string;
  /** Path pattern: a RegExp, or a string where `*` matches one path segment and `**` anything. */
  path: string | RegExp;
  /** Only requests whose parsed body passes this test count. */
  body?: (body: unknown) => boolean;
  /** The first matching request to fault, 1-based (default 1). */
  nth?: number;
  /** How many consecutive matches to fault from the nth on (default 1). */
  count?: number;
  /** Fault every match from the nth on (overrides count). */
  always?: boolean;
  fault: HttpFault;
}

export interface FaultRule {
  readonly spec: FaultRuleSpec;
  /** Matching requests seen so far. */
  readonly seen: number;
  /** Requests this rule faulted so far. */
  readonly applied: number;
  remove(): void;
}

/** Faults for machines yet to be created (applied to the next `count` creates). */
export interface MachineFaultPlan {
  /** The machine never starts: state `failed` and an exit event with this code (default 1). */
  failStart?: { exitCode?: number };
  /** Kill the process this many ms after it is started (SIGKILL unless dieSignal says). */
  dieAfterMs?: number;
  dieSignal?: NodeJS.Signals;
  /** Kill it this many ms after start and report OOM (exit code 137, oom_killed). */
  oomAfterMs?: number;
  /** How many upcoming machines get this plan (default 1). */
  count?: number;
}

export interface FaultPlanApi {
  /** Add an HTTP fault rule. */
  add(spec: FaultRuleSpec): FaultRule;
  /** Remove every HTTP rule and pending machine plan. */
  clear(): void;
  /** Rules currently installed. */
  rules(): FaultRule[];
  /** Plan faults for the next machine(s) created. */
  nextMachines(plan: MachineFaultPlan): void;
  /** Kill a machine's process now or later; `oom` reports it as OOM-killed. */
  kill(machineId: string, opts?: { afterMs?: number; oom?: boolean; signal?: NodeJS.Signals }): void;
}

export interface EmulatedApp {
  name: string;
  org: string;
  id: string;
  network: string | undefined;
}

export interface FlyEmulator {
  /** Base URL without /v1, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** The token the emulator accepts. */
  readonly token: string;
  /** Name of the first app (created at start). */
  readonly appName: string;
  apps(): EmulatedApp[];
  addApp(name: string, org?: string): EmulatedApp;
  /** Every machine ever created, destroyed ones included. */
  machines(): EmulatedMachine[];
  machine(id: string): EmulatedMachine;
  /** Machines not destroyed. */
  /** Lets time pass for one machine: its created_at (and launch event) move `ms` into the past. */
  backdate(machineId: string, ms: number): void;
  liveMachineCount(): number;
  /** Machine and exec processes still running on the host. */
  liveProcessCount(): number;
  /** Resolve once the machine reaches the state (rejects after timeoutMs). */
  waitForState(id: string, state: MachineState, timeoutMs?: number): Promise<void>;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  readonly faults: FaultPlanApi;
  /** Kill every process (SIGKILL), close the server, remove the temp dir. */
  close(): Promise<void>;
}
