// One run as a list of phases: checks -> launch -> hand over -> stream ->
// destroy -> report. Each phase is a function of its own module with a typed
// result; what they share (the log, the one stop signal, the live comment, the
// record of what was created) is the RunContext. Everything outside (Fly,
// GitHub, the log, action state, the clock, cancellation) comes in through
// RunDeps, so the whole flow runs under tests against the emulator and fakes.
import { buildHandover } from '../machine/handover.ts';
import { runChecks } from './checks.ts';
import { destroyCreated } from './end-machine.ts';
import { handOver } from './hand-over.ts';
import { launchMachine } from './launch-machine.ts';
import { openLiveComment } from './live-comment.ts';
import { reportRun, skipRun, type RunEnded, type RunResult } from './report-run.ts';
import { openRun, type RunContext, type RunDeps } from './run-context.ts';
import { streamOutput } from './stream-output.ts';

export type { RunDeps } from './run-context.ts';
export type { RunResult } from './report-run.ts';

export async function runClaudeOnFly(deps: RunDeps): Promise<RunResult> {
  const ctx = openRun(deps);
  const ran = await untilTheMachineEnds(ctx);
  if ('skip' in ran) return skipRun(ctx, ran.skip);
  // Whatever happened above, a machine that was created is destroyed here.
  const machine = await destroyCreated(ctx);
  return reportRun(ctx, { ...ran, machine });
}

/** checks -> launch -> hand over -> stream. A failure ends the list; a cancel ends it without being a failure. */
async function untilTheMachineEnds(ctx: RunContext): Promise<RunEnded | { skip: string }> {
  const { deps, settings, event, stop } = ctx;
  try {
    stop.throwIfCancelled();
    const checks = await runChecks({ settings, event, github: deps.github, remoteRefs: deps.remoteRefs });
    if (checks.kind === 'skip') return { skip: checks.notice };
    for (const line of checks.notes) ctx.note(line);
    ctx.record.clones = checks.clones;
    for (const c of checks.clones) ctx.note(`Cloning ${c.repo} at ${c.sha} (${c.what})`);
    const comment = await openLiveComment({ ...deps, settings, event, onWarning: (m) => ctx.log.warning(m) });
    ctx.comment.attach(comment);

    stop.throwIfCancelled();
    const launched = await launchMachine({
      ...deps,
      signal: stop.signal,
      onNote: (line) => ctx.note(line),
      onCreated: (machine) => (ctx.record.createdId = machine.id),
    });
    ctx.record.launched = launched;
    const machineId = launched.machine.id;
    const handover = buildHandover(settings, event.serverUrl, checks.clones);
    await handOver({ fly: deps.fly, app: settings.fly.app, machineId, handover, signal: stop.signal });
    return { stream: await streamOutput(ctx, machineId) };
  } catch (err) {
    return stop.cancelled ? {} : { failure: (err as Error).message };
  } finally {
    stop.dispose();
  }
}
