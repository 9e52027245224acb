// The live transport: calls the image's `cfa-read` over Fly exec again and
// again, from the byte offsets already consumed, and hands each channel's new
// bytes on exactly once. A failed or timed-out exec is simply asked again from
// the same offsets, so nothing is lost or repeated. Pacing against Fly's
// per-machine exec limit is the Fly client's rate limiter's job.
import { CHANNELS, decodeReadAnswer, isDrained, type Channel, type ReadAnswer } from './read-answer.ts';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type ExecFn = (command: string[], timeoutSeconds: number, signal?: AbortSignal) => Promise<ExecResult>;

export interface MachineReaderOptions {
  exec: ExecFn;
  onBytes: (channel: Channel, data: Buffer) => void;
  /** Every decoded answer (state changes, exit code). */
  onAnswer?: (answer: ReadAnswer) => void;
  /** Long-poll bound passed to the reader, ms. */
  waitMs?: number;
  /** Raw bytes per answer. */
  maxBytes?: number;
  /** Failed reads in a row before asking whether the machine is gone. */
  failuresBeforeCheck?: number;
  /** Asked after repeated failures; true ends reading ('gone'). */
  isMachineGone?: () => Promise<boolean>;
  onFailure?: (error: unknown, consecutive: number) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

export type ReadEnd =
  | { kind: 'drained'; answer: ReadAnswer }
  | { kind: 'gone'; answer: ReadAnswer | undefined }
  | { kind: 'aborted'; answer: ReadAnswer | undefined };

export const READ_COMMAND = 'cfa-read';
const EXIT_ORDER: readonly Channel[] = ['out', 'err', 'setup'];

export class MachineReader {
  readonly offsets: Record<Channel, number> = { setup: 0, out: 0, err: 0 };
  private last: ReadAnswer | undefined;
  private readonly options: Required<Omit<MachineReaderOptions, 'onAnswer' | 'isMachineGone' | 'onFailure' | 'signal'>> &
    MachineReaderOptions;

  constructor(options: MachineReaderOptions) {
    this.options = {
      waitMs: 5000,
      maxBytes: 1024 * 1024,
      failuresBeforeCheck: 3,
      sleep: defaultSleep,
      ...options,
    };
  }

  get lastAnswer(): ReadAnswer | undefined {
    return this.last;
  }

  command(waitMs = this.options.waitMs): string[] {
    return [
      READ_COMMAND,
      '--setup',
      String(this.offsets.setup),
      '--out',
      String(this.offsets.out),
      '--err',
      String(this.offsets.err),
      '--max-bytes',
      String(this.options.maxBytes),
      '--wait-ms',
      String(waitMs),
    ];
  }

  /** One read: delivers new bytes, advances offsets, returns the answer. Throws on failure. */
  async readOnce(waitMs = this.options.waitMs): Promise<ReadAnswer> {
    const timeoutSeconds = Math.ceil(waitMs / 1000) + 10;
    const result = await this.options.exec(this.command(waitMs), timeoutSeconds, this.options.signal);
    if (result.exitCode !== 0) {
      throw new Error(`${READ_COMMAND} exited with ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(0, 300)}`);
    }
    const answer = decodeReadAnswer(result.stdout);
    // Setup lines come first while the machine prepares; once Claude has exited, its last
    // output goes before the supervisor's closing lines ("claude exited with code 0").
    const order = answer.state === 'exited' ? EXIT_ORDER : CHANNELS;
    for (const channel of order) {
      const read = answer.channels[channel];
      const have = this.offsets[channel];
      // Only bytes that start at or before our offset and reach past it are new.
      if (read.offset > have) throw new Error(`${channel}: answer starts at ${read.offset}, past ${have}`);
      if (read.next > have) {
        this.options.onBytes(channel, read.data.subarray(have - read.offset));
        this.offsets[channel] = read.next;
      }
    }
    this.last = answer;
    this.options.onAnswer?.(answer);
    return answer;
  }

  /** Reads until the machine reports `exited` with every channel drained, the machine is gone, or the signal aborts. */
  async readUntilDrained(): Promise<ReadEnd> {
    let failures = 0;
    const signal = this.options.signal;
    while (!signal?.aborted) {
      try {
        const answer = await this.readOnce(this.last?.state === 'exited' ? 0 : this.options.waitMs);
        failures = 0;
        if (isDrained(answer)) return { kind: 'drained', answer };
      } catch (error) {
        if (signal?.aborted) break;
        failures++;
        this.options.onFailure?.(error, failures);
        if (failures % this.options.failuresBeforeCheck === 0 && this.options.isMachineGone) {
          if (await this.options.isMachineGone().catch(() => false)) return { kind: 'gone', answer: this.last };
        }
        await this.options.sleep(Math.min(500 * 2 ** Math.min(failures - 1, 4), 5000), signal).catch(() => undefined);
      }
    }
    return { kind: 'aborted', answer: this.last };
  }
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
