// The post step's cleanup: force-destroy the machine main named in state and
// the one tagged with this step's nonce (a lost create answer, a killed main),
// never by run and job alone (matrix legs share them); then destroy any
// machine of this action in the app whose deadline tag has passed. 404 = done.
import type { FlyClient } from '../fly/client.ts';
import { ACTION_TAG, METADATA_KEYS } from '../fly/machine-config.ts';
import type { Machine } from '../fly/types.ts';
import { MAX_TIMEOUT_MINUTES } from '../settings.ts';

export interface CleanupResult {
  destroyed: string[];
  alreadyGone: string[];
  failed: { id: string; error: string }[];
  expired: string[];
}

const GONE = new Set(['destroyed', 'destroying']);

export async function cleanupMachines(options: {
  fly: Pick<FlyClient, 'destroyMachine' | 'listMachines'>;
  app: string;
  machineId: string | undefined;
  nonce: string | undefined;
  nowMs: number;
  note: (line: string) => void;
}): Promise<CleanupResult> {
  const { fly, app, note } = options;
  const result: CleanupResult = { destroyed: [], alreadyGone: [], failed: [], expired: [] };
  const done = new Set<string>();
  const destroy = async (id: string, why: string) => {
    if (done.has(id)) return;
    done.add(id);
    try {
      const answer = await fly.destroyMachine(app, id);
      if (answer === 'gone') result.alreadyGone.push(id);
      else {
        result.destroyed.push(id);
        note(`destroyed machine ${id} (${why})`);
      }
    } catch (err) {
      result.failed.push({ id, error: (err as Error).message });
    }
  };

  if (options.machineId) await destroy(options.machineId, 'named in state');
  if (options.nonce) {
    try {
      const tagged = await fly.listMachines(app, { metadata: { [METADATA_KEYS.nonce]: options.nonce } });
      for (const m of tagged) if (!GONE.has(m.state ?? '')) await destroy(m.id, 'tagged with this step\'s nonce');
    } catch (err) {
      result.failed.push({ id: `nonce ${options.nonce}`, error: (err as Error).message });
    }
  }
  try {
    const ours = await fly.listMachines(app, { metadata: { [METADATA_KEYS.action]: ACTION_TAG } });
    for (const m of ours) {
      if (GONE.has(m.state ?? '') || !isExpired(m, options.nowMs)) continue;
      result.expired.push(m.id);
      await destroy(m.id, 'its deadline has passed');
    }
  } catch (err) {
    note(`could not look for expired machines: ${(err as Error).message}`);
  }
  return result;
}

/** The image's own wait past CFA_DEADLINE for the action to read and destroy (its CFA_DEADLINE_GRACE_SECONDS). */
export const IMAGE_DEADLINE_GRACE_MS = 300_000;
const MAX_TIMEOUT_MS = MAX_TIMEOUT_MINUTES * 60_000;

/**
 * Whether nobody can still be using a machine of this action: its deadline tag has passed, AND it
 * is older than its creation plus its timeout plus the grace. Metadata can be rewritten by anything
 * that reaches Fly's machine API (`/.fly/api` on every machine of the app), so the tag alone never
 * condemns a machine: its age counts from created_at, which Fly sets, and its timeout from the
 * CFA_DEADLINE it was created with (the longest timeout the action allows when that is unreadable).
 */
export function isExpired(machine: Machine, nowMs: number): boolean {
  const tagged = Number(machine.config?.metadata?.[METADATA_KEYS.deadline]);
  if (!Number.isFinite(tagged) || tagged * 1000 > nowMs) return false;
  const createdMs = Date.parse(machine.created_at ?? '');
  if (!Number.isFinite(createdMs)) return false;
  const deadline = Number(machine.config?.env?.CFA_DEADLINE);
  const timeoutMs = Number.isFinite(deadline) ? Math.min(Math.max(deadline * 1000 - createdMs, 0), MAX_TIMEOUT_MS) : MAX_TIMEOUT_MS;
  return nowMs >= createdMs + timeoutMs + IMAGE_DEADLINE_GRACE_MS;
}
