// The launch phase: one machine for this run, found again by its nonce if the
// create answer is lost, its id in action state (and told to the run, which
// destroys whatever was created) the moment it is known, then started.
import { randomBytes } from 'node:crypto';
import { STATE, type StateStore } from '../action-state.ts';
import type { FlyClient } from '../fly/client.ts';
import { createMachineIdempotent } from '../fly/launch.ts';
import { assertNoSecrets, buildMachineConfig, runMetadata } from '../fly/machine-config.ts';
import type { Machine } from '../fly/types.ts';
import type { EventInfo } from '../github/event.ts';
import type { Settings } from '../settings.ts';

/**
 * The image's default CFA_DEADLINE_GRACE_SECONDS: how long past the run's end
 * (CFA_DEADLINE) a machine lives before it ends on its own. The post step's
 * sweep takes a machine as expired only after both. The image, not the action,
 * owns its durations (grace, handover wait, linger).
 */
export const DEADLINE_GRACE_SECONDS = 300;
/** Longest we wait for a created machine to start. */
export const START_TIMEOUT_MS = 5 * 60_000;

export type LaunchClient = Pick<
  FlyClient,
  'createMachine' | 'listMachines' | 'destroyMachine' | 'waitForState' | 'getMachine' | 'exec' | 'timing'
>;

export interface LaunchedMachine {
  machine: Machine;
  region: string;
  /** ms from the create call to `started`. */
  startMs: number;
  deadlineEpochSeconds: number;
}

export function newNonce(): string {
  return randomBytes(12).toString('hex');
}

export async function launchMachine(options: {
  fly: LaunchClient;
  settings: Settings;
  event: EventInfo;
  state: StateStore;
  now: () => number;
  signal?: AbortSignal;
  onNote?: (line: string) => void;
  /** Told the machine's id the moment it is known, before it has started (so a cancel can destroy it). */
  onCreated?: (machine: Machine) => void;
}): Promise<LaunchedMachine> {
  const { fly, settings, event, state, now, signal } = options;
  const note = options.onNote ?? (() => undefined);
  const nonce = newNonce();
  state.save(STATE.nonce, nonce);
  state.save(STATE.app, settings.fly.app);
  state.save(STATE.apiUrl, settings.fly.apiUrl);

  const runEndEpochSeconds = Math.ceil(now() / 1000 + settings.timeoutMinutes * 60);
  const deadlineEpochSeconds = runEndEpochSeconds + DEADLINE_GRACE_SECONDS;
  const request = buildMachineConfig({
    image: settings.fly.image,
    guest: settings.fly.guest,
    env: { CFA_DEADLINE: String(runEndEpochSeconds) },
    metadata: runMetadata({
      nonce,
      runId: String(event.runId),
      runAttempt: String(event.runAttempt),
      job: event.job,
      deadlineEpochSeconds,
    }),
  });
  // Fly returns a machine's config in plain text to anyone with an app token, even after destroy.
  assertNoSecrets(request, settings.secrets);

  note(`Starting a ${settings.fly.sizeName} (${settings.fly.guest.memoryMb} MB) machine in app ${settings.fly.app} with ${settings.fly.image}`);
  const createdAt = now();
  const launched = await createMachineIdempotent(fly, {
    app: settings.fly.app,
    request,
    regions: settings.fly.regions,
    nonce,
    signal,
    onFailure: ({ attempt, region, error, next }) =>
      note(`machine create attempt ${attempt}${region ? ` in ${region}` : ''} failed (${(error as Error).message}); ${next}`),
  });
  const machine = launched.machine;
  state.save(STATE.machineId, machine.id);
  options.onCreated?.(machine);
  if (launched.foundByNonce) note(`the create answer was lost; found machine ${machine.id} by its nonce`);

  while (now() - createdAt < START_TIMEOUT_MS) {
    if (signal?.aborted) throw new Error('cancelled while the machine was starting');
    const started = await fly.waitForState(
      settings.fly.app,
      machine.id,
      { state: 'started', timeoutSeconds: 60, instanceId: machine.instance_id },
      { signal },
    );
    if (started) {
      const region = machine.region ?? launched.region ?? '';
      const startMs = now() - createdAt;
      note(`Machine ${machine.id} started in ${region || "Fly's choice of region"} after ${(startMs / 1000).toFixed(1)} s`);
      return { machine, region, startMs, deadlineEpochSeconds };
    }
    const current = await fly.getMachine(settings.fly.app, machine.id, { signal });
    if (current.state === 'failed' || current.state === 'destroyed' || current.state === 'stopped') {
      throw new Error(`machine ${machine.id} did not start: it is ${current.state}`);
    }
  }
  throw new Error(`machine ${machine.id} did not start within ${START_TIMEOUT_MS / 60_000} minutes`);
}
