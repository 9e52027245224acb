// Endpoint methods of the Fly Machines API: each says method, path, query,
// body and pacing; request.ts does the rest.

import { backoffDelay } from './backoff.ts';
import { FlyApiError, isNotFound } from './errors.ts';
import { decodeExecAnswer } from './exec-answer.ts';
import { createFlyRequester } from './request.ts';
import type { FlyRequester, FlyRequestOptions, FlyResponse, QueryParams } from './request.ts';
import type {
  CreateMachineRequest,
  DestroyOutcome,
  ExecOptions,
  ExecResult,
  FlyApp,
  ListMachinesOptions,
  Machine,
  MachineEvent,
  StopOptions,
  WaitOptions,
} from './types.ts';

export type FlyClientOptions = FlyRequestOptions;

export interface CallOptions {
  signal?: AbortSignal;
}

/** Fly blocks a wait at most 60 s. */
const MAX_WAIT_SECONDS = 60;
/** Time the HTTP layer allows beyond what Fly itself was asked to take. */
const SLACK_MS = 15_000;
const CREATE_TIMEOUT_MS = 60_000;

export class FlyClient {
  readonly #http: FlyRequester;

  constructor(options: FlyClientOptions) {
    this.#http = createFlyRequester(options);
  }

  /** The injected (or real) sleep, clock and randomness, for callers that poll or back off. */
  get timing(): Pick<FlyRequester, 'sleep' | 'now' | 'random'> {
    return { sleep: this.#http.sleep, now: this.#http.now, random: this.#http.random };
  }

  /** 'proxy' when the runner's proxy variables are in use. */
  get dispatcherKind(): FlyRequester['dispatcherKind'] {
    return this.#http.dispatcherKind;
  }

  async getApp(app: string, options: CallOptions = {}): Promise<FlyApp> {
    const res = await this.#http.request({ method: 'GET', path: appPath(app), ...signalOf(options) });
    return objectAnswer(res, `app ${app}`) as FlyApp;
  }

  /** Not idempotent: never retried after an ambiguous failure (see launch.ts). */
  async createMachine(app: string, request: CreateMachineRequest, options: CallOptions = {}): Promise<Machine> {
    const res = await this.#http.request({
      method: 'POST',
      path: `${appPath(app)}/machines`,
      body: request,
      idempotent: false,
      timeoutMs: CREATE_TIMEOUT_MS,
      rate: { scope: `app:${app}`, action: 'create', kind: 'action' },
      ...signalOf(options),
    });
    return machineAnswer(res, `created machine in ${app}`);
  }

  async getMachine(app: string, id: string, options: CallOptions = {}): Promise<Machine> {
    const res = await this.#http.request({
      method: 'GET',
      path: machinePath(app, id),
      rate: { scope: id, action: 'get', kind: 'get' },
      ...signalOf(options),
    });
    return machineAnswer(res, `machine ${id}`);
  }

  async listMachines(app: string, filter: ListMachinesOptions = {}, options: CallOptions = {}): Promise<Machine[]> {
    const query: Array<[string, string]> = [];
    if (filter.includeDeleted) query.push(['include_deleted', 'true']);
    if (filter.region) query.push(['region', filter.region]);
    if (filter.state) query.push(['state', filter.state]);
    for (const [k, v] of Object.entries(filter.metadata ?? {})) query.push([`metadata.${k}`, v]);
    const res = await this.#http.request({
      method: 'GET',
      path: `${appPath(app)}/machines`,
      query,
      rate: { scope: `app:${app}`, action: 'list', kind: 'get' },
      ...signalOf(options),
    });
    if (!Array.isArray(res.json)) throw unexpected(res, `machine list of ${app}`, 'a JSON array');
    // Filter here too: a server that ignored the metadata query must not
    // hand us another run's machine.
    const wanted = Object.entries(filter.metadata ?? {});
    return (res.json as Machine[]).filter(
      (m) => m && typeof m === 'object' && typeof m.id === 'string' && wanted.every(([k, v]) => m.config?.metadata?.[k] === v),
    );
  }

  /**
   * True when the machine reached the state, false when Fly's wait ran out
   * (408: ask again). A 404 right after create is retried with backoff.
   */
  async waitForState(app: string, id: string, wait: WaitOptions, options: CallOptions = {}): Promise<boolean> {
    const timeoutSeconds = Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.round(wait.timeoutSeconds ?? MAX_WAIT_SECONDS)));
    const query: QueryParams = { state: wait.state, timeout: timeoutSeconds, instance_id: wait.instanceId || undefined };
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.#http.request({
          method: 'GET',
          path: `${machinePath(app, id)}/wait`,
          query,
          expect: [408],
          timeoutMs: timeoutSeconds * 1000 + SLACK_MS,
          rate: { scope: id, action: 'wait', kind: 'action' },
          ...signalOf(options),
        });
        return res.status !== 408;
      } catch (err) {
        if (!isNotFound(err) || attempt >= this.#http.retry.maxAttempts) throw err;
        await this.#http.sleep(backoffDelay(attempt, this.#http.random, this.#http.retry), options.signal);
      }
    }
  }

  /**
   * Runs a command on a started machine. A 200 comes back even when the
   * command failed: look at exitCode.
   */
  async exec(app: string, id: string, exec: ExecOptions): Promise<ExecResult> {
    const body: Record<string, unknown> = { command: exec.command, timeout: exec.timeoutSeconds };
    if (exec.stdin !== undefined) body.stdin = exec.stdin;
    const res = await this.#http.request({
      method: 'POST',
      path: `${machinePath(app, id)}/exec`,
      body,
      idempotent: exec.idempotent ?? false,
      timeoutMs: exec.timeoutSeconds * 1000 + SLACK_MS,
      rate: { scope: id, action: 'exec', kind: 'action' },
      ...signalOf(exec),
    });
    return decodeExecAnswer(res.text);
  }

  /** Force-destroys (kills a running machine); a 404 means it is already gone. */
  async destroyMachine(app: string, id: string, options: CallOptions = {}): Promise<DestroyOutcome> {
    const res = await this.#http.request({
      method: 'DELETE',
      path: machinePath(app, id),
      query: { force: 'true', kill: 'true' },
      expect: [404],
      rate: { scope: id, action: 'destroy', kind: 'action' },
      ...signalOf(options),
    });
    return res.status === 404 ? 'gone' : 'destroyed';
  }

  async stopMachine(app: string, id: string, stop: StopOptions = {}, options: CallOptions = {}): Promise<void> {
    const body: Record<string, unknown> = {};
    if (stop.signal) body.signal = stop.signal;
    if (stop.timeoutSeconds !== undefined) body.timeout = `${Math.max(0, Math.round(stop.timeoutSeconds))}s`;
    await this.#http.request({
      method: 'POST',
      path: `${machinePath(app, id)}/stop`,
      body,
      idempotent: true, // stopping twice is harmless
      rate: { scope: id, action: 'stop', kind: 'action' },
      ...signalOf(options),
    });
  }

  async signalMachine(app: string, id: string, signal: string, options: CallOptions = {}): Promise<void> {
    await this.#http.request({
      method: 'POST',
      path: `${machinePath(app, id)}/signal`,
      body: { signal },
      idempotent: signal === 'SIGKILL', // killing twice is harmless; other signals may not be
      rate: { scope: id, action: 'signal', kind: 'action' },
      ...signalOf(options),
    });
  }

  async listMachineEvents(app: string, id: string, options: CallOptions = {}): Promise<MachineEvent[]> {
    const res = await this.#http.request({
      method: 'GET',
      path: `${machinePath(app, id)}/events`,
      rate: { scope: id, action: 'events', kind: 'get' },
      ...signalOf(options),
    });
    if (!Array.isArray(res.json)) throw unexpected(res, `events of machine ${id}`, 'a JSON array');
    return res.json as MachineEvent[];
  }

  /** Releases the connection pool this client created. */
  close(): Promise<void> {
    return this.#http.close();
  }
}

function appPath(app: string): string {
  return `/apps/${encodeURIComponent(app)}`;
}

function machinePath(app: string, id: string): string {
  return `${appPath(app)}/machines/${encodeURIComponent(id)}`;
}

function signalOf(options: CallOptions): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}

function objectAnswer(res: FlyResponse, what: string): Record<string, unknown> {
  const json = res.json;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw unexpected(res, what, 'a JSON object');
  return json as Record<string, unknown>;
}

function machineAnswer(res: FlyResponse, what: string): Machine {
  const body = objectAnswer(res, what);
  if (typeof body.id !== 'string' || body.id === '') throw unexpected(res, what, 'a machine with an id');
  return body as Machine;
}

/** A 2xx whose body is not what the spec promises. */
function unexpected(res: FlyResponse, what: string, expected: string): FlyApiError {
  const snippet = res.text.length > 200 ? `${res.text.slice(0, 200)}…` : res.text;
  return new FlyApiError({
    status: res.status,
    message: `expected ${expected} for ${what}, got: ${snippet || '(empty body)'}`,
    method: res.method,
    path: res.path,
    ...(res.requestId ? { requestId: res.requestId } : {}),
  });
}
