// The emulator against Fly's spec, with plain fetch: auth, apps, create,
// get/list, wait, exec, stop/signal, destroy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFlyEmulator, type FlyEmulator } from './emulator.ts';
import { callApi, isAlive, launchScript, writeMachineScript } from './emulator/testing.ts';

const WORK = '/tmp/fly-emulator/api';
let fly: FlyEmulator;
let app: string;
let script: string;

beforeAll(async () => {
  script = writeMachineScript(WORK);
  fly = await startFlyEmulator({ launch: launchScript(script), rateLimits: false, foreignApps: ['someone-elses'] });
  app = fly.appName;
});

afterAll(async () => {
  await fly?.close();
});

async function createMachine(body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const res = await callApi(fly, 'POST', `/v1/apps/${app}/machines`, { config: { image: 'registry.fly.io/cfa:1', restart: { policy: 'no' } }, ...body });
  expect(res.status).toBe(200);
  return res.json as Record<string, unknown>;
}

async function startedMachine(env: Record<string, string> = {}, extra: Record<string, unknown> = {}): Promise<string> {
  const m = await createMachine({ config: { image: 'img', env, restart: { policy: 'no' }, ...extra } });
  const id = m.id as string;
  const wait = await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}/wait?state=started&timeout=10`);
  expect(wait.status).toBe(200);
  return id;
}

describe('auth and headers', () => {
  it('answers 401 with an error body and a request id without a valid token', async () => {
    for (const auth of [null, 'Bearer wrong', `Basic ${fly.token}`, fly.token]) {
      const res = await callApi(fly, 'GET', `/v1/apps/${app}`, undefined, auth);
      expect(res.status).toBe(401);
      expect(typeof (res.json as { error: unknown }).error).toBe('string');
      expect(res.headers.get('fly-request-id')).toMatch(/\S+/);
    }
  });

  it('accepts the token as Bearer and as FlyV1, and never records it', async () => {
    const bearer = await callApi(fly, 'GET', `/v1/apps/${app}`, undefined, `Bearer ${fly.token}`);
    const flyv1 = await callApi(fly, 'GET', `/v1/apps/${app}`, undefined, `FlyV1 ${fly.token}`);
    expect(bearer.status).toBe(200);
    expect(flyv1.status).toBe(200);
    expect(bearer.headers.get('fly-request-id')).not.toBe(flyv1.headers.get('fly-request-id'));
    const recorded = fly.requests.filter((r) => r.path === `/v1/apps/${app}`);
    expect(recorded.map((r) => r.headers.authorization)).toContain('Bearer [redacted]');
    expect(recorded.map((r) => r.headers.authorization)).toContain('FlyV1 [redacted]');
    expect(JSON.stringify(fly.requests)).not.toContain(fly.token);
  });

  it('with strictScheme, a macaroon token sent as Bearer is refused', async () => {
    const strict = await startFlyEmulator({ strictScheme: true, rateLimits: false });
    try {
      expect((await callApi(strict, 'GET', `/v1/apps/${strict.appName}`, undefined, `Bearer ${strict.token}`)).status).toBe(401);
      expect((await callApi(strict, 'GET', `/v1/apps/${strict.appName}`, undefined, `FlyV1 ${strict.token}`)).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('apps', () => {
  it('GET /apps/{app}: 200 with the App shape, 404 unknown, 403 foreign', async () => {
    const ok = await callApi(fly, 'GET', `/v1/apps/${app}`);
    expect(ok.json).toMatchObject({ name: app, organization: { slug: 'personal' } });
    expect(typeof (ok.json as { id: unknown }).id).toBe('string');
    const missing = await callApi(fly, 'GET', '/v1/apps/no-such-app');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: expect.any(String) });
    expect((await callApi(fly, 'GET', '/v1/apps/someone-elses')).status).toBe(403);
  });

  it('POST /apps: 201, then 422 name_taken; machines of an unknown app: 404', async () => {
    const created = await callApi(fly, 'POST', '/v1/apps', { app_name: 'fresh-app', org_slug: 'personal' });
    expect(created.status).toBe(201);
    expect((await callApi(fly, 'GET', '/v1/apps/fresh-app')).status).toBe(200);
    const again = await callApi(fly, 'POST', '/v1/apps', { app_name: 'fresh-app', org_slug: 'personal' });
    expect(again.status).toBe(422);
    expect((await callApi(fly, 'GET', '/v1/apps/nope-app/machines')).status).toBe(404);
  });
});

describe('create', () => {
  it('answers a Machine in state created with the documented fields', async () => {
    const before = Date.now();
    const m = await createMachine({ region: 'ams', config: { image: 'ubuntu:22.04', metadata: { a: '1' }, auto_destroy: true, restart: { policy: 'no' } } });
    expect(m.id).toMatch(/^[0-9a-f]{14}$/);
    expect(m.state).toBe('created');
    expect(m.region).toBe('ams');
    expect(m.instance_id).toMatch(/^[0-9A-Z]{26}$/);
    expect(m.private_ip).toMatch(/^fdaa:/);
    expect(m.name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect(m.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(m.image_ref).toMatchObject({ registry: 'registry-1.docker.io', repository: 'library/ubuntu', tag: '22.04' });
    expect(m.config).toMatchObject({ image: 'ubuntu:22.04', metadata: { a: '1' }, auto_destroy: true, guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 256 } });
    const events = m.events as { type: string; status: string; timestamp: number }[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'launch', status: 'created', source: 'user' });
    // Timestamps are epoch milliseconds.
    expect(events[0]!.timestamp).toBeGreaterThanOrEqual(before);
    expect(events[0]!.timestamp).toBeLessThan(before + 60_000);
  });

  it('rejects a config without image and invalid guests with 400 {error}', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /config/],
      [{ config: {} }, /image/],
      [{ config: { image: '' } }, /image/],
      [{ config: { image: 'x', guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 300 } } }, /256 MiB increment/],
      [{ config: { image: 'x', guest: { cpu_kind: 'performance', cpus: 2, memory_mb: 2048 } } }, /minimum required 4096 MiB/],
      [{ config: { image: 'x', guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 4096 } } }, /maximum allowed 2048 MiB/],
      [{ config: { image: 'x', guest: { cpu_kind: 'shared', cpus: 3 } } }, /cpus/],
      [{ config: { image: 'x', guest: { cpu_kind: 'gpu' } } }, /cpu_kind/],
      [{ config: { image: 'x', restart: { policy: 'sometimes' } } }, /restart/],
      [{ config: { image: 'x', env: { N: 1 } } }, /env/],
    ];
    for (const [body, message] of cases) {
      const res = await callApi(fly, 'POST', `/v1/apps/${app}/machines`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.json as { error: string }).error).toMatch(message);
    }
  });

  it('fills guest presets and keeps what the client sent, including a missing restart policy', async () => {
    const res = await callApi(fly, 'POST', `/v1/apps/${app}/machines`, {
      skip_launch: true,
      config: { image: 'x', guest: { cpu_kind: 'performance', cpus: 2 } },
    });
    expect(res.status).toBe(200);
    const id = (res.json as { id: string }).id;
    const m = fly.machine(id);
    expect(m.config.guest).toEqual({ cpu_kind: 'performance', cpus: 2, memory_mb: 4096 });
    expect(m.requestedConfig).toEqual({ image: 'x', guest: { cpu_kind: 'performance', cpus: 2 } });
    expect(m.restartPolicy).toBe('on-failure');
    expect(m.restartPolicyDefaulted).toBe(true);
    expect(m.createRequest).toMatchObject({ skip_launch: true });
  });
});

describe('state progression and wait', () => {
  it('moves created -> started; wait answers 200 {ok:true}; events newest first', async () => {
    const m = await createMachine();
    const id = m.id as string;
    const wait = await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}/wait?state=started&timeout=10&instance_id=${String(m.instance_id)}`);
    expect(wait.status).toBe(200);
    expect(wait.json).toEqual({ ok: true });
    const got = await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}`);
    const machine = got.json as { state: string; events: { type: string; timestamp: number }[] };
    expect(machine.state).toBe('started');
    expect(machine.events.map((e) => e.type)).toEqual(['start', 'launch']);
    expect(machine.events[0]!.timestamp).toBeGreaterThanOrEqual(machine.events[1]!.timestamp);
  });

  it('answers 408 when the state is not reached within the timeout, 400 on bad parameters', async () => {
    const m = await createMachine({ skip_launch: true });
    const id = m.id as string;
    const res = await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}/wait?state=started&timeout=1`);
    expect(res.status).toBe(408);
    expect(typeof (res.json as { error: unknown }).error).toBe('string');
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}/wait?state=sleeping`)).status).toBe(400);
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}/wait?timeout=soon`)).status).toBe(400);
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}/wait?instance_id=01NOTTHISONE`)).status).toBe(400);
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/00000000000000/wait`)).status).toBe(404);
    // Already in the state: at once.
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}/wait?state=created&timeout=1`)).status).toBe(200);
  });

  it('skip_launch leaves a machine created until POST /start; a second start is refused (412)', async () => {
    const m = await createMachine({ skip_launch: true });
    const id = m.id as string;
    const start = await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/start`);
    expect(start.status).toBe(200);
    expect(start.json).toMatchObject({ previous_state: 'created' });
    // Several states may be waited for at once (as fly-go sends them).
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}/wait?state=started&state=failed&timeout=10`)).status).toBe(200);
    expect((await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/start`)).status).toBe(412);
  });

  it('GET of an unknown machine: 404 {error}', async () => {
    const res = await callApi(fly, 'GET', `/v1/apps/${app}/machines/ffffffffffffff`);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 'machine not found' });
  });
});

describe('list', () => {
  it('filters by metadata (every pair must match), region, state and include_deleted', async () => {
    const other = await startFlyEmulator({ rateLimits: false, launch: launchScript(script) });
    try {
      const mk = async (region: string, metadata: Record<string, string>, skip = true) => {
        const res = await callApi(other, 'POST', `/v1/apps/${other.appName}/machines`, { region, skip_launch: skip, config: { image: 'x', metadata, restart: { policy: 'no' } } });
        return (res.json as { id: string }).id;
      };
      const a = await mk('ord', { nonce: 'n1', run: '7' });
      const b = await mk('ams', { nonce: 'n2', run: '7' });
      const c = await mk('ord', { nonce: 'n1', run: '8' });
      const ids = async (query: string) => {
        const res = await callApi(other, 'GET', `/v1/apps/${other.appName}/machines${query}`);
        expect(res.status).toBe(200);
        return (res.json as { id: string }[]).map((m) => m.id).sort();
      };
      expect(await ids('')).toEqual([a, b, c].sort());
      expect(await ids('?metadata.run=7')).toEqual([a, b].sort());
      expect(await ids('?metadata.nonce=n1&metadata.run=7')).toEqual([a]);
      expect(await ids('?metadata.nonce=n1&metadata.run=9')).toEqual([]);
      expect(await ids('?metadata.missing=x')).toEqual([]);
      expect(await ids('?region=ams')).toEqual([b]);
      expect(await ids('?state=created')).toEqual([a, b, c].sort());
      expect(await ids('?state=started')).toEqual([]);
      expect((await callApi(other, 'DELETE', `/v1/apps/${other.appName}/machines/${a}`)).status).toBe(200);
      expect(await ids('?metadata.nonce=n1')).toEqual([c]);
      expect(await ids('?metadata.nonce=n1&include_deleted=true')).toEqual([a, c].sort());
    } finally {
      await other.close();
    }
  });
});

describe('exec', () => {
  it('runs argv in the machine: stdout, exit code 0 omitted, env and cwd = CFA_ROOT', async () => {
    const id = await startedMachine({ GREETING: 'hi there' });
    const res = await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/exec`, {
      command: ['bash', '-c', 'printf "%s|%s|%s" "$GREETING" "$PWD" "$CFA_ROOT"'],
      timeout: 10,
    });
    expect(res.status).toBe(200);
    const root = fly.machine(id).root;
    expect(res.json).toEqual({ stdout: `hi there|${root}|${root}` });
  });

  it('answers 200 with exit_code and stderr when the command fails; empty stdout omitted', async () => {
    const id = await startedMachine();
    const res = await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/exec`, { command: ['bash', '-c', 'echo oops >&2; exit 3'], timeout: 10 });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ exit_code: 3, stderr: 'oops\n' });
    const missing = await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/exec`, { command: ['no-such-command-xyz'], timeout: 10 });
    expect(missing.status).toBe(200);
    expect((missing.json as { exit_code: number }).exit_code).toBe(127);
  });

  it('delivers stdin, accepts the deprecated cmd string, and kills at the timeout', async () => {
    const id = await startedMachine();
    const processesBefore = fly.liveProcessCount();
    const withStdin = await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/exec`, { command: ['cat'], stdin: '{"secret":"s3"}\nline 2', timeout: 10 });
    expect(withStdin.json).toEqual({ stdout: '{"secret":"s3"}\nline 2' });
    const cmd = await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/exec`, { cmd: `printf '%s;' "a b" c\\ d e`, timeout: 10 });
    expect(cmd.json).toEqual({ stdout: 'a b;c d;e;' });
    const slow = await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/exec`, { command: ['bash', '-c', 'echo begun; sleep 30'], timeout: 1 });
    expect(slow.status).toBe(200);
    expect(slow.json).toEqual({ exit_code: 137, exit_signal: 9, stdout: 'begun\n' });
    expect(fly.liveProcessCount()).toBe(processesBefore); // the exec's process is gone
  });

  it('refuses exec on a machine that is not started (412) and a request without command (400)', async () => {
    const m = await createMachine({ skip_launch: true });
    const res = await callApi(fly, 'POST', `/v1/apps/${app}/machines/${String(m.id)}/exec`, { command: ['true'], timeout: 5 });
    expect(res.status).toBe(412);
    expect(typeof (res.json as { error: unknown }).error).toBe('string');
    const id = await startedMachine();
    expect((await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/exec`, { timeout: 5 })).status).toBe(400);
    expect((await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/exec`, { command: 'ls', timeout: 5 })).status).toBe(400);
  });
});

describe('stop, signal, destroy', () => {
  it('stop: signals the process, exit event with requested_stop, state stopped', async () => {
    const id = await startedMachine();
    const res = await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/stop`, { signal: 'SIGTERM', timeout: '5s' });
    expect(res.status).toBe(200);
    const wait = await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}/wait?state=stopped&timeout=10`);
    expect(wait.status).toBe(200);
    const m = fly.machine(id);
    expect(m.output).toContain('stopping');
    const exit = m.events[0]!;
    expect(exit.type).toBe('exit');
    expect((exit.request as { exit_event: Record<string, unknown> }).exit_event).toMatchObject({ requested_stop: true });
    expect((exit.request as { exit_event: Record<string, unknown> }).exit_event.exit_code).toBeUndefined();
    // A stopped machine can be destroyed without force.
    expect((await callApi(fly, 'DELETE', `/v1/apps/${app}/machines/${id}`)).status).toBe(200);
  });

  it('signal: delivers a signal given by name or by number (as the Go client sends it)', async () => {
    const id = await startedMachine();
    expect((await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/signal`, { signal: 'SIGBOGUS' })).status).toBe(400);
    expect((await callApi(fly, 'POST', `/v1/apps/${app}/machines/${id}/signal`, { signal: 9 })).status).toBe(200);
    await fly.waitForState(id, 'stopped');
    expect(fly.machine(id).exits[0]).toMatchObject({ exitCode: 137, signal: 9, requestedStop: false });
  });

  it('destroy: 409 without force while running; force kills the process; then 404; GET keeps the machine', async () => {
    const id = await startedMachine();
    const pid = fly.machine(id).pid!;
    expect(isAlive(pid)).toBe(true);
    const refused = await callApi(fly, 'DELETE', `/v1/apps/${app}/machines/${id}`);
    expect(refused.status).toBe(409);
    expect((refused.json as { error: string }).error).toMatch(/not currently stopped/);
    const done = await callApi(fly, 'DELETE', `/v1/apps/${app}/machines/${id}?force=true`);
    expect(done.status).toBe(200);
    expect(done.json).toEqual({ ok: true });
    expect(isAlive(pid)).toBe(false);
    expect((await callApi(fly, 'DELETE', `/v1/apps/${app}/machines/${id}?force=true`)).status).toBe(404);
    const got = await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}`);
    expect(got.status).toBe(200);
    const machine = got.json as { state: string; events: { type: string }[] };
    expect(machine.state).toBe('destroyed');
    expect(machine.events.map((e) => e.type)).toEqual(['destroy', 'exit', 'start', 'launch']);
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}/wait?state=destroyed&timeout=1`)).status).toBe(200);
  });

  it('destroy with kill=true (the Go client) works too', async () => {
    const id = await startedMachine();
    expect((await callApi(fly, 'DELETE', `/v1/apps/${app}/machines/${id}?kill=true`)).status).toBe(200);
    expect(fly.machine(id).state).toBe('destroyed');
  });

  it('records requests with method, path, query, body', async () => {
    const id = await startedMachine({ MARK: 'recorded' });
    await callApi(fly, 'DELETE', `/v1/apps/${app}/machines/${id}?force=true`);
    const create = fly.requests.find((r) => r.method === 'POST' && (r.body as { config?: { env?: { MARK?: string } } })?.config?.env?.MARK === 'recorded');
    expect(create).toMatchObject({ action: 'machine_create', status: 200, path: `/v1/apps/${app}/machines` });
    const del = fly.requests.filter((r) => r.method === 'DELETE' && r.machineId === id).at(-1);
    expect(del).toMatchObject({ action: 'machine_destroy', query: { force: ['true'] }, status: 200 });
    expect(existsSync(join(fly.machine(id).root, 'starts'))).toBe(true);
    expect(readFileSync(join(fly.machine(id).root, 'starts'), 'utf8')).toBe('start\n');
  });
});

describe('the image ENV', () => {
  it("starts the machine's environment, and the config's env overrides it (as Fly does)", async () => {
    const fly = await startFlyEmulator({
      rateLimits: false,
      imageEnv: { FROM_IMAGE: 'image', BOTH: 'image' },
      launch: (ctx) => ({ command: 'sleep', args: ['30'], env: ctx.env }),
    });
    try {
      const created = await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, { config: { image: 'x:1', env: { BOTH: 'config' } } });
      const id = (created.json as { id: string }).id;
      expect((await callApi(fly, 'GET', `/v1/apps/${fly.appName}/machines/${id}/wait?state=started&timeout=10`)).status).toBe(200);
      const exec = await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines/${id}/exec`, { command: ['printenv', 'FROM_IMAGE', 'BOTH'] });
      expect((exec.json as { stdout: string }).stdout).toBe('image\nconfig\n');
    } finally {
      await fly.close();
    }
  });
});
