// The Machines API's endpoints over the emulator's state: routing, request
// validation, and answers with Fly's shapes and status codes. HTTP plumbing
// (auth, faults, rate limits, sockets) lives in server.ts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { constants as osConstants } from 'node:os';
import type { ApiAction, EmulatedApp, MachineFaultPlan, MachineState } from './types.ts';
import { validateCreate } from './config.ts';
import { instanceId, machineId, machineName, privateIp } from './ids.ts';
import { MachineRuntime, type MachineDeps } from './machine.ts';
import { execAnswer, runExec, splitShellWords } from './exec.ts';

export interface ApiRequest {
  method: string;
  /** Path without query, e.g. /v1/apps/a/machines. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  bodyText: string;
  /** Aborted when the client goes away (ends long waits early). */
  signal: AbortSignal;
}

export interface ApiAnswer {
  status: number;
  body?: unknown;
}

export interface Route {
  action: ApiAction;
  app: string | undefined;
  machineId: string | undefined;
  /** Rate-limit scope: the machine id, else the app name. */
  scope: string;
  run: (req: ApiRequest) => Promise<ApiAnswer>;
}

export interface ApiSettings {
  org: string;
  defaultRegion: string;
  workDir: string;
  claudeDir: string | undefined;
  agentUser: string;
  repoRoot: string;
  defaultExecTimeoutSeconds: number;
  foreignApps: Set<string>;
  /** The image's own ENV (Dockerfile), under the config's env as on Fly. */
  imageEnv: Record<string, string>;
}

const WAITABLE: MachineState[] = ['started', 'stopped', 'destroyed', 'suspended', 'failed', 'created'];
const MAX_WAIT_SECONDS = 60;

const error = (status: number, message: string, extra?: Record<string, unknown>): ApiAnswer => ({
  status,
  body: { error: message, ...extra },
});

function truthy(v: string | null): boolean {
  return v === 'true' || v === '1' || v === 't';
}

function signalName(value: unknown): NodeJS.Signals | undefined {
  if (typeof value === 'string') {
    const name = (value.startsWith('SIG') ? value : `SIG${value}`).toUpperCase();
    return name in osConstants.signals ? (name as NodeJS.Signals) : undefined;
  }
  if (typeof value === 'number') {
    const entry = Object.entries(osConstants.signals).find(([, n]) => n === value);
    return entry?.[0] as NodeJS.Signals | undefined;
  }
  return undefined;
}

export class FlyApi {
  readonly apps = new Map<string, EmulatedApp>();
  readonly machines = new Map<string, MachineRuntime>();
  private readonly pendingPlans: MachineFaultPlan[] = [];
  private readonly settings: ApiSettings;
  private readonly deps: MachineDeps;

  constructor(settings: ApiSettings, deps: MachineDeps) {
    this.settings = settings;
    this.deps = deps;
  }

  addApp(name: string, org = this.settings.org, network?: string): EmulatedApp {
    const app: EmulatedApp = { name, org, id: `app_${machineId()}`, network };
    this.apps.set(name, app);
    return app;
  }

  planNextMachines(plan: MachineFaultPlan): void {
    for (let i = 0; i < (plan.count ?? 1); i++) this.pendingPlans.push(plan);
  }

  clearPlans(): void {
    this.pendingPlans.length = 0;
  }

  /** Find the handler of a request; undefined = no such endpoint. */
  route(method: string, path: string): Route | undefined {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'v1' || parts[1] !== 'apps') return undefined;
    const [app, collection, id, verb] = parts.slice(2);
    const r = (action: ApiAction, run: Route['run'], mid?: string): Route => ({
      action,
      app,
      machineId: mid,
      scope: mid ?? app ?? '',
      run,
    });
    if (app === undefined) {
      if (method === 'POST') return r('app_create', (req) => this.createApp(req));
      if (method === 'GET') return r('other', (req) => this.listApps(req));
      return undefined;
    }
    if (collection === undefined) {
      if (method === 'GET') return r('app_get', () => this.getApp(app));
      return undefined;
    }
    if (collection !== 'machines' || parts.length > 6) return undefined;
    if (id === undefined) {
      if (method === 'GET') return r('machine_list', (req) => this.withApp(app, () => this.list(app, req)));
      if (method === 'POST') return r('machine_create', (req) => this.withApp(app, () => this.create(app, req)));
      return undefined;
    }
    const m = (fn: (machine: MachineRuntime, req: ApiRequest) => Promise<ApiAnswer> | ApiAnswer) => (req: ApiRequest) =>
      this.withApp(app, async () => {
        const machine = this.machines.get(id);
        if (!machine || machine.init.app !== app) return error(404, 'machine not found');
        return fn(machine, req);
      });
    if (verb === undefined) {
      if (method === 'GET') return r('machine_get', m((machine) => ({ status: 200, body: machine.toWire() })), id);
      if (method === 'DELETE') return r('machine_destroy', m((machine, req) => this.destroy(machine, req)), id);
      return undefined;
    }
    if (method === 'GET' && verb === 'wait') return r('machine_wait', m((machine, req) => this.wait(machine, req)), id);
    if (method === 'GET' && verb === 'events') return r('other', m((machine) => ({ status: 200, body: machine.toWire().events })), id);
    if (method === 'POST' && verb === 'exec') return r('machine_exec', m((machine, req) => this.exec(machine, req)), id);
    if (method === 'POST' && verb === 'stop') return r('machine_stop', m((machine, req) => this.stop(machine, req)), id);
    if (method === 'POST' && verb === 'start') return r('machine_start', m((machine) => this.start(machine)), id);
    if (method === 'POST' && verb === 'signal') return r('machine_signal', m((machine, req) => this.signal(machine, req)), id);
    return undefined;
  }

  private async withApp(app: string, fn: () => Promise<ApiAnswer> | ApiAnswer): Promise<ApiAnswer> {
    if (this.settings.foreignApps.has(app)) return error(403, 'unauthorized');
    if (!this.apps.has(app)) return error(404, 'app not found');
    return fn();
  }

  // ---- apps

  private async createApp(req: ApiRequest): Promise<ApiAnswer> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = body.app_name ?? body.name;
    if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9-]{1,62}$/.test(name)) return error(400, 'invalid app name');
    if (this.apps.has(name) || this.settings.foreignApps.has(name)) return error(422, 'name_taken');
    const org = typeof body.org_slug === 'string' ? body.org_slug : this.settings.org;
    const app = this.addApp(name, org, typeof body.network === 'string' ? body.network : undefined);
    return { status: 201, body: { id: app.id, name: app.name } };
  }

  private async getApp(name: string): Promise<ApiAnswer> {
    if (this.settings.foreignApps.has(name)) return error(403, 'unauthorized');
    const app = this.apps.get(name);
    if (!app) return error(404, 'app not found');
    return {
      status: 200,
      body: { id: app.id, name: app.name, organization: { name: app.org, slug: app.org }, status: 'deployed' },
    };
  }

  private async listApps(req: ApiRequest): Promise<ApiAnswer> {
    const org = req.query.get('org_slug');
    const apps = [...this.apps.values()].filter((a) => !org || a.org === org);
    return {
      status: 200,
      body: {
        total_apps: apps.length,
        apps: apps.map((a) => ({
          id: a.id,
          name: a.name,
          machine_count: [...this.machines.values()].filter((m) => m.init.app === a.name && m.state !== 'destroyed').length,
          network: a.network ?? 'default',
        })),
      },
    };
  }

  // ---- machines

  private list(app: string, req: ApiRequest): ApiAnswer {
    const includeDeleted = truthy(req.query.get('include_deleted'));
    const region = req.query.get('region');
    const states = req.query.getAll('state').flatMap((s) => s.split(',')).filter(Boolean);
    const metadata: [string, string][] = [];
    for (const [k, v] of req.query) if (k.startsWith('metadata.')) metadata.push([k.slice('metadata.'.length), v]);
    const out = [...this.machines.values()].filter((machine) => {
      if (machine.init.app !== app) return false;
      if (!includeDeleted && machine.state === 'destroyed') return false;
      if (region && machine.init.region !== region) return false;
      if (states.length > 0 && !states.includes(machine.state)) return false;
      const md = (machine.init.config.metadata ?? {}) as Record<string, string>;
      return metadata.every(([k, v]) => md[k] === v);
    });
    return { status: 200, body: out.map((machine) => machine.toWire()) };
  }

  private create(app: string, req: ApiRequest): ApiAnswer {
    const valid = validateCreate(req.body);
    if (!valid.ok) return error(400, valid.error);
    const id = machineId();
    const region = valid.region || this.settings.defaultRegion;
    const root = join(this.settings.workDir, id);
    mkdirSync(join(root, 'home'), { recursive: true });
    mkdirSync(join(root, 'tmp'), { recursive: true });
    const iid = instanceId();
    const ip = privateIp();
    const guest = valid.config.guest as { memory_mb: number };
    const pathDirs = [
      this.settings.claudeDir,
      join(this.settings.repoRoot, 'image', 'bin'),
      join(process.execPath, '..'),
      '/usr/local/sbin',
      '/usr/local/bin',
      '/usr/sbin',
      '/usr/bin',
      '/sbin',
      '/bin',
    ].filter((d): d is string => Boolean(d));
    // What Fly gives the process inside its image.
    const flyEnv: Record<string, string> = {
      ...this.settings.imageEnv,
      ...valid.env,
      FLY_APP_NAME: app,
      FLY_MACHINE_ID: id,
      FLY_ALLOC_ID: id,
      FLY_REGION: region,
      FLY_PRIVATE_IP: ip,
      FLY_IMAGE_REF: String(valid.config.image),
      FLY_MACHINE_VERSION: iid,
      FLY_VM_MEMORY_MB: String(guest.memory_mb),
    };
    const env: Record<string, string> = {
      PATH: pathDirs.join(':'),
      HOME: join(root, 'home'),
      TMPDIR: join(root, 'tmp'),
      LANG: 'C.UTF-8',
      ...(process.env.USER ? { USER: process.env.USER } : {}),
      ...flyEnv,
      // Plain-host mode of the image: its root is this machine's directory.
      CFA_ROOT: root,
      CFA_AGENT_USER: this.settings.agentUser,
    };
    const body = req.body as Record<string, unknown>;
    const machine = new MachineRuntime(
      {
        id,
        app,
        name: valid.name || machineName(),
        region,
        instanceId: iid,
        privateIp: ip,
        config: structuredClone(valid.config),
        requestedConfig: structuredClone(body.config as Record<string, unknown>),
        createRequest: structuredClone(body),
        restartPolicy: valid.restartPolicy,
        restartPolicyDefaulted: valid.restartPolicyDefaulted,
        maxRetries: valid.maxRetries,
        autoDestroy: valid.autoDestroy,
        root,
        env,
        flyEnv,
        plan: this.pendingPlans.shift(),
      },
      this.deps,
    );
    this.machines.set(id, machine);
    const answer = machine.toWire();
    if (!valid.skipLaunch) machine.launch();
    return { status: 200, body: answer };
  }

  private wait(machine: MachineRuntime, req: ApiRequest): Promise<ApiAnswer> | ApiAnswer {
    const states = req.query.getAll('state').flatMap((s) => s.split(',')).filter(Boolean) as MachineState[];
    if (states.length === 0) states.push('started');
    const bad = states.find((s) => !WAITABLE.includes(s));
    if (bad) return error(400, `invalid state: ${bad}`);
    const rawTimeout = req.query.get('timeout');
    let seconds = MAX_WAIT_SECONDS;
    if (rawTimeout !== null && rawTimeout !== '') {
      const m = /^(\d+)(s?)$/.exec(rawTimeout);
      if (!m) return error(400, `invalid timeout: ${rawTimeout}`);
      seconds = Math.min(Math.max(Number(m[1]), 1), MAX_WAIT_SECONDS);
    }
    const wantedInstance = req.query.get('instance_id');
    if (wantedInstance && wantedInstance !== machine.init.instanceId) {
      return error(400, `machine ${machine.id} has no instance ${wantedInstance}`);
    }
    if (states.includes(machine.state)) return { status: 200, body: { ok: true } };
    return new Promise((resolve) => {
      const done = (answer: ApiAnswer) => {
        clearTimeout(timer);
        unsubscribe();
        req.signal.removeEventListener('abort', onAbort);
        resolve(answer);
      };
      const unsubscribe = machine.onChange(() => {
        if (states.includes(machine.state)) done({ status: 200, body: { ok: true } });
      });
      const timer = setTimeout(
        () => done(error(408, `deadline_exceeded: machine ${machine.id} did not reach state ${states.join('|')} within ${seconds}s`)),
        seconds * 1000,
      );
      const onAbort = () => done({ status: 499 });
      req.signal.addEventListener('abort', onAbort);
    });
  }

  private async exec(machine: MachineRuntime, req: ApiRequest): Promise<ApiAnswer> {
    const body = req.body;
    if (typeof body !== 'object' || body === null) return error(400, 'invalid request body');
    const b = body as Record<string, unknown>;
    let argv: string[] | undefined;
    if (b.command !== undefined && b.command !== null) {
      if (!Array.isArray(b.command) || !b.command.every((x) => typeof x === 'string')) return error(400, 'invalid command: must be an array of strings');
      argv = b.command as string[];
    }
    if ((!argv || argv.length === 0) && typeof b.cmd === 'string') argv = splitShellWords(b.cmd);
    if (!argv || argv.length === 0) return error(400, 'command is required');
    if (b.stdin !== undefined && typeof b.stdin !== 'string') return error(400, 'invalid stdin: must be a string');
    let timeoutSeconds = this.settings.defaultExecTimeoutSeconds;
    if (b.timeout !== undefined && b.timeout !== 0) {
      if (typeof b.timeout !== 'number' || !(b.timeout > 0)) return error(400, 'invalid timeout');
      timeoutSeconds = b.timeout;
    }
    if (machine.state !== 'started') return error(412, `failed_precondition: machine ${machine.id} is not started (state: ${machine.state})`);
    const result = await runExec(
      this.deps.procs,
      machine.tag,
      machine.execArgv(argv),
      machine.env,
      machine.init.root,
      b.stdin as string | undefined,
      timeoutSeconds * 1000,
    );
    return { status: 200, body: execAnswer(result) };
  }

  private stop(machine: MachineRuntime, req: ApiRequest): ApiAnswer {
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (b.signal !== undefined && !signalName(b.signal)) return error(400, `invalid signal: ${String(b.signal)}`);
    const ok = machine.stop(b.signal === undefined ? undefined : signalName(b.signal), b.timeout);
    if (!ok) return error(412, `unable to stop machine from current state: '${machine.state}'`);
    return { status: 200, body: { ok: true } };
  }

  private start(machine: MachineRuntime): ApiAnswer {
    const previous = machine.state;
    if (!machine.start()) return error(412, `unable to start machine from current state: '${previous}'`);
    return { status: 200, body: { previous_state: previous, migrated: false, new_host: '' } };
  }

  private signal(machine: MachineRuntime, req: ApiRequest): ApiAnswer {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const sig = signalName(b.signal);
    if (!sig) return error(400, `invalid signal: ${String(b.signal)}`);
    if (machine.state !== 'started' || !machine.pid) return error(412, `failed_precondition: machine ${machine.id} is not started (state: ${machine.state})`);
    machine.signal(sig);
    return { status: 200, body: { ok: true } };
  }

  private async destroy(machine: MachineRuntime, req: ApiRequest): Promise<ApiAnswer> {
    if (machine.state === 'destroyed') return error(404, 'machine not found');
    const force = truthy(req.query.get('force')) || truthy(req.query.get('kill'));
    if (!force && !machine.destroyableWithoutForce()) return error(409, 'unable to destroy machine, not currently stopped');
    await machine.destroy();
    return { status: 200, body: { ok: true } };
  }
}
