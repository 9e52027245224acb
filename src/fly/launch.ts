// Creating a machine exactly once. Fly's create has no idempotency key, and
// a lost answer (network, 408, 5xx) does not say whether a machine now
// exists. So the caller saves a nonce to action state first, the config's
// metadata carries it, and after an ambiguous failure we look the machine up
// by that nonce before creating again. Capacity errors move on to the next
// region; any other refusal fails at once.

import { backoffDelay, DEFAULT_RETRY } from './backoff.ts';
import { FlyApiError, isAbortError, isAmbiguousFailure, isCapacityError } from './errors.ts';
import type { FlyClient } from './client.ts';
import { METADATA_KEYS } from './machine-config.ts';
import { realSleep } from './request.ts';
import type { Sleep } from './rate-limit.ts';
import type { CreateMachineRequest, Machine } from './types.ts';

export type LaunchClient = Pick<FlyClient, 'createMachine' | 'listMachines' | 'destroyMachine'> & Partial<Pick<FlyClient, 'timing'>>;

export interface LaunchOptions {
  app: string;
  request: CreateMachineRequest;
  /** Tried in order; empty = `request.region` (or Fly's choice). */
  regions?: readonly string[];
  /** Already saved to action state by the caller. */
  nonce: string;
  /** Metadata key for the nonce; default `cfa-nonce`. */
  nonceKey?: string;
  /** Creates tried per region before moving on; default 3. */
  attemptsPerRegion?: number;
  /** Lookups by nonce tried after an ambiguous failure; default 3. */
  lookupAttempts?: number;
  /** Default: the client's own (injected) sleep and randomness. */
  sleep?: Sleep;
  random?: () => number;
  signal?: AbortSignal;
  /** Told about each failed try, for the log. */
  onFailure?: (info: { attempt: number; region: string | undefined; error: unknown; next: 'lookup' | 'retry' | 'next-region' | 'fail' }) => void;
}

export interface LaunchResult {
  machine: Machine;
  region: string | undefined;
  /** Create calls made. */
  attempts: number;
  /** True when the machine was found by its nonce after a lost answer. */
  foundByNonce: boolean;
  /** Extra machines with the same nonce that were destroyed. */
  duplicatesDestroyed: string[];
}

export class FlyLaunchError extends Error {
  override name = 'FlyLaunchError';
  readonly attempts: number;
  readonly regionsTried: string[];
  /** True when a machine may exist although we could not confirm it. */
  readonly mayExist: boolean;

  constructor(message: string, fields: { attempts: number; regionsTried: string[]; mayExist: boolean; cause?: unknown }) {
    super(message, { cause: fields.cause });
    this.attempts = fields.attempts;
    this.regionsTried = fields.regionsTried;
    this.mayExist = fields.mayExist;
  }
}

const GONE_STATES = new Set(['destroying', 'destroyed']);

type NextStep = 'lookup' | 'retry' | 'next-region' | 'fail';

/** One launch: its settings, resolved once, and what the tries so far have found out. */
interface Launch {
  client: LaunchClient;
  options: LaunchOptions;
  app: string;
  nonce: string;
  nonceKey: string;
  signal: AbortSignal | undefined;
  perRegion: number;
  lookupAttempts: number;
  /** The caller's request with the nonce in its metadata. */
  request: CreateMachineRequest;
  regions: Array<string | undefined>;
  pause: (n: number) => Promise<void>;
  /** Create calls made. */
  attempts: number;
  /** A create may have landed although we got no answer. */
  ambiguous: boolean;
  tried: string[];
  capacityNotes: string[];
}

export async function createMachineIdempotent(client: LaunchClient, options: LaunchOptions): Promise<LaunchResult> {
  const launch = prepareLaunch(client, options);
  for (const region of launch.regions) {
    const launched = await tryRegion(launch, region);
    if (launched) return launched;
  }
  const why = launch.capacityNotes.length > 0 ? `no capacity (${launch.capacityNotes.join('; ')})` : 'no clear answer from Fly';
  throw new FlyLaunchError(`Could not create a machine in ${launch.app} after ${launch.attempts} attempt(s) in ${launch.tried.join(', ')}: ${why}.`, {
    attempts: launch.attempts,
    regionsTried: launch.tried,
    mayExist: launch.ambiguous,
  });
}

/** Defaults resolved and the nonce checked (it must be set, and not contradict the config's), before any call. */
function prepareLaunch(client: LaunchClient, options: LaunchOptions): Launch {
  const { app, nonce, signal } = options;
  const nonceKey = options.nonceKey ?? METADATA_KEYS.nonce;
  const sleep = options.sleep ?? client.timing?.sleep ?? realSleep;
  const random = options.random ?? client.timing?.random ?? Math.random;
  const perRegion = Math.max(1, options.attemptsPerRegion ?? 3);
  const lookupAttempts = Math.max(1, options.lookupAttempts ?? 3);
  if (!nonce.trim()) throw new Error('createMachineIdempotent needs a nonce saved to state before create.');
  const existing = options.request.config.metadata?.[nonceKey];
  if (existing !== undefined && existing !== nonce) {
    throw new Error(`The machine config already carries a different ${nonceKey}; refusing to create.`);
  }
  const regions: Array<string | undefined> = options.regions && options.regions.length > 0 ? [...options.regions] : [options.request.region];
  const request: CreateMachineRequest = {
    ...options.request,
    config: { ...options.request.config, metadata: { ...options.request.config.metadata, [nonceKey]: nonce } },
  };
  const pause = (n: number) => sleep(backoffDelay(n, random, DEFAULT_RETRY), signal);
  const resolved = { client, options, app, nonce, nonceKey, signal, perRegion, lookupAttempts, request, regions, pause };
  return { ...resolved, attempts: 0, ambiguous: false, tried: [], capacityNotes: [] };
}

/** Up to perRegion creates in one region: the machine, or undefined to move on to the next region. */
async function tryRegion(launch: Launch, region: string | undefined): Promise<LaunchResult | undefined> {
  launch.tried.push(region ?? '(any)');
  const regional: CreateMachineRequest = { ...launch.request };
  if (region) regional.region = region;
  else delete regional.region;
  for (let inRegion = 1; inRegion <= launch.perRegion; inRegion++) {
    launch.attempts++;
    try {
      const machine = await launch.client.createMachine(launch.app, regional, callOptions(launch));
      // A create that was lost earlier may have landed after all.
      const duplicatesDestroyed = launch.ambiguous ? await destroyOthers(launch, machine.id) : [];
      return { machine, region: machine.region ?? region, attempts: launch.attempts, foundByNonce: false, duplicatesDestroyed };
    } catch (err) {
      const next = await afterFailedCreate(launch, region, inRegion, err);
      if (next === 'next-region') return undefined;
      if (next !== 'retry') return next;
    }
  }
  return undefined;
}

/**
 * What a failed create means: try again (after a pause), move on to the next
 * region, the machine found by its nonce after all, or (thrown) the end.
 */
async function afterFailedCreate(launch: Launch, region: string | undefined, inRegion: number, err: unknown): Promise<LaunchResult | 'retry' | 'next-region'> {
  if (isAbortError(err) || launch.signal?.aborted) throw err;
  const report = (next: NextStep) => launch.options.onFailure?.({ attempt: launch.attempts, region, error: err, next });
  // A capacity refusal is definite (no machine), even when sent as a 5xx.
  if (isCapacityError(err)) {
    report('next-region');
    launch.capacityNotes.push(`${region ?? '(any)'}: ${describe(err)}`);
    return 'next-region';
  }
  if (isAmbiguousFailure(err)) {
    launch.ambiguous = true;
    report('lookup');
    const found = await lookUpAfterLostCreate(launch, err);
    const [first, ...extra] = found;
    if (first) {
      const duplicatesDestroyed = await destroyAll(launch, extra);
      return { machine: first, region: first.region ?? region, attempts: launch.attempts, foundByNonce: true, duplicatesDestroyed };
    }
    await launch.pause(inRegion);
    return 'retry';
  }
  if (err instanceof FlyApiError && err.status === 429) {
    report('retry');
    await launch.pause(inRegion);
    return 'retry';
  }
  report('fail');
  throw new FlyLaunchError(`Fly refused to create the machine in ${launch.app}${region ? ` (region ${region})` : ''}: ${describe(err)}`, {
    attempts: launch.attempts,
    regionsTried: launch.tried,
    mayExist: launch.ambiguous,
    cause: err,
  });
}

/** The machines a create without an answer may have made; when Fly cannot tell us, a FlyLaunchError that says one may exist. */
async function lookUpAfterLostCreate(launch: Launch, err: unknown): Promise<Machine[]> {
  try {
    return await lookUp(launch);
  } catch (lookupErr) {
    if (isAbortError(lookupErr) || launch.signal?.aborted) throw lookupErr;
    throw new FlyLaunchError(
      `Creating the machine in ${launch.app} got no clear answer (${describe(err)}), and looking it up by ${launch.nonceKey}=${launch.nonce} failed too (${describe(lookupErr)}). A machine may exist; the post step finds it by the same nonce.`,
      { attempts: launch.attempts, regionsTried: launch.tried, mayExist: true, cause: lookupErr },
    );
  }
}

/** Live machines that carry our nonce, oldest first; throws when Fly cannot tell us. */
async function lookUp(launch: Launch): Promise<Machine[]> {
  const { app, nonce, nonceKey, signal } = launch;
  const filter = { metadata: { [nonceKey]: nonce } };
  for (let n = 1; ; n++) {
    try {
      const found = await launch.client.listMachines(app, filter, callOptions(launch));
      return found
        .filter((m) => m.config?.metadata?.[nonceKey] === nonce && !GONE_STATES.has(String(m.state)))
        .sort((a, b) => String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')));
    } catch (err) {
      if (isAbortError(err) || signal?.aborted || n >= launch.lookupAttempts) throw err;
      await launch.pause(n);
    }
  }
}

/** Destroys every other machine with our nonce; returns their ids. */
async function destroyOthers(launch: Launch, keepId: string): Promise<string[]> {
  const others = (await lookUp(launch)).filter((m) => m.id !== keepId);
  return destroyAll(launch, others);
}

async function destroyAll(launch: Launch, machines: Machine[]): Promise<string[]> {
  const destroyed: string[] = [];
  for (const m of machines) {
    await launch.client.destroyMachine(launch.app, m.id, callOptions(launch));
    destroyed.push(m.id);
  }
  return destroyed;
}

function callOptions(launch: Launch): { signal?: AbortSignal } {
  return launch.signal ? { signal: launch.signal } : {};
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
