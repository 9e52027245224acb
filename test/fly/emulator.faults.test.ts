// HTTP faults (statuses, resets, delays, lost responses) and Fly-like rate limits.
import { afterEach, describe, expect, it } from 'vitest';
import { startFlyEmulator, type FlyEmulator, type StartOptions } from './emulator.ts';
import { callApi, launchScript, writeMachineScript } from './emulator/testing.ts';

const script = writeMachineScript('/tmp/fly-emulator/faults');
const open: FlyEmulator[] = [];

async function emulator(options: StartOptions = {}): Promise<FlyEmulator> {
  const fly = await startFlyEmulator({ launch: launchScript(script), rateLimits: false, ...options });
  open.push(fly);
  return fly;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

const createBody = (metadata: Record<string, string> = {}, region?: string) => ({
  ...(region ? { region } : {}),
  skip_launch: true,
  config: { image: 'img', metadata, restart: { policy: 'no' } },
});

describe('status faults', () => {
  it('answers 429, 500, 502, 503 and 408 with {error} and a request id, without processing', async () => {
    const fly = await emulator();
    for (const status of [429, 500, 502, 503, 408]) {
      fly.faults.add({ method: 'POST', path: '/v1/apps/*/machines', fault: { kind: 'status', status } });
      const res = await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, createBody());
      expect(res.status).toBe(status);
      expect(typeof (res.json as { error: unknown }).error).toBe('string');
      expect(res.headers.get('fly-request-id')).toMatch(/\S/);
      expect(fly.requests.at(-1)).toMatchObject({ status, fault: `status ${status}` });
    }
    expect(fly.machines()).toHaveLength(0);
    // Each rule faulted one request: the next create goes through.
    expect((await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, createBody())).status).toBe(200);
  });

  it('insufficient capacity in one region (matched by body), success in another', async () => {
    const fly = await emulator();
    fly.faults.add({
      method: 'POST',
      path: '/v1/apps/*/machines',
      body: (b) => (b as { region?: string }).region === 'ord',
      always: true,
      fault: { kind: 'status', status: 412, error: 'insufficient resources to create new machine', errorStatus: 'insufficient_capacity' },
    });
    for (let i = 0; i < 2; i++) {
      const res = await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, createBody({}, 'ord'));
      expect(res.status).toBe(412);
      expect(res.json).toEqual({ error: 'insufficient resources to create new machine', status: 'insufficient_capacity' });
    }
    expect((await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, createBody({}, 'ams'))).status).toBe(200);
  });

  it('nth and count pick which matching requests are faulted; remove() stops a rule', async () => {
    const fly = await emulator();
    const create = await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, createBody());
    const id = (create.json as { id: string }).id;
    const rule = fly.faults.add({ method: 'GET', path: '/v1/apps/*/machines/*', nth: 2, count: 2, fault: { kind: 'status', status: 503 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await callApi(fly, 'GET', `/v1/apps/${fly.appName}/machines/${id}`)).status);
    expect(statuses).toEqual([200, 503, 503, 200, 200]);
    expect(rule.seen).toBe(5);
    expect(rule.applied).toBe(2);
    const always = fly.faults.add({ path: '/v1/apps/**', always: true, fault: { kind: 'status', status: 502 } });
    expect((await callApi(fly, 'GET', `/v1/apps/${fly.appName}/machines/${id}`)).status).toBe(502);
    expect((await callApi(fly, 'GET', `/v1/apps/${fly.appName}`)).status).toBe(502);
    always.remove();
    expect((await callApi(fly, 'GET', `/v1/apps/${fly.appName}`)).status).toBe(200);
    expect(fly.faults.rules()).toEqual([rule]);
  });
});

describe('connection faults', () => {
  it('reset: the connection is destroyed without an answer and nothing is created', async () => {
    const fly = await emulator();
    fly.faults.add({ method: 'POST', path: '/v1/apps/*/machines', fault: { kind: 'reset' } });
    await expect(callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, createBody())).rejects.toThrow();
    expect(fly.machines()).toHaveLength(0);
    expect(fly.requests.at(-1)).toMatchObject({ status: 'reset', fault: 'reset' });
  });

  it('lost create response: the machine exists though the request failed; a metadata list finds it', async () => {
    const fly = await emulator();
    fly.faults.add({ method: 'POST', path: '/v1/apps/*/machines', fault: { kind: 'lose-response' } });
    await expect(callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, createBody({ cfa_nonce: 'abc123' }))).rejects.toThrow();
    expect(fly.machines()).toHaveLength(1);
    const found = await callApi(fly, 'GET', `/v1/apps/${fly.appName}/machines?metadata.cfa_nonce=abc123`);
    expect((found.json as { id: string }[]).map((m) => m.id)).toEqual([fly.machines()[0]!.id]);
    expect(fly.requests.find((r) => r.action === 'machine_create')).toMatchObject({ status: 'reset', fault: 'lose-response' });
  });

  it('delay before processing holds the request; delay after processing answers late with the work done', async () => {
    const fly = await emulator();
    fly.faults.add({ method: 'POST', path: '/v1/apps/*/machines', fault: { kind: 'delay', ms: 400, phase: 'before' } });
    const before = callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, createBody({ n: '1' }));
    await new Promise((r) => setTimeout(r, 100));
    expect(fly.machines()).toHaveLength(0);
    expect((await before).status).toBe(200);
    expect(fly.machines()).toHaveLength(1);

    fly.faults.add({ method: 'POST', path: '/v1/apps/*/machines', fault: { kind: 'delay', ms: 800, phase: 'after' } });
    let answered = false;
    const after = callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, createBody({ n: '2' })).then((r) => {
      answered = true;
      return r;
    });
    const end = Date.now() + 600;
    while (fly.machines().length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(fly.machines()).toHaveLength(2);
    expect(answered).toBe(false);
    expect((await after).status).toBe(200);
  });
});

describe('rate limits', () => {
  it('are on by default: the 4th quick create in an app is refused with 429', async () => {
    const fly = await startFlyEmulator({ launch: launchScript(script) });
    open.push(fly);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, createBody())).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses[3]).toBe(429);
  });

  it('token buckets per action and machine: burst, refill, Get Machine 5/s burst 10', async () => {
    let now = 1_000_000;
    const fly = await emulator({ rateLimits: { clock: () => now } });
    const app = fly.appName;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push(((await callApi(fly, 'POST', `/v1/apps/${app}/machines`, createBody())).json as { id: string }).id);
    const [a, b] = ids as [string, string];

    const gets: number[] = [];
    for (let i = 0; i < 11; i++) gets.push((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${a}`)).status);
    expect(gets.filter((s) => s === 200)).toHaveLength(10);
    const limited = await callApi(fly, 'GET', `/v1/apps/${app}/machines/${a}`);
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ error: 'rate limit exceeded' });
    // Another machine has its own bucket; another action too.
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${b}`)).status).toBe(200);
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${a}/wait?state=created&timeout=1`)).status).toBe(200);
    // 200 ms refill one Get token (5/s).
    now += 200;
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${a}`)).status).toBe(200);
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${a}`)).status).toBe(429);

    // Other actions: 1/s, burst 3.
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) waits.push((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${b}/wait?state=created&timeout=1`)).status);
    expect(waits).toEqual([200, 200, 200, 429]);
    now += 1000;
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${b}/wait?state=created&timeout=1`)).status).toBe(200);
  });

  it('can be tuned per action or disabled', async () => {
    const fly = await emulator({ rateLimits: { perAction: { machine_list: false, machine_get: { perSecond: 0.001, burst: 1 } } } });
    const app = fly.appName;
    for (let i = 0; i < 20; i++) expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines`)).status).toBe(200);
    const id = ((await callApi(fly, 'POST', `/v1/apps/${app}/machines`, createBody())).json as { id: string }).id;
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}`)).status).toBe(200);
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}`)).status).toBe(429);
    const off = await emulator({ rateLimits: false });
    for (let i = 0; i < 15; i++) expect((await callApi(off, 'GET', `/v1/apps/${off.appName}`)).status).toBe(200);
  });
});
