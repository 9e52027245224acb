// Each endpoint's request shape (method, path, query, body) checked against
// Fly's published spec, and each answer decoded the way Fly sends it.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlyClient } from '../../src/fly/client.ts';
import { FlyApiError } from '../../src/fly/errors.ts';
import { decodeExecAnswer } from '../../src/fly/exec-answer.ts';
import { fakeTime, startServer } from './client-test-server.ts';
import type { Handler, Recorded } from './client-test-server.ts';

interface SpecParam {
  name: string;
  in: string;
  schema?: { $ref?: string };
  enum?: string[];
}
interface SpecSchema {
  properties?: Record<string, { enum?: string[]; $ref?: string; allOf?: Array<{ $ref: string }> }>;
}
// The copy of Fly's spec that sits beside this repository (shared/reference), as on the
// project's own machines and CI; a clone without it skips the shape checks.
const SPEC_PATH = join(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'fly-machines-openapi.json');
const haveSpec = existsSync(SPEC_PATH);
const spec = (haveSpec ? JSON.parse(readFileSync(SPEC_PATH, 'utf8')) : { basePath: '', paths: {}, definitions: {} }) as {
  basePath: string;
  paths: Record<string, Record<string, { parameters?: SpecParam[] }>>;
  definitions: Record<string, SpecSchema>;
};

// Fields Fly added after this copy of the spec (see reference/fly-machines.md).
const NEWER_QUERY: Record<string, string[]> = {
  'GET /apps/{app_name}/machines': ['state', 'metadata.*'],
  'DELETE /apps/{app_name}/machines/{machine_id}': ['kill'],
};
const NEWER_BODY: Record<string, string[]> = { MachineExecRequest: ['stdin'] };

function definition(ref: string): SpecSchema {
  const def = spec.definitions[ref.replace('#/definitions/', '')];
  if (!def) throw new Error(`no ${ref} in the spec`);
  return def;
}

/** Asserts that the recorded request is one the spec describes, and returns its operation key. */
function assertMatchesSpec(req: Recorded): string {
  expect(req.path.startsWith(spec.basePath + '/')).toBe(true);
  const rest = req.path.slice(spec.basePath.length);
  const template = Object.keys(spec.paths).find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(rest));
  expect(template, `no spec path for ${rest}`).toBeDefined();
  const op = spec.paths[template!]![req.method.toLowerCase()];
  expect(op, `${req.method} ${template} is not in the spec`).toBeDefined();
  const key = `${req.method} ${template}`;
  const params = op!.parameters ?? [];
  const declared = params.filter((p) => p.in === 'query').map((p) => p.name);
  const newer = NEWER_QUERY[key] ?? [];
  for (const name of new Set(req.query.keys())) {
    const ok = declared.includes(name) || newer.includes(name) || (newer.includes('metadata.*') && name.startsWith('metadata.'));
    expect(ok, `query ${name} of ${key}`).toBe(true);
    const enumValues = params.find((p) => p.name === name)?.enum;
    if (enumValues) expect(enumValues).toContain(req.query.get(name));
  }
  const bodyParam = params.find((p) => p.in === 'body');
  if (req.body) {
    expect(bodyParam, `${key} takes no body`).toBeDefined();
    const ref = bodyParam!.schema!.$ref!;
    const schema = definition(ref);
    const extra = NEWER_BODY[ref.replace('#/definitions/', '')] ?? [];
    const body = req.json as Record<string, unknown>;
    for (const [k, v] of Object.entries(body)) {
      const prop = schema.properties?.[k];
      expect(prop !== undefined || extra.includes(k), `body field ${k} of ${key}`).toBe(true);
      if (prop?.enum) expect(prop.enum).toContain(v);
    }
    if (typeof body.config === 'object' && body.config) {
      const config = definition('#/definitions/fly.MachineConfig');
      for (const k of Object.keys(body.config)) expect(config.properties?.[k], `config.${k}`).toBeDefined();
    }
  } else if (bodyParam && (bodyParam as { required?: boolean }).required) {
    throw new Error(`${key} requires a body`);
  }
  return key;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(handler: Handler) {
  const server = await startServer(handler);
  const time = fakeTime();
  const client = new FlyClient({ token: 'fm2_x', baseUrl: server.url, env: {}, sleep: time.sleep, now: time.now, random: () => 0.5 });
  cleanups.push(() => server.close(), () => client.close());
  return { server, time, client };
}

const machine = { id: '3d8d9e1b', state: 'created', region: 'iad', instance_id: '01J0', config: { image: 'img', metadata: { 'cfa-nonce': 'n1' } } };

describe.skipIf(!haveSpec)('endpoint shapes against the spec', () => {
  it('getApp', async () => {
    const { server, client } = await setup(() => ({ json: { name: 'my-app', organization: { slug: 'personal' } } }));
    const app = await client.getApp('my-app');
    expect(app.organization?.slug).toBe('personal');
    expect(assertMatchesSpec(server.requests[0]!)).toBe('GET /apps/{app_name}');
    expect(server.requests[0]!.path).toBe('/v1/apps/my-app');
  });

  it('createMachine posts the request as the body', async () => {
    const { server, client } = await setup(() => ({ json: machine }));
    const request = {
      region: 'iad',
      config: { image: 'img', auto_destroy: true, restart: { policy: 'no' as const }, guest: { cpu_kind: 'shared' as const, cpus: 1, memory_mb: 256 }, metadata: { 'cfa-nonce': 'n1' } },
    };
    const m = await client.createMachine('my-app', request);
    expect(m.id).toBe('3d8d9e1b');
    const req = server.requests[0]!;
    expect(assertMatchesSpec(req)).toBe('POST /apps/{app_name}/machines');
    expect(req.json).toEqual(request);
  });

  it('getMachine', async () => {
    const { server, client } = await setup(() => ({ json: machine }));
    expect((await client.getMachine('my-app', '3d8d9e1b')).instance_id).toBe('01J0');
    expect(assertMatchesSpec(server.requests[0]!)).toBe('GET /apps/{app_name}/machines/{machine_id}');
  });

  it('listMachines sends every filter, and filters by metadata itself too', async () => {
    const other = { ...machine, id: 'other', config: { image: 'img', metadata: { 'cfa-nonce': 'someone-else' } } };
    const { server, client } = await setup(() => ({ json: [machine, other] }));
    const found = await client.listMachines('my-app', { metadata: { 'cfa-nonce': 'n1', 'cfa-job': 'build' }, includeDeleted: true, state: 'started', region: 'iad' });
    const req = server.requests[0]!;
    expect(assertMatchesSpec(req)).toBe('GET /apps/{app_name}/machines');
    expect(req.query.get('include_deleted')).toBe('true');
    expect(req.query.get('state')).toBe('started');
    expect(req.query.get('region')).toBe('iad');
    expect(req.query.get('metadata.cfa-nonce')).toBe('n1');
    expect(req.query.get('metadata.cfa-job')).toBe('build');
    // the server ignored the filter; neither machine carries cfa-job=build
    expect(found).toEqual([]);
    const plain = await client.listMachines('my-app', { metadata: { 'cfa-nonce': 'n1' } });
    expect(plain.map((m) => m.id)).toEqual(['3d8d9e1b']);
    expect([...server.requests[1]!.query.keys()]).toEqual(['metadata.cfa-nonce']);
  });

  it('waitForState: 200 -> true, 408 -> false, with state, timeout and instance_id', async () => {
    const { server, client } = await setup((_r, i) => (i === 0 ? { json: { ok: true } } : { status: 408, json: { error: 'deadline_exceeded: machine did not reach state' } }));
    expect(await client.waitForState('my-app', 'm1', { state: 'started', timeoutSeconds: 30, instanceId: '01J0' })).toBe(true);
    expect(await client.waitForState('my-app', 'm1', { state: 'stopped', timeoutSeconds: 500 })).toBe(false);
    expect(server.requests).toHaveLength(2); // 408 is an answer, not retried
    const [a, b] = server.requests;
    expect(assertMatchesSpec(a!)).toBe('GET /apps/{app_name}/machines/{machine_id}/wait');
    expect(Object.fromEntries(a!.query)).toEqual({ state: 'started', timeout: '30', instance_id: '01J0' });
    assertMatchesSpec(b!);
    expect(Object.fromEntries(b!.query)).toEqual({ state: 'stopped', timeout: '60' }); // clamped to Fly's 60 s
  });

  it('waitForState retries a 404 right after create, with backoff', async () => {
    const { server, time, client } = await setup((_r, i) => (i < 2 ? { status: 404, json: { error: 'machine not found' } } : { json: { ok: true } }));
    expect(await client.waitForState('my-app', 'm1', { state: 'started' })).toBe(true);
    expect(server.requests).toHaveLength(3);
    expect(time.sleeps).toEqual([225, 450]);
  });

  it('waitForState gives up on a machine that stays missing', async () => {
    const { server, client } = await setup(() => ({ status: 404, json: { error: 'machine not found' } }));
    await expect(client.waitForState('my-app', 'm1', { state: 'started' })).rejects.toMatchObject({ status: 404 });
    expect(server.requests).toHaveLength(5);
  });

  it('exec sends command, timeout and stdin', async () => {
    const { server, client } = await setup(() => ({ json: { exit_code: 3, stdout: 'out', stderr: 'err', exit_signal: 0 } }));
    const result = await client.exec('my-app', 'm1', { command: ['cfa-handover'], stdin: '{"version":1}', timeoutSeconds: 20 });
    expect(result).toEqual({ exitCode: 3, exitSignal: 0, stdout: 'out', stderr: 'err' });
    const req = server.requests[0]!;
    expect(assertMatchesSpec(req)).toBe('POST /apps/{app_name}/machines/{machine_id}/exec');
    expect(req.json).toEqual({ command: ['cfa-handover'], timeout: 20, stdin: '{"version":1}' });
  });

  it('exec is not retried after a 5xx unless the command is idempotent', async () => {
    const a = await setup((_r, i) => (i === 0 ? { status: 502 } : { json: {} }));
    await expect(a.client.exec('app', 'm', { command: ['cfa-handover'], timeoutSeconds: 5 })).rejects.toMatchObject({ status: 502 });
    expect(a.server.requests).toHaveLength(1);
    const b = await setup((_r, i) => (i === 0 ? { status: 502 } : { json: { stdout: 'x' } }));
    expect((await b.client.exec('app', 'm', { command: ['cfa-read'], timeoutSeconds: 5, idempotent: true })).stdout).toBe('x');
    expect(b.server.requests).toHaveLength(2);
  });

  it('destroyMachine forces with force=true and kill=true; 404 means gone', async () => {
    const { server, client } = await setup((_r, i) => (i === 0 ? { json: { ok: true } } : { status: 404, json: { error: 'not found' } }));
    expect(await client.destroyMachine('my-app', 'm1')).toBe('destroyed');
    expect(await client.destroyMachine('my-app', 'm1')).toBe('gone');
    const req = server.requests[0]!;
    expect(assertMatchesSpec(req)).toBe('DELETE /apps/{app_name}/machines/{machine_id}');
    expect(Object.fromEntries(req.query)).toEqual({ force: 'true', kill: 'true' });
    expect(server.requests).toHaveLength(2);
  });

  it('destroyMachine retries 429 and 5xx', async () => {
    const { server, client } = await setup((_r, i) => (i === 0 ? { status: 429 } : i === 1 ? { status: 500 } : { json: { ok: true } }));
    expect(await client.destroyMachine('my-app', 'm1')).toBe('destroyed');
    expect(server.requests).toHaveLength(3);
  });

  it('stopMachine and signalMachine', async () => {
    const { server, client } = await setup(() => ({ json: { ok: true } }));
    await client.stopMachine('my-app', 'm1', { signal: 'SIGTERM', timeoutSeconds: 10 });
    await client.signalMachine('my-app', 'm1', 'SIGKILL');
    const [stop, signal] = server.requests;
    expect(assertMatchesSpec(stop!)).toBe('POST /apps/{app_name}/machines/{machine_id}/stop');
    expect(stop!.json).toEqual({ signal: 'SIGTERM', timeout: '10s' });
    expect(assertMatchesSpec(signal!)).toBe('POST /apps/{app_name}/machines/{machine_id}/signal');
    expect(signal!.json).toEqual({ signal: 'SIGKILL' });
  });

  it('listMachineEvents', async () => {
    const { server, client } = await setup(() => ({ json: [{ type: 'start', timestamp: 1 }] }));
    expect(await client.listMachineEvents('my-app', 'm1')).toEqual([{ type: 'start', timestamp: 1 }]);
    expect(assertMatchesSpec(server.requests[0]!)).toBe('GET /apps/{app_name}/machines/{machine_id}/events');
  });

  it('encodes path segments', async () => {
    const { server, client } = await setup(() => ({ json: machine }));
    await client.getMachine('my app', 'a/b');
    expect(server.requests[0]!.path).toBe('/v1/apps/my%20app/machines/a%2Fb');
  });

  it('a 2xx that is not what the spec promises is a clear error', async () => {
    const { client } = await setup(() => ({ text: '<html>gateway</html>', headers: { 'fly-request-id': 'r-9' } }));
    const err = (await client.getMachine('my-app', 'm1').catch((e: unknown) => e)) as FlyApiError;
    expect(err).toBeInstanceOf(FlyApiError);
    expect(err.message).toContain('<html>gateway</html>');
    expect(err.message).toContain('r-9');
    expect(err.message).toContain('/v1/apps/my-app/machines/m1');
  });
});

describe('exec answers', () => {
  it('missing fields are their zero values (Go omitempty)', () => {
    expect(decodeExecAnswer('{}')).toEqual({ exitCode: 0, exitSignal: 0, stdout: '', stderr: '' });
    expect(decodeExecAnswer('{"stdout":"hi"}')).toEqual({ exitCode: 0, exitSignal: 0, stdout: 'hi', stderr: '' });
    expect(decodeExecAnswer('{"exit_code":127,"stderr":"not found"}')).toEqual({ exitCode: 127, exitSignal: 0, stdout: '', stderr: 'not found' });
    expect(decodeExecAnswer('{"exit_code":"2","exit_signal":9}')).toEqual({ exitCode: 2, exitSignal: 9, stdout: '', stderr: '' });
  });

  it('a body that is not a JSON object is the command’s stdout', () => {
    expect(decodeExecAnswer('plain output\n')).toEqual({ exitCode: 0, exitSignal: 0, stdout: 'plain output\n', stderr: '' });
    expect(decodeExecAnswer('')).toEqual({ exitCode: 0, exitSignal: 0, stdout: '', stderr: '' });
    expect(decodeExecAnswer('[1,2]').stdout).toBe('[1,2]');
    expect(decodeExecAnswer('"a string"').stdout).toBe('"a string"');
  });

  it('over the wire: a raw octet-stream body', async () => {
    const { client } = await setup(() => ({ text: 'raw bytes', headers: { 'content-type': 'application/octet-stream' } }));
    expect(await client.exec('a', 'm', { command: ['x'], timeoutSeconds: 1 })).toEqual({ exitCode: 0, exitSignal: 0, stdout: 'raw bytes', stderr: '' });
  });
});
