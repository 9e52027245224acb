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

export async function createMachineIdempotent(client: LaunchClient, options: LaunchOptions): Promise<LaunchResult> {
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
  const filter = { metadata: { [nonceKey]: nonce } };
  const pause = (n: number) => sleep(backoffDelay(n, random, DEFAULT_RETRY), signal);

  /** Live machines that carry our nonce, oldest first; throws when Fly cannot tell us. */
  async function lookUp(): Promise<Machine[]> {
    for (let n = 1; ; n++) {
      try {
        const found = await client.listMachines(app, filter, signal ? { signal } : {});
        return found
          .filter((m) => m.config?.metadata?.[nonceKey] === nonce && !GONE_STATES.has(String(m.state)))
          .sort((a, b) => String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')));
      } catch (err) {
        if (isAbortError(err) || signal?.aborted || n >= lookupAttempts) throw err;
        await pause(n);
      }
    }
  }

  async function destroyOthers(keepId: string): Promise<string[]> {
    const destroyed: string[] = [];
    for (const m of await lookUp()) {
      if (m.id === keepId) continue;
      await client.destroyMachine(app, m.id, signal ? { signal } : {});
      destroyed.push(m.id);
    }
    return destroyed;
  }

  let attempts = 0;
  let ambiguous = false;
  const tried: string[] = [];
  const capacityNotes: string[] = [];
  const request: CreateMachineRequest = {
    ...options.request,
    config: { ...options.request.config, metadata: { ...options.request.config.metadata, [nonceKey]: nonce } },
  };

  for (const region of regions) {
    tried.push(region ?? '(any)');
    const regional: CreateMachineRequest = { ...request };
    if (region) regional.region = region;
    else delete regional.region;
    for (let inRegion = 1; inRegion <= perRegion; inRegion++) {
      attempts++;
      try {
        const machine = await client.createMachine(app, regional, signal ? { signal } : {});
        // A create that was lost earlier may have landed after all.
        const duplicatesDestroyed = ambiguous ? await destroyOthers(machine.id) : [];
        return { machine, region: machine.region ?? region, attempts, foundByNonce: false, duplicatesDestroyed };
      } catch (err) {
        if (isAbortError(err) || signal?.aborted) throw err;
        const report = (next: 'lookup' | 'retry' | 'next-region' | 'fail') => options.onFailure?.({ attempt: attempts, region, error: err, next });
        // A capacity refusal is definite (no machine), even when sent as a 5xx.
        if (isCapacityError(err)) {
          report('next-region');
          capacityNotes.push(`${region ?? '(any)'}: ${describe(err)}`);
          break;
        }
        if (isAmbiguousFailure(err)) {
          ambiguous = true;
          report('lookup');
          let found: Machine[];
          try {
            found = await lookUp();
          } catch (lookupErr) {
            if (isAbortError(lookupErr) || signal?.aborted) throw lookupErr;
            throw new FlyLaunchError(
              `Creating the machine in ${app} got no clear answer (${describe(err)}), and looking it up by ${nonceKey}=${nonce} failed too (${describe(lookupErr)}). A machine may exist; the post step finds it by the same nonce.`,
              { attempts, regionsTried: tried, mayExist: true, cause: lookupErr },
            );
          }
          const [first, ...extra] = found;
          if (first) {
            const duplicatesDestroyed: string[] = [];
            for (const m of extra) {
              await client.destroyMachine(app, m.id, signal ? { signal } : {});
              duplicatesDestroyed.push(m.id);
            }
            return { machine: first, region: first.region ?? region, attempts, foundByNonce: true, duplicatesDestroyed };
          }
          await pause(inRegion);
          continue;
        }
        if (err instanceof FlyApiError && err.status === 429) {
          report('retry');
          await pause(inRegion);
          continue;
        }
        report('fail');
        throw new FlyLaunchError(`Fly refused to create the machine in ${app}${region ? ` (region ${region})` : ''}: ${describe(err)}`, {
          attempts,
          regionsTried: tried,
          mayExist: ambiguous,
          cause: err,
        });
      }
    }
  }
  const why = capacityNotes.length > 0 ? `no capacity (${capacityNotes.join('; ')})` : 'no clear answer from Fly';
  throw new FlyLaunchError(`Could not create a machine in ${app} after ${attempts} attempt(s) in ${tried.join(', ')}: ${why}.`, {
    attempts,
    regionsTried: tried,
    mayExist: ambiguous,
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
