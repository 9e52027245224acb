// Decoding of one answer of the image's `cfa-read` (protocol v1): pure.
export const CHANNELS = ['setup', 'out', 'err'] as const;
export type Channel = (typeof CHANNELS)[number];
export type MachineState = 'waiting' | 'setup' | 'running' | 'exited';

export interface ChannelRead {
  /** The offset the answer starts at (the one asked, clamped to size). */
  offset: number;
  /** Offset after the bytes returned. */
  next: number;
  /** Size of the channel file when read. */
  size: number;
  data: Buffer;
}

export interface ReadAnswer {
  state: MachineState;
  /** Why it ended once known: exited | deadline | setup-failed | ... */
  reason: string | null;
  exitCode: number | null;
  channels: Record<Channel, ChannelRead>;
}

export class ReadProtocolError extends Error {
  constructor(message: string) {
    super(`unexpected answer from the machine's reader: ${message}`);
    this.name = 'ReadProtocolError';
  }
}

const STATES: readonly string[] = ['waiting', 'setup', 'running', 'exited'];

function nonNegativeInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ReadProtocolError(`${what} is not a byte offset`);
  }
  return value;
}

export function decodeReadAnswer(stdout: string): ReadAnswer {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout.trim());
  } catch {
    throw new ReadProtocolError(`not JSON: ${JSON.stringify(stdout.slice(0, 120))}`);
  }
  if (typeof raw !== 'object' || raw === null) throw new ReadProtocolError('not an object');
  const answer = raw as Record<string, unknown>;
  if (answer.v !== 1) throw new ReadProtocolError(`protocol version ${JSON.stringify(answer.v)} (expected 1)`);
  const state = answer.state;
  if (typeof state !== 'string' || !STATES.includes(state)) throw new ReadProtocolError(`state ${JSON.stringify(state)}`);
  const channelsRaw = answer.channels as Record<string, Record<string, unknown>> | undefined;
  const channels = {} as Record<Channel, ChannelRead>;
  for (const name of CHANNELS) {
    const c = channelsRaw?.[name];
    if (!c) throw new ReadProtocolError(`channel ${name} missing`);
    const offset = nonNegativeInt(c.offset, `${name}.offset`);
    const next = nonNegativeInt(c.next, `${name}.next`);
    const size = nonNegativeInt(c.size, `${name}.size`);
    const data = Buffer.from(typeof c.data === 'string' ? c.data : '', 'base64');
    if (next - offset !== data.length || next > size) {
      throw new ReadProtocolError(`${name}: ${data.length} bytes do not span ${offset}..${next} of ${size}`);
    }
    channels[name] = { offset, next, size, data };
  }
  const exitCode = typeof answer.exit_code === 'number' ? answer.exit_code : null;
  const reason = typeof answer.reason === 'string' && answer.reason ? answer.reason : null;
  return { state: state as MachineState, reason, exitCode, channels };
}

/** Everything written has been read and nothing more will come. */
export function isDrained(answer: ReadAnswer): boolean {
  return answer.state === 'exited' && CHANNELS.every((c) => answer.channels[c].next === answer.channels[c].size);
}
