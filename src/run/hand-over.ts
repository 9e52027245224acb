// The hand-over phase: credentials, prompt and settings reach the started
// machine over the exec endpoint's stdin (never its config, which Fly keeps in
// plain text), sent again only when it is unknown whether the image got them.
import { backoffDelay, DEFAULT_RETRY } from '../fly/backoff.ts';
import type { FlyClient } from '../fly/client.ts';
import { isAbortError, isAmbiguousFailure } from '../fly/errors.ts';
import { realSleep } from '../fly/request.ts';
import type { ExecResult } from '../fly/types.ts';
import type { Handover } from '../machine/handover.ts';

export class HandoverError extends Error {
  override name = 'HandoverError';
}

/** Sends credentials, prompt and settings to the image's `cfa-handover` over exec stdin. */
export async function handOver(options: {
  fly: Pick<FlyClient, 'exec'>;
  app: string;
  machineId: string;
  handover: Handover;
  signal?: AbortSignal;
  /** Sends tried in all after failures that leave it unknown whether the image got the handover; default 4. */
  attempts?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}): Promise<void> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const sleep = options.sleep ?? realSleep;
  let unanswered = false;
  for (let attempt = 1; ; attempt++) {
    let result: ExecResult;
    try {
      result = await options.fly.exec(options.app, options.machineId, {
        command: ['cfa-handover'],
        stdin: JSON.stringify(options.handover),
        timeoutSeconds: 30,
        signal: options.signal,
      });
    } catch (err) {
      // No answer, or a 408/5xx: the image may or may not have stored it. Sending again is safe,
      // because the image refuses a second handover (exit 3), which then says the first one landed.
      if (isAbortError(err) || options.signal?.aborted || !isAmbiguousFailure(err) || attempt >= attempts) {
        throw new HandoverError(`handing the prompt and credentials to machine ${options.machineId} failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      unanswered = true;
      await sleep(backoffDelay(attempt, Math.random, DEFAULT_RETRY), options.signal);
      continue;
    }
    if (result.exitCode === 0) return;
    if (result.exitCode === HANDOVER_ALREADY_RECEIVED && unanswered) return;
    let why = (result.stdout || result.stderr).trim().slice(0, 300);
    try {
      why = (JSON.parse(result.stdout) as { error?: string }).error ?? why;
    } catch {
      // keep the raw text
    }
    throw new HandoverError(`the machine refused the handover (exit ${result.exitCode}): ${why}`);
  }
}

/** cfa-handover's exit status for "a handover was already received". */
const HANDOVER_ALREADY_RECEIVED = 3;
