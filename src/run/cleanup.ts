// The post step's cleanup: force-destroy the machine main named in state and
// the one tagged with this step's nonce (a lost create answer, a killed main),
// never by run and job alone (matrix legs share them); then destroy any
// machine of this action in the app whose deadline tag has passed. 404 = done.
import type { FlyClient } from '../fly/client.ts';
import { ACTION_TAG, METADATA_KEYS } from '../fly/machine-config.ts';

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
      const deadline = Number(m.config?.metadata?.[METADATA_KEYS.deadline]);
      if (GONE.has(m.state ?? '') || !Number.isFinite(deadline) || deadline * 1000 > options.nowMs) continue;
      result.expired.push(m.id);
      await destroy(m.id, 'its deadline has passed');
    }
  } catch (err) {
    note(`could not look for expired machines: ${(err as Error).message}`);
  }
  return result;
}
