// Shapes of the Fly Machines API (v1) that this action reads and writes.
// Fly's server is written in Go with `omitempty` everywhere: any field of an
// answer may be absent when it holds its zero value, so every answer field is
// optional here and readers must treat "missing" as 0 / '' / false.

/** Machine states named by Fly's docs (plus room for rarer transient ones). */
export type MachineState =
  | 'created'
  | 'starting'
  | 'started'
  | 'stopping'
  | 'stopped'
  | 'suspending'
  | 'suspended'
  | 'failed'
  | 'replacing'
  | 'replaced'
  | 'destroying'
  | 'destroyed'
  | (string & {});

export type CpuKind = 'shared' | 'performance';

export interface MachineGuest {
  cpu_kind: CpuKind;
  cpus: number;
  memory_mb: number;
}

export interface MachineRestart {
  policy: 'no' | 'always' | 'on-failure';
  max_retries?: number;
}

export interface MachineInit {
  cmd?: string[];
  entrypoint?: string[];
  exec?: string[];
  tty?: boolean;
}

export interface StopConfig {
  signal?: string;
  /** A Go duration string such as "30s" (how Fly's own clients send it). */
  timeout?: string;
}

export interface MachineFile {
  guest_path: string;
  /** base64 of the file's content */
  raw_value?: string;
  secret_name?: string;
  mode?: number;
}

export interface MachineMount {
  volume: string;
  path: string;
}

export interface MachineConfig {
  image: string;
  env?: Record<string, string>;
  metadata?: Record<string, string>;
  auto_destroy?: boolean;
  restart?: MachineRestart;
  guest?: MachineGuest;
  init?: MachineInit;
  files?: MachineFile[];
  mounts?: MachineMount[];
  stop_config?: StopConfig;
  /** Any field of the full spec that this action does not model. */
  [extra: string]: unknown;
}

export interface CreateMachineRequest {
  config: MachineConfig;
  name?: string;
  region?: string;
  skip_launch?: boolean;
  lease_ttl?: number;
}

/** One entry of `Machine.events` (newest first as Fly sends them). */
export interface MachineEvent {
  id?: string;
  type?: string;
  status?: string;
  source?: string;
  /** epoch milliseconds */
  timestamp?: number;
  /** Free-form; for `exit` events it carries an exit_event (see exit.ts). */
  request?: unknown;
}

/** The exit_event object found inside an `exit` event's request. */
export interface ExitEvent {
  exit_code?: number;
  guest_exit_code?: number;
  guest_signal?: number;
  signal?: number;
  oom_killed?: boolean;
  requested_stop?: boolean;
  restarting?: boolean;
  /** epoch ms or an RFC3339 string, depending on Fly's version */
  exited_at?: number | string;
}

export interface Machine {
  id: string;
  name?: string;
  state?: MachineState;
  region?: string;
  instance_id?: string;
  private_ip?: string;
  config?: MachineConfig;
  events?: MachineEvent[];
  created_at?: string;
  updated_at?: string;
  image_ref?: { registry?: string; repository?: string; tag?: string; digest?: string };
  [extra: string]: unknown;
}

export interface FlyApp {
  id?: string;
  name?: string;
  status?: string;
  organization?: { name?: string; slug?: string };
  [extra: string]: unknown;
}

export interface ListMachinesOptions {
  /** Every pair must match (`metadata.KEY=VALUE`, repeatable). */
  metadata?: Record<string, string>;
  includeDeleted?: boolean;
  state?: string;
  region?: string;
}

export interface WaitOptions {
  /** Desired state; Fly's default is `started`. */
  state: 'started' | 'stopped' | 'suspended' | 'destroyed' | (string & {});
  /** 1..60; Fly blocks at most 60 s. */
  timeoutSeconds?: number;
  /** From the create answer; older Fly versions require it for `stopped`. */
  instanceId?: string;
}

export interface ExecOptions {
  command: string[];
  stdin?: string;
  /** Seconds Fly lets the command run. */
  timeoutSeconds: number;
  /**
   * Retry on ambiguous failures (network, 5xx). Only for commands that are
   * safe to run twice (a read by offset is; a handover is not).
   */
  idempotent?: boolean;
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  /** 0 when the command was not ended by a signal */
  exitSignal: number;
  stdout: string;
  stderr: string;
}

export interface StopOptions {
  signal?: string;
  timeoutSeconds?: number;
}

export type DestroyOutcome = 'destroyed' | 'gone';
