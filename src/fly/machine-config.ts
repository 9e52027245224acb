// Pure builder of the create-machine request, Fly's guest presets, and the
// guard that keeps secrets out of a machine config (Fly stores the config
// in plain text and returns it to anyone with an app token, even after
// destroy).

import type { CpuKind, CreateMachineRequest, MachineConfig, MachineInit } from './types.ts';

export const ACTION_TAG = 'claude-fly-action';

/** Metadata keys this action puts on its machines. */
export const METADATA_KEYS = {
  nonce: 'cfa-nonce',
  runId: 'cfa-run-id',
  runAttempt: 'cfa-run-attempt',
  job: 'cfa-job',
  deadline: 'cfa-deadline',
  action: 'cfa-action',
} as const;

export interface RunTags {
  /** Random, saved to action state before create. */
  nonce: string;
  runId: string | number;
  runAttempt: string | number;
  job: string;
  /** Absolute epoch seconds after which nobody can still be using the machine. */
  deadlineEpochSeconds: number;
}

export function runMetadata(tags: RunTags): Record<string, string> {
  if (!tags.nonce.trim()) throw new Error('The machine nonce is empty.');
  if (!Number.isFinite(tags.deadlineEpochSeconds) || tags.deadlineEpochSeconds <= 0) {
    throw new Error(`The machine deadline must be epoch seconds, got ${String(tags.deadlineEpochSeconds)}.`);
  }
  return {
    [METADATA_KEYS.nonce]: tags.nonce,
    [METADATA_KEYS.runId]: String(tags.runId),
    [METADATA_KEYS.runAttempt]: String(tags.runAttempt),
    [METADATA_KEYS.job]: tags.job,
    [METADATA_KEYS.deadline]: String(Math.floor(tags.deadlineEpochSeconds)),
    [METADATA_KEYS.action]: ACTION_TAG,
  };
}

export interface GuestSize {
  cpuKind: CpuKind;
  cpus: number;
  memoryMb: number;
}

export interface MachineConfigInput {
  image: string;
  region?: string;
  name?: string;
  guest: GuestSize;
  /** NON-secret settings only (CFA_DEADLINE, ...): Fly keeps them in plain text. */
  env?: Record<string, string>;
  metadata: Record<string, string>;
  /** Omit to run the image's own entrypoint. */
  init?: MachineInit;
  /** Grace between the stop signal and a kill; default 30 s. */
  stopTimeoutSeconds?: number;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function buildMachineConfig(input: MachineConfigInput): CreateMachineRequest {
  const image = input.image.trim();
  if (!image) throw new Error('The machine image is empty.');
  const env = { ...input.env };
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_NAME.test(k)) throw new Error(`Machine env name ${JSON.stringify(k)} is not a valid variable name.`);
    if (typeof v !== 'string') throw new Error(`Machine env ${k} must be a string.`);
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.metadata)) {
    if (typeof v !== 'string') throw new Error(`Machine metadata ${k} must be a string.`);
    metadata[k] = v;
  }
  const config: MachineConfig = {
    image,
    auto_destroy: true,
    // Fly's default is on-failure: a failed run would start again.
    restart: { policy: 'no' },
    guest: { cpu_kind: input.guest.cpuKind, cpus: input.guest.cpus, memory_mb: input.guest.memoryMb },
    env,
    metadata,
    stop_config: { signal: 'SIGTERM', timeout: `${Math.max(1, Math.round(input.stopTimeoutSeconds ?? 30))}s` },
  };
  if (input.init) config.init = input.init;
  return {
    config,
    ...(input.region ? { region: input.region } : {}),
    ...(input.name ? { name: input.name } : {}),
  };
}

// Fly's presets: shared CPUs get 256 MB each by default (256..2048 per CPU),
// performance CPUs 2048 MB each (2048..8192 per CPU); memory in 256 MB steps.
const PRESETS: Record<CpuKind, { counts: readonly number[]; defaultPerCpu: number; minPerCpu: number; maxPerCpu: number }> = {
  shared: { counts: [1, 2, 4, 8], defaultPerCpu: 256, minPerCpu: 256, maxPerCpu: 2048 },
  performance: { counts: [1, 2, 4, 8, 16], defaultPerCpu: 2048, minPerCpu: 2048, maxPerCpu: 8192 },
};
const MEMORY_STEP_MB = 256;

export const VM_SIZE_NAMES: readonly string[] = [
  ...PRESETS.shared.counts.map((n) => `shared-cpu-${n}x`),
  ...PRESETS.performance.counts.map((n) => `performance-${n}x`),
];

/**
 * `fly-vm-size` (and optional `fly-vm-memory-mb`) -> guest. Empty or 0
 * memory means the preset's default. Errors say what is allowed.
 */
export function parseVmSize(name: string, memoryMb?: number | string): GuestSize {
  const preset = name.trim().toLowerCase();
  const match = /^(shared-cpu|performance)-(\d+)x$/.exec(preset);
  const kind: CpuKind | undefined = match ? (match[1] === 'shared-cpu' ? 'shared' : 'performance') : undefined;
  const cpus = match ? Number(match[2]) : NaN;
  if (!kind || !PRESETS[kind].counts.includes(cpus)) {
    // Clipped: the name is the user's and may be huge.
    const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
    throw new Error(`fly-vm-size ${shown} is not a Fly machine preset; use one of: ${VM_SIZE_NAMES.join(', ')}.`);
  }
  const rules = PRESETS[kind];
  const min = rules.minPerCpu * cpus;
  const max = rules.maxPerCpu * cpus;
  const memoryText = memoryMb === undefined ? '' : String(memoryMb).trim();
  if (memoryText === '' || memoryText === '0') return { cpuKind: kind, cpus, memoryMb: rules.defaultPerCpu * cpus };
  const memory = Number(memoryText);
  const allowed = `a multiple of ${MEMORY_STEP_MB} from ${min} to ${max} for ${preset}`;
  if (!/^\d+$/.test(memoryText) || !Number.isSafeInteger(memory)) {
    throw new Error(`fly-vm-memory-mb ${JSON.stringify(memoryText.slice(0, 40))} is not a whole number of megabytes; use ${allowed}.`);
  }
  if (memory % MEMORY_STEP_MB !== 0 || memory < min || memory > max) {
    throw new Error(`fly-vm-memory-mb ${memory} is not allowed; use ${allowed}.`);
  }
  return { cpuKind: kind, cpus, memoryMb: memory };
}

/** Secrets shorter than this are not looked for (they would match ordinary words). */
export const MIN_SECRET_LENGTH = 4;

/**
 * Throws when any secret value appears anywhere in the config: a key, a
 * value, or the decoded content of a file. The message names where, never
 * the secret.
 */
export function assertNoSecrets(config: unknown, secrets: readonly (string | undefined)[]): void {
  const needles = secrets.filter((s): s is string => typeof s === 'string' && s.trim().length >= MIN_SECRET_LENGTH);
  if (needles.length === 0) return;
  const found = findSecret(config, needles, '');
  if (found) {
    throw new Error(`Refusing to create the machine: a secret value would be stored in its config at ${found || 'its top level'}. Secrets travel only over exec stdin.`);
  }
}

function findSecret(value: unknown, needles: readonly string[], where: string): string | undefined {
  if (typeof value === 'string') {
    if (needles.some((n) => value.includes(n))) return where;
    if (where.endsWith('.raw_value')) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      if (needles.some((n) => decoded.includes(n))) return `${where} (base64)`;
    }
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findSecret(value[i], needles, `${where}[${i}]`);
      if (hit) return hit;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      // name the parent only: here the key itself is the secret
      if (needles.some((n) => k.includes(n))) return `${where || 'top level'} (a key)`;
      const path = where ? `${where}.${k}` : k;
      const hit = findSecret(v, needles, path);
      if (hit) return hit;
    }
  }
  return undefined;
}
