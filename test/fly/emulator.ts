// A Fly Machines API emulator on loopback, for tests of the action's Fly
// client, launch, transport and cleanup. It follows Fly's published spec and
// the reference clients (superfly/fly-go flaps, flyctl), never our own client.
//
//   const fly = await startFlyEmulator({ claudeDir });
//   // client: base URL fly.url (+ /v1/...), header `Authorization: FlyV1 ${fly.token}`
//   ...
//   expect(fly.liveMachineCount()).toBe(0);
//   await fly.close();
//
// Machines are real host processes: by default <repo>/image/bin/cfa-entrypoint
// in plain-host mode (CFA_ROOT = the machine's own temp dir, CFA_AGENT_USER =
// '' unless options.agentUser says otherwise, PATH = claudeDir, image/bin, node,
// system dirs). options.launch replaces the process (e.g. a tiny bash script,
// or podmanLaunch() in emulator/podman-launch.ts: each machine a podman container
// of the built image, with exec as `podman exec`).
// exec runs argv for real in the machine's environment with cwd = CFA_ROOT.
// Every process runs in its own process group, tagged through its
// environment; the machine's end (exit, destroy) kills all of its processes,
// and close() kills everything the emulator started.
//
// Behaviour worth knowing (and where it came from):
// - auth: `Bearer <token>` or `FlyV1 <token>`; 401 otherwise (strictScheme:
//   macaroon tokens must use FlyV1, as the reference client sends them).
// - every answer carries `fly-request-id`; errors are {"error": "..."}.
// - create: 200 Machine, state 'created'; created -> starting -> started after
//   short delays. No restart policy sent = on-failure (Fly's default): a
//   failing process is restarted up to max_retries (default 10) times.
// - exit: exit event (request.exit_event, or the other shapes), then stopped,
//   and with auto_destroy: destroyed (GET still answers, state destroyed;
//   list hides it unless include_deleted).
// - destroy without force/kill of a running machine: 409 "unable to destroy
//   machine, not currently stopped" (Fly's docs); destroyed: 404.
// - wait: 200 {ok:true} or 408 after timeout (max 60 s).
// - exec: 200 {exit_code?, exit_signal?, stdout?, stderr?} (Go omitempty) even
//   when the command failed; 412 when the machine is not started; killed with
//   SIGKILL at its timeout (answer: exit_code 137, exit_signal 9).
// - rate limits: token buckets per (action, machine), 1/s burst 3, get 5/s
//   burst 10; 429 {"error":"rate limit exceeded"}.
// - latency: none unless options.latency models it (held after processing,
//   before the answer is written).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type {
  EmulatedApp,
  EmulatedMachine,
  EmulatorOptions,
  FaultPlanApi,
  FlyEmulator,
  LaunchContext,
  LaunchSpec,
  MachineState,
  RecordedRequest,
} from './emulator/types.ts';
import { FlyApi } from './emulator/api.ts';
import { FaultRules } from './emulator/faults.ts';
import { ProcessRegistry } from './emulator/procs.ts';
import { RateLimiter } from './emulator/rate-limit.ts';
import { startServer } from './emulator/server.ts';

export type * from './emulator/types.ts';
export { FLY_DEFAULT_RATE, FLY_GET_RATE } from './emulator/rate-limit.ts';

/** Same as EmulatorOptions (kept as a name for callers). */
export type StartOptions = EmulatorOptions;

/** The repository root: test/fly/emulator.ts -> ../.. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Path of the image's entrypoint the default launch runs. */
export function entrypointPath(repoRoot = REPO_ROOT): string {
  return join(repoRoot, 'image', 'bin', 'cfa-entrypoint');
}

function defaultLaunch(ctx: LaunchContext): LaunchSpec {
  return { command: entrypointPath(ctx.repoRoot), args: [], env: ctx.env };
}

export async function startFlyEmulator(options: StartOptions = {}): Promise<FlyEmulator> {
  const token = options.token ?? `fm2_${randomBytes(24).toString('base64url')}`;
  const ownWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'fly-emulator-'));
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const region = options.defaultRegion ?? 'ord';
  const procs = new ProcessRegistry(randomBytes(6).toString('hex'));
  const faults = new FaultRules();
  const requests: RecordedRequest[] = [];
  const rateOptions = options.rateLimits === false ? undefined : (options.rateLimits ?? {});

  const api = new FlyApi(
    {
      org: options.org ?? 'personal',
      defaultRegion: region,
      workDir,
      claudeDir: options.claudeDir,
      agentUser: options.agentUser ?? '',
      repoRoot,
      defaultExecTimeoutSeconds: options.defaultExecTimeoutSeconds ?? 30,
      foreignApps: new Set(options.foreignApps ?? []),
      imageEnv: options.imageEnv ?? {},
    },
    {
      procs,
      repoRoot,
      launch: options.launch ?? defaultLaunch,
      exitStyle: options.exitEvents ?? {},
      createToStartMs: options.createToStartMs ?? 20,
      bootMs: options.bootMs ?? 30,
      restartDelayMs: options.restartDelayMs ?? 50,
      autoDestroyDelayMs: options.autoDestroyDelayMs ?? 20,
      defaultMaxRetries: options.defaultMaxRetries ?? 10,
    },
  );
  const appNames = options.apps ?? ['cfa-test-app'];
  for (const name of appNames) api.addApp(name);

  let server: Server;
  let url: string;
  try {
    ({ server, url } = await startServer({
      api,
      token,
      strictScheme: options.strictScheme ?? false,
      faults,
      limiter: rateOptions ? new RateLimiter(rateOptions) : undefined,
      rateLimitHeaders: rateOptions?.headers ?? {},
      region,
      requests,
      latency: options.latency,
    }));
  } catch (err) {
    await procs.killAll(workDir);
    throw err;
  }

  const getMachine = (id: string) => {
    const m = api.machines.get(id);
    if (!m) throw new Error(`fly emulator: no machine ${id}`);
    return m;
  };

  const faultApi: FaultPlanApi = {
    add: (spec) => faults.add(spec),
    clear: () => {
      faults.clear();
      api.clearPlans();
    },
    rules: () => faults.rules(),
    nextMachines: (plan) => api.planNextMachines(plan),
    kill: (machineId, opts = {}) => {
      const m = getMachine(machineId);
      const doKill = () => m.kill(opts.signal ?? 'SIGKILL', opts.oom ?? false);
      if (opts.afterMs === undefined) doKill();
      else setTimeout(doKill, opts.afterMs).unref();
    },
  };

  let closed: Promise<void> | undefined;
  const close = async () => {
    for (const m of api.machines.values()) m.shutdown();
    await procs.killAll(workDir);
    await Promise.allSettled([...api.machines.values()].map((m) => m.release()));
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    if (ownWorkDir) rmSync(workDir, { recursive: true, force: true });
  };

  return {
    url,
    token,
    appName: appNames[0] ?? '',
    apps: (): EmulatedApp[] => [...api.apps.values()].map((a) => ({ ...a })),
    addApp: (name, org) => ({ ...api.addApp(name, org) }),
    machines: (): EmulatedMachine[] => [...api.machines.values()].map((m) => m.snapshot()),
    machine: (id) => getMachine(id).snapshot(),
    backdate: (id, ms) => getMachine(id).backdate(ms),
    liveMachineCount: () => [...api.machines.values()].filter((m) => m.state !== 'destroyed').length,
    liveProcessCount: () => procs.liveCount(),
    waitForState: (id, state: MachineState, timeoutMs = 10_000) =>
      new Promise<void>((resolvePromise, reject) => {
        const m = getMachine(id);
        if (m.state === state) return resolvePromise();
        const timer = setTimeout(() => {
          off();
          reject(new Error(`fly emulator: machine ${id} is ${m.state}, not ${state}, after ${timeoutMs} ms`));
        }, timeoutMs);
        const off = m.onChange(() => {
          if (m.state !== state) return;
          clearTimeout(timer);
          off();
          resolvePromise();
        });
      }),
    requests,
    faults: faultApi,
    close: () => (closed ??= close()),
  };
}
