// createMachineIdempotent against a small stateful stand-in for Fly's
// create/list/destroy, scripted to lose answers, run out of capacity, or
// refuse.

import { afterEach, describe, expect, it } from 'vitest';
import { FlyClient } from '../../src/fly/client.ts';
import { createMachineIdempotent, FlyLaunchError } from '../../src/fly/launch.ts';
import { buildMachineConfig } from '../../src/fly/machine-config.ts';
import type { CreateMachineRequest, Machine } from '../../src/fly/types.ts';
import { fakeTime, startServer } from './client-test-server.ts';
import type { Answer, Recorded } from './client-test-server.ts';

type CreateScript = (req: Recorded, createIndex: number, store: FlyStore) => Answer | 'create-then-reset' | 'create-then-503' | 'create';

interface FlyStore {
  machines: Machine[];
  /** When false, list answers as if a just-created machine is not visible yet. */
  listSeesNew: boolean;
  destroyed: string[];
  createCalls: number;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function fly(script: CreateScript, options: { ignoreMetadataFilter?: boolean; strangers?: Machine[] } = {}) {
  const store: FlyStore = { machines: [...(options.strangers ?? [])], listSeesNew: true, destroyed: [], createCalls: 0 };
  let hidden = new Set<string>();
  const create = (req: Recorded): Machine => {
    const body = req.json as CreateMachineRequest;
    const m: Machine = { id: `m${store.machines.length + 1}`, state: 'created', region: body.region ?? 'iad', config: body.config, created_at: `2025-01-01T00:00:0${store.machines.length}Z` };
    store.machines.push(m);
    if (!store.listSeesNew) hidden.add(m.id);
    return m;
  };
  const server = await startServer((req) => {
    if (req.method === 'POST' && req.path.endsWith('/machines')) {
      const step = script(req, store.createCalls++, store);
      if (step === 'create') return { json: create(req) };
      if (step === 'create-then-reset') {
        create(req);
        return 'reset';
      }
      if (step === 'create-then-503') {
        create(req);
        return { status: 503, json: { error: 'upstream timeout' } };
      }
      return step;
    }
    if (req.method === 'GET' && req.path.endsWith('/machines')) {
      const wanted = [...req.query].filter(([k]) => k.startsWith('metadata.'));
      const visible = store.machines.filter((m) => !hidden.has(m.id) && m.state !== 'destroyed');
      const matching = options.ignoreMetadataFilter ? visible : visible.filter((m) => wanted.every(([k, v]) => m.config?.metadata?.[k.slice(9)] === v));
      hidden = new Set(); // visible from the next list on
      return { json: matching };
    }
    if (req.method === 'DELETE') {
      const id = req.path.split('/').pop()!;
      const m = store.machines.find((x) => x.id === id);
      if (!m) return { status: 404, json: { error: 'not found' } };
      m.state = 'destroyed';
      store.destroyed.push(id);
      return { json: { ok: true } };
    }
    return { status: 500, json: { error: `unexpected ${req.method} ${req.path}` } };
  });
  const time = fakeTime();
  const client = new FlyClient({ token: 'fm2_x', baseUrl: server.url, env: {}, sleep: time.sleep, now: time.now, random: () => 0.5 });
  cleanups.push(() => server.close(), () => client.close());
  return { server, store, client, time };
}

const request = buildMachineConfig({
  image: 'registry.fly.io/cfa:1',
  guest: { cpuKind: 'shared', cpus: 2, memoryMb: 2048 },
  env: { CFA_DEADLINE: '1700003600' },
  metadata: { 'cfa-run-id': '42', 'cfa-action': 'claude-fly-action' },
});

const live = (store: FlyStore) => store.machines.filter((m) => m.state !== 'destroyed');

describe('createMachineIdempotent', () => {
  it('creates once, tagging the nonce into the metadata', async () => {
    const { store, client, server } = await fly(() => 'create');
    const result = await createMachineIdempotent(client, { app: 'a', request, nonce: 'nonce-1', regions: ['ord'] });
    expect(result).toMatchObject({ region: 'ord', attempts: 1, foundByNonce: false, duplicatesDestroyed: [] });
    expect(store.machines).toHaveLength(1);
    const sent = server.requests[0]!.json as CreateMachineRequest;
    expect(sent.region).toBe('ord');
    expect(sent.config.metadata).toEqual({ 'cfa-run-id': '42', 'cfa-action': 'claude-fly-action', 'cfa-nonce': 'nonce-1' });
    expect(request.config.metadata?.['cfa-nonce']).toBeUndefined(); // the input is not mutated
  });

  it('lost response: the machine is found by its nonce, not created twice', async () => {
    const { store, client, server } = await fly(() => 'create-then-reset');
    const result = await createMachineIdempotent(client, { app: 'a', request, nonce: 'nonce-2' });
    expect(result.foundByNonce).toBe(true);
    expect(result.machine.id).toBe('m1');
    expect(result.attempts).toBe(1);
    expect(store.machines).toHaveLength(1);
    const list = server.requests.find((r) => r.method === 'GET')!;
    expect(list.query.get('metadata.cfa-nonce')).toBe('nonce-2');
  });

  it('a 5xx after which no machine exists: looks, then creates again', async () => {
    const { store, client, time } = await fly((_r, i) => (i === 0 ? { status: 504, json: { error: 'gateway timeout' } } : 'create'));
    const result = await createMachineIdempotent(client, { app: 'a', request, nonce: 'n3' });
    expect(result).toMatchObject({ attempts: 2, foundByNonce: false });
    expect(store.machines).toHaveLength(1);
    expect(time.sleeps).toEqual([225]); // one jittered backoff between the creates, on the client's clock
  });

  it('a 408 on create is ambiguous too, and the machine that did land is found', async () => {
    const { store, client } = await fly((req, i, s) => {
      if (i === 0) {
        s.machines.push({ id: 'late', state: 'created', region: 'iad', config: (req.json as CreateMachineRequest).config });
        return { status: 408, json: { error: 'request timeout' } };
      }
      return 'create';
    });
    const result = await createMachineIdempotent(client, { app: 'a', request, nonce: 'n4' });
    expect(result.machine.id).toBe('late');
    expect(store.machines).toHaveLength(1);
  });

  it('a lost create that only shows up later is destroyed as a duplicate', async () => {
    const { store, client } = await fly((_r, i, s) => {
      if (i === 0) {
        s.listSeesNew = false; // Fly's list lags behind the create
        return 'create-then-503';
      }
      s.listSeesNew = true;
      return 'create';
    });
    const result = await createMachineIdempotent(client, { app: 'a', request, nonce: 'n5' });
    expect(result.machine.id).toBe('m2');
    expect(result.duplicatesDestroyed).toEqual(['m1']);
    expect(live(store).map((m) => m.id)).toEqual(['m2']);
  });

  it('never adopts another run’s machine, even when Fly ignores the metadata filter', async () => {
    const stranger: Machine = { id: 'theirs', state: 'started', config: { image: 'x', metadata: { 'cfa-nonce': 'other-leg' } } };
    const { store, client } = await fly((_r, i) => (i === 0 ? 'reset' : 'create'), { ignoreMetadataFilter: true, strangers: [stranger] });
    const result = await createMachineIdempotent(client, { app: 'a', request, nonce: 'mine' });
    expect(result.machine.id).not.toBe('theirs');
    expect(result.machine.config?.metadata?.['cfa-nonce']).toBe('mine');
    expect(store.destroyed).toEqual([]);
  });

  it('insufficient capacity moves on to the next region', async () => {
    const { store, client, server } = await fly((req) =>
      (req.json as CreateMachineRequest).region === 'ord' ? { status: 412, json: { error: 'no capacity for shared-cpu-2x in ord', status: 'insufficient_capacity' } } : 'create',
    );
    const failures: string[] = [];
    const result = await createMachineIdempotent(client, {
      app: 'a',
      request,
      nonce: 'n6',
      regions: ['ord', 'iad'],
      onFailure: (f) => failures.push(`${f.region}:${f.next}`),
    });
    expect(result).toMatchObject({ region: 'iad', attempts: 2 });
    expect(failures).toEqual(['ord:next-region']);
    expect(store.machines).toHaveLength(1);
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(0); // a capacity refusal needs no lookup
  });

  it('no capacity anywhere: one clear error naming every region', async () => {
    const { client } = await fly(() => ({ status: 500, json: { error: 'insufficient resources', status: 'insufficient_capacity' } }));
    const err = (await createMachineIdempotent(client, { app: 'a', request, nonce: 'n7', regions: ['ord', 'iad', 'fra'] }).catch((e: unknown) => e)) as FlyLaunchError;
    expect(err).toBeInstanceOf(FlyLaunchError);
    expect(err.attempts).toBe(3);
    expect(err.regionsTried).toEqual(['ord', 'iad', 'fra']);
    expect(err.mayExist).toBe(false);
    for (const r of ['ord', 'iad', 'fra', 'capacity']) expect(err.message).toContain(r);
  });

  it('other 4xx fail at once with Fly’s words', async () => {
    const { client, store } = await fly(() => ({ status: 422, json: { error: 'image not found: registry.fly.io/cfa:1' }, headers: { 'fly-request-id': 'rq-1' } }));
    const err = (await createMachineIdempotent(client, { app: 'a', request, nonce: 'n8', regions: ['ord', 'iad'] }).catch((e: unknown) => e)) as FlyLaunchError;
    expect(err).toBeInstanceOf(FlyLaunchError);
    expect(err.attempts).toBe(1);
    expect(err.message).toContain('image not found');
    expect(err.message).toContain('rq-1');
    expect(store.machines).toHaveLength(0);
  });

  it('a lookup that keeps failing ends with "may exist", never a blind second create', async () => {
    const { client, store, server } = await fly(() => 'create-then-reset');
    // make every list fail
    const original = client.listMachines.bind(client);
    client.listMachines = async () => {
      await original('a', {}).catch(() => undefined);
      throw new Error('list broke');
    };
    const err = (await createMachineIdempotent(client, { app: 'a', request, nonce: 'n9', lookupAttempts: 2 }).catch((e: unknown) => e)) as FlyLaunchError;
    expect(err).toBeInstanceOf(FlyLaunchError);
    expect(err.mayExist).toBe(true);
    expect(err.message).toContain('n9');
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(store.machines).toHaveLength(1);
  });

  it('cancellation stops at once with the caller’s reason, no lookup, no second create', async () => {
    const { client, server } = await fly(() => 'hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the runner')), 50);
    await expect(createMachineIdempotent(client, { app: 'a', request, nonce: 'n10', signal: controller.signal })).rejects.toThrow('cancelled by the runner');
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a config that already carries another nonce, and an empty nonce', async () => {
    const { client } = await fly(() => 'create');
    const tagged = { ...request, config: { ...request.config, metadata: { 'cfa-nonce': 'old' } } };
    await expect(createMachineIdempotent(client, { app: 'a', request: tagged, nonce: 'new' })).rejects.toThrow(/different cfa-nonce/);
    await expect(createMachineIdempotent(client, { app: 'a', request, nonce: ' ' })).rejects.toThrow(/nonce/);
  });
});
