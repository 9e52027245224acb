// The emulator's latency model (EmulatorOptions.latency): each answer is held
// for the model's delay after the request was processed (an exec's after its
// command ended), per request, and without a model nothing changes.
// Assertions are lower bounds and orderings the model causes, never speed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlyEmulator, type ApiAction, type FlyEmulator } from './emulator.ts';
import { callApi, launchScript, writeMachineScript, type ApiResponse } from './emulator/testing.ts';

const WORK = '/tmp/fly-emulator/latency';
const EXEC_MS = 400;
const OTHER_MS = 100;
const LIST_MS = 3000;

interface Call {
  action: ApiAction;
  method: string;
  path: string;
}

let script: string;
let modelled: FlyEmulator;
let plain: FlyEmulator;
let zero: FlyEmulator;
const calls: Call[] = [];

beforeAll(async () => {
  script = writeMachineScript(WORK);
  const common = { launch: launchScript(script), rateLimits: false as const };
  modelled = await startFlyEmulator({
    ...common,
    latency: (action, method, path) => {
      calls.push({ action, method, path });
      return action === 'machine_exec' ? EXEC_MS : action === 'machine_list' ? LIST_MS : OTHER_MS;
    },
  });
  plain = await startFlyEmulator(common);
  zero = await startFlyEmulator({ ...common, latency: () => 0 });
});

afterAll(async () => {
  await Promise.all([modelled?.close(), plain?.close(), zero?.close()]);
});

async function startedMachine(fly: FlyEmulator): Promise<string> {
  const created = await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, { config: { image: 'img', restart: { policy: 'no' } } });
  expect(created.status).toBe(200);
  const id = (created.json as { id: string }).id;
  const wait = await callApi(fly, 'GET', `/v1/apps/${fly.appName}/machines/${id}/wait?state=started&timeout=10`);
  expect(wait.status).toBe(200);
  return id;
}

/** The exec's command prints its own end time (epoch µs), as late as it can. */
const PRINT_END = ['bash', '-c', 'printf %s "${EPOCHREALTIME/[.,]/}"'];

describe('with a latency model', () => {
  it('holds an exec answer for its delay after the command ended, and asks the model with the action, method and path', async () => {
    const id = await startedMachine(modelled);
    calls.length = 0;
    const res = await callApi(modelled, 'POST', `/v1/apps/${modelled.appName}/machines/${id}/exec`, { command: PRINT_END });
    const answeredAt = Date.now();
    expect(res.status).toBe(200);
    const endedAt = Number((res.json as { stdout: string }).stdout) / 1000;
    expect(endedAt).toBeGreaterThan(0);
    // Date.now() is whole milliseconds: allow one for the rounding.
    expect(answeredAt - endedAt).toBeGreaterThanOrEqual(EXEC_MS - 1);
    expect(calls).toEqual([{ action: 'machine_exec', method: 'POST', path: `/v1/apps/${modelled.appName}/machines/${id}/exec` }]);
  });

  it('delays every other answer by its own delay, errors included', async () => {
    for (const path of [`/v1/apps/${modelled.appName}`, '/v1/apps/no-such-app/machines/x', '/nowhere']) {
      const sent = Date.now();
      const res = await callApi(modelled, 'GET', path);
      expect(Date.now() - sent).toBeGreaterThanOrEqual(OTHER_MS - 1);
      expect(res.headers.get('fly-request-id')).toMatch(/\S+/);
    }
    const unauthorized = Date.now();
    expect((await callApi(modelled, 'GET', `/v1/apps/${modelled.appName}`, undefined, null)).status).toBe(401);
    expect(Date.now() - unauthorized).toBeGreaterThanOrEqual(OTHER_MS - 1);
  });

  it('holds each request on its own: a long-held answer does not hold up a later request', async () => {
    const order: string[] = [];
    const list = callApi(modelled, 'GET', `/v1/apps/${modelled.appName}/machines`).then((r) => {
      order.push('list');
      return r;
    });
    const app = await callApi(modelled, 'GET', `/v1/apps/${modelled.appName}`);
    order.push('app');
    expect(app.status).toBe(200);
    // Recorded at arrival; the status only once answered.
    expect(modelled.requests.filter((r) => r.action === 'machine_list').at(-1)?.status).toBe('pending');
    expect((await list).status).toBe(200);
    expect(order).toEqual(['app', 'list']);
    expect(modelled.requests.filter((r) => r.action === 'machine_list').at(-1)?.status).toBe(200);
  });
});

describe('without a latency model', () => {
  /** The same conversation with an emulator: statuses and bodies, ids left out. */
  async function conversation(fly: FlyEmulator): Promise<unknown[]> {
    const id = await startedMachine(fly);
    const responses: ApiResponse[] = [
      await callApi(fly, 'GET', `/v1/apps/${fly.appName}`),
      await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines/${id}/exec`, { command: ['echo', 'hi'] }),
      await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines/${id}/exec`, { command: ['bash', '-c', 'exit 3'] }),
      await callApi(fly, 'GET', `/v1/apps/${fly.appName}/machines/nope`),
      await callApi(fly, 'GET', `/v1/apps/${fly.appName}`, undefined, null),
      await callApi(fly, 'DELETE', `/v1/apps/${fly.appName}/machines/${id}?force=true`),
    ];
    const app = responses[0]?.json as { id?: unknown };
    delete app.id;
    return responses.map((r) => ({ status: r.status, body: r.json }));
  }

  it('answers as a model of zero delay does, and records each status as it answers', async () => {
    const none = await conversation(plain);
    expect(none).toEqual(await conversation(zero));
    expect(none.map((r) => (r as { status: number }).status)).toEqual([200, 200, 200, 404, 401, 200]);
    expect(plain.requests.some((r) => r.status === 'pending')).toBe(false);
  });
});
