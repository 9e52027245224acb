// The destroy phase: the machine the run created, whatever happened after,
// is destroyed here (the post step makes sure again); then the machine's own
// account of its life is read (exit code, OOM kill, the events that give its
// running time).
import { STATE, type StateStore } from '../action-state.ts';
import type { FlyClient } from '../fly/client.ts';
import { exitInfoFromEvents } from '../fly/exit.ts';
import type { Machine } from '../fly/types.ts';
import type { RunContext } from './run-context.ts';
import { callBudget } from './wrap-up.ts';

const DESTROY_MS = 60_000;
const READ_EVENTS_MS = 15_000;

export interface MachineEnd {
  /** The machine's events (for its running time); undefined when they could not be read. */
  events: Machine['events'];
  /** From the machine's exit event, when it has one. */
  exitCode: number | undefined;
  oomKilled: boolean;
}

export async function endMachine(options: {
  fly: FlyClient;
  app: string;
  machineId: string;
  state: StateStore;
  /** The run's cancel signal: a cancelled run destroys within the runner's grace and reads nothing more. */
  cancel: AbortSignal;
  /** Epoch ms of the runner's SIGKILL once cancelled (the destroy must end before it). */
  cancelEndBy: () => number | undefined;
  onNote: (line: string) => void;
  onWarning: (line: string) => void;
}): Promise<MachineEnd> {
  const { fly, app, machineId: id, cancel } = options;
  const end: MachineEnd = { events: undefined, exitCode: undefined, oomKilled: false };
  // A cancel that arrives mid-destroy shortens it too: the step must still report before its SIGKILL.
  const budget = callBudget({ cancel, cancelEndBy: options.cancelEndBy, normalMs: DESTROY_MS });
  try {
    await fly.destroyMachine(app, id, { signal: budget.signal });
    options.state.save(STATE.destroyed, 'true');
    options.onNote(`Machine ${id} destroyed.`);
  } catch (err) {
    options.onWarning(`Could not destroy machine ${id} (${(err as Error).message}); the post step will try again.`);
  } finally {
    budget.dispose();
  }
  if (cancel.aborted) return end;
  try {
    const machine = await fly.getMachine(app, id, { signal: AbortSignal.timeout(READ_EVENTS_MS) });
    end.events = machine.events;
    const exit = exitInfoFromEvents(machine.events);
    end.oomKilled = exit.oomKilled;
    end.exitCode = exit.exitCode;
  } catch {
    // The report goes on without the machine's events.
  }
  return end;
}

/** Destroys whatever machine the run created (known from the create answer on); undefined when none was. */
export async function destroyCreated(ctx: RunContext): Promise<MachineEnd | undefined> {
  const machineId = ctx.record.createdId;
  if (!machineId) return undefined;
  const end = await endMachine({
    fly: ctx.deps.fly,
    app: ctx.settings.fly.app,
    machineId,
    state: ctx.deps.state,
    cancel: ctx.stop.cancel,
    cancelEndBy: () => ctx.cancelEndBy(),
    onNote: (line) => ctx.note(line),
    onWarning: (line) => ctx.log.warning(line),
  });
  ctx.record.machineEvents = end.events;
  return end;
}
