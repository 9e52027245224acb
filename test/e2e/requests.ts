// The Fly API requests the emulator recorded, picked out by what they ask for.
import type { RecordedRequest } from '../fly/emulator.ts';
import type { World } from './world.ts';

export const isCreate = (r: RecordedRequest) => r.method === 'POST' && /\/machines$/.test(r.path);
export const isDestroy = (r: RecordedRequest) => r.method === 'DELETE' && r.machineId !== undefined;
/** The command line of an exec request's body ([] when it has none). */
export const execCommand = (body: unknown): string[] => ((body as { command?: string[] } | undefined)?.command ?? []);

/** The machine create requests the emulator saw from one run on. */
export function createRequests(world: World, fromSeq = 0): RecordedRequest[] {
  return world.fly.requests.filter((r) => r.seq > fromSeq && isCreate(r));
}

/** The sequence number of the last request the emulator saw (0 before any). */
export function lastSeq(world: World): number {
  return world.fly.requests.at(-1)?.seq ?? 0;
}
