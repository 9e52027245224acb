// Validation of a create-machine request, with Fly's rules and messages where
// they are known (messages seen from flaps in flyctl issues #1648, #1806,
// #2329). Pure: no I/O.
import type { RestartPolicy } from './types.ts';

export interface ValidCreate {
  ok: true;
  name: string | undefined;
  region: string | undefined;
  skipLaunch: boolean;
  /** Config as it will be served: the request's, with guest filled in. */
  config: Record<string, unknown>;
  restartPolicy: RestartPolicy;
  restartPolicyDefaulted: boolean;
  maxRetries: number | undefined;
  autoDestroy: boolean;
  env: Record<string, string>;
}

export interface InvalidCreate {
  ok: false;
  error: string;
}

const SHARED_CPUS = [1, 2, 4, 6, 8];
const PERFORMANCE_CPUS = [1, 2, 4, 6, 8, 10, 12, 14, 16];
const MEMORY_PER_CPU = {
  shared: { min: 256, max: 2048 },
  performance: { min: 2048, max: 8192 },
} as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown, field: string): Record<string, string> | string {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) return `invalid config.${field}: must be an object of strings`;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') return `invalid config.${field}.${k}: must be a string`;
    out[k] = val;
  }
  return out;
}

function validateGuest(guest: unknown): Record<string, unknown> | string {
  if (guest === undefined || guest === null) return { cpu_kind: 'shared', cpus: 1, memory_mb: 256 };
  if (!isRecord(guest)) return 'invalid config.guest: must be an object';
  const kind = guest.cpu_kind === undefined || guest.cpu_kind === '' ? 'shared' : guest.cpu_kind;
  if (kind !== 'shared' && kind !== 'performance') return `invalid config.guest.cpu_kind: ${String(kind)}`;
  const cpus = guest.cpus === undefined || guest.cpus === 0 ? 1 : guest.cpus;
  const allowed = kind === 'shared' ? SHARED_CPUS : PERFORMANCE_CPUS;
  if (typeof cpus !== 'number' || !allowed.includes(cpus)) {
    return `invalid config.guest.cpus: ${String(cpus)} for ${kind} guest, valid: ${allowed.join(', ')}`;
  }
  const rule = MEMORY_PER_CPU[kind];
  const memory = guest.memory_mb === undefined || guest.memory_mb === 0 ? rule.min * cpus : guest.memory_mb;
  if (typeof memory !== 'number' || !Number.isInteger(memory)) return 'invalid config.guest.memory_mb: must be an integer';
  if (memory % 256 !== 0) return `invalid memory size ${memory}; must be in 256 MiB increment`;
  if (memory < rule.min * cpus) return `invalid config.guest.memory_mb, minimum required ${rule.min * cpus} MiB`;
  if (memory > rule.max * cpus) return `invalid config.guest.memory_mb, maximum allowed ${rule.max * cpus} MiB`;
  return { ...guest, cpu_kind: kind, cpus, memory_mb: memory };
}

export function validateCreate(body: unknown): ValidCreate | InvalidCreate {
  const fail = (error: string): InvalidCreate => ({ ok: false, error });
  if (!isRecord(body)) return fail('invalid request body: expected a JSON object');
  const config = body.config;
  if (!isRecord(config)) return fail('invalid config: config is required');
  if (typeof config.image !== 'string' || config.image.trim() === '') return fail('invalid config: image is required');
  if (body.name !== undefined && typeof body.name !== 'string') return fail('invalid name: must be a string');
  if (body.region !== undefined && typeof body.region !== 'string') return fail('invalid region: must be a string');
  if (body.skip_launch !== undefined && typeof body.skip_launch !== 'boolean') return fail('invalid skip_launch: must be a boolean');

  const env = stringMap(config.env, 'env');
  if (typeof env === 'string') return fail(env);
  const metadata = stringMap(config.metadata, 'metadata');
  if (typeof metadata === 'string') return fail(metadata);
  if (config.auto_destroy !== undefined && typeof config.auto_destroy !== 'boolean') {
    return fail('invalid config.auto_destroy: must be a boolean');
  }

  let restartPolicy: RestartPolicy = 'on-failure';
  let restartPolicyDefaulted = true;
  let maxRetries: number | undefined;
  if (config.restart !== undefined && config.restart !== null) {
    if (!isRecord(config.restart)) return fail('invalid config.restart: must be an object');
    const policy = config.restart.policy;
    if (policy !== undefined && policy !== '') {
      if (policy !== 'no' && policy !== 'always' && policy !== 'on-failure') {
        return fail(`invalid config.restart.policy: ${String(policy)}`);
      }
      restartPolicy = policy;
      restartPolicyDefaulted = false;
    }
    const mr = config.restart.max_retries;
    if (mr !== undefined) {
      if (typeof mr !== 'number' || !Number.isInteger(mr) || mr < 0) return fail('invalid config.restart.max_retries');
      maxRetries = mr;
    }
  }

  const guest = validateGuest(config.guest);
  if (typeof guest === 'string') return fail(guest);

  if (config.files !== undefined) {
    if (!Array.isArray(config.files)) return fail('invalid config.files: must be an array');
    for (const f of config.files) {
      if (!isRecord(f) || typeof f.guest_path !== 'string' || !f.guest_path.startsWith('/')) {
        return fail('invalid config.files: guest_path must be an absolute path');
      }
      if (f.raw_value === undefined && f.secret_name === undefined) {
        return fail('invalid config.files: one of raw_value or secret_name is required');
      }
    }
  }

  return {
    ok: true,
    name: body.name as string | undefined,
    region: body.region as string | undefined,
    skipLaunch: body.skip_launch === true,
    config: { ...config, guest },
    restartPolicy,
    restartPolicyDefaulted,
    maxRetries,
    autoDestroy: config.auto_destroy === true,
    env,
  };
}
