import { describe, expect, it } from 'vitest';
import { MachineReader, type ExecResult } from '../../src/transport/machine-reader.ts';
import { decodeReadAnswer, isDrained, ReadProtocolError } from '../../src/transport/read-answer.ts';

type Channel = 'setup' | 'out' | 'err';

/** A machine as the reader protocol describes it: channel files that grow, a state, answers by offset. */
class FakeMachine {
  files: Record<Channel, Buffer> = { setup: Buffer.alloc(0), out: Buffer.alloc(0), err: Buffer.alloc(0) };
  state = 'running';
  exitCode: number | null = null;
  calls = 0;
  /** Per call number: what goes wrong. 'throw' = the exec call fails; 'lose' = the machine answers but the answer is lost. */
  faults = new Map<number, 'throw' | 'lose' | 'nonzero'>();

  append(channel: Channel, text: string): void {
    this.files[channel] = Buffer.concat([this.files[channel], Buffer.from(text)]);
  }

  exec = async (command: string[]): Promise<ExecResult> => {
    this.calls++;
    const fault = this.faults.get(this.calls);
    if (fault === 'throw') throw new Error('connection reset');
    if (fault === 'nonzero') return { exitCode: 1, stdout: '', stderr: 'cfa-read: boom' };
    const arg = (name: string) => Number(command[command.indexOf(`--${name}`) + 1]);
    let budget = arg('max-bytes');
    const channels: Record<string, unknown> = {};
    for (const c of ['setup', 'out', 'err'] as Channel[]) {
      const offset = Math.min(arg(c), this.files[c].length);
      const take = Math.min(budget, this.files[c].length - offset);
      budget -= take;
      const data = this.files[c].subarray(offset, offset + take);
      channels[c] = { offset, next: offset + take, size: this.files[c].length, data: data.toString('base64') };
    }
    const stdout = JSON.stringify({ v: 1, state: this.state, reason: this.state === 'exited' ? 'exited' : null, exit_code: this.exitCode, channels });
    if (fault === 'lose') throw new Error('socket hang up');
    return { exitCode: 0, stdout, stderr: '' };
  };
}

function collect() {
  const got: Record<Channel, Buffer[]> = { setup: [], out: [], err: [] };
  const order: Channel[] = [];
  return {
    onBytes: (c: Channel, data: Buffer) => {
      got[c].push(Buffer.from(data));
      order.push(c);
    },
    text: (c: Channel) => Buffer.concat(got[c]).toString(),
    order,
  };
}

const noSleep = async () => undefined;

describe('MachineReader', () => {
  it('delivers every byte exactly once across small bounds, failed calls and lost answers', async () => {
    const machine = new FakeMachine();
    machine.append('setup', 'cloning\n');
    machine.append('out', '{"type":"system"}\n'.repeat(50));
    machine.append('err', 'warn\n');
    machine.state = 'exited';
    machine.exitCode = 0;
    for (const n of [2, 5, 6, 9]) machine.faults.set(n, n % 2 ? 'lose' : 'throw');
    machine.faults.set(11, 'nonzero');
    const sink = collect();
    const reader = new MachineReader({ exec: machine.exec, onBytes: sink.onBytes, maxBytes: 37, sleep: noSleep });
    const end = await reader.readUntilDrained();
    expect(end.kind).toBe('drained');
    for (const c of ['setup', 'out', 'err'] as Channel[]) expect(sink.text(c)).toBe(machine.files[c].toString());
    expect(reader.offsets).toEqual({ setup: 8, out: machine.files.out.length, err: 5 });
  });

  it('keeps reading while the machine runs and output grows, until exited and drained', async () => {
    const machine = new FakeMachine();
    const sink = collect();
    let step = 0;
    const exec = async (command: string[]) => {
      step++;
      if (step === 2) machine.append('out', 'line 1\n');
      if (step === 4) machine.append('out', 'line 2\n');
      if (step === 5) {
        machine.state = 'exited';
        machine.exitCode = 3;
      }
      return machine.exec(command);
    };
    const answers: string[] = [];
    const reader = new MachineReader({ exec, onBytes: sink.onBytes, sleep: noSleep, onAnswer: (a) => answers.push(a.state) });
    const end = await reader.readUntilDrained();
    expect(end).toMatchObject({ kind: 'drained', answer: { exitCode: 3, reason: 'exited' } });
    expect(sink.text('out')).toBe('line 1\nline 2\n');
    expect(answers.at(-1)).toBe('exited');
  });

  it('asks for the long poll while running and for an immediate answer once exited', async () => {
    const machine = new FakeMachine();
    const waits: number[] = [];
    const exec = async (command: string[]) => {
      waits.push(Number(command[command.indexOf('--wait-ms') + 1]));
      if (waits.length === 1) machine.append('out', 'x'.repeat(10));
      if (waits.length === 2) machine.state = 'exited';
      return machine.exec(command);
    };
    const reader = new MachineReader({ exec, onBytes: () => undefined, sleep: noSleep, waitMs: 4000, maxBytes: 4 });
    await reader.readUntilDrained();
    expect(waits.slice(0, 2)).toEqual([4000, 4000]);
    expect(waits.slice(2).every((w) => w === 0)).toBe(true);
  });

  it('puts Claude\'s last output before the supervisor\'s closing lines once exited', async () => {
    const machine = new FakeMachine();
    machine.append('setup', 'cfa: claude exited with code 0\n');
    machine.append('out', '{"type":"result"}\n');
    machine.state = 'exited';
    const sink = collect();
    await new MachineReader({ exec: machine.exec, onBytes: sink.onBytes, sleep: noSleep }).readUntilDrained();
    expect(sink.order).toEqual(['out', 'setup']);
  });

  it('ends as gone when reads keep failing and the machine is gone', async () => {
    let asked = 0;
    const reader = new MachineReader({
      exec: async () => {
        throw new Error('machine not started (412)');
      },
      onBytes: () => undefined,
      sleep: noSleep,
      failuresBeforeCheck: 3,
      isMachineGone: async () => ++asked >= 2,
    });
    const end = await reader.readUntilDrained();
    expect(end.kind).toBe('gone');
    expect(asked).toBe(2);
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const machine = new FakeMachine();
    let calls = 0;
    const exec = async (command: string[]) => {
      if (++calls === 3) controller.abort();
      return machine.exec(command);
    };
    const end = await new MachineReader({ exec, onBytes: () => undefined, sleep: noSleep, signal: controller.signal }).readUntilDrained();
    expect(end.kind).toBe('aborted');
    expect(calls).toBe(3);
  });
});

describe('decodeReadAnswer', () => {
  const channel = (data = '', offset = 0) => ({
    offset,
    next: offset + Buffer.from(data).length,
    size: offset + Buffer.from(data).length,
    data: Buffer.from(data).toString('base64'),
  });

  it('decodes a valid answer and tells when it is drained', () => {
    const answer = decodeReadAnswer(JSON.stringify({ v: 1, state: 'exited', reason: 'exited', exit_code: 0, channels: { setup: channel(), out: channel('hi\n'), err: channel() } }));
    expect(answer.channels.out.data.toString()).toBe('hi\n');
    expect(isDrained(answer)).toBe(true);
  });

  it.each([
    ['not JSON', 'oops'],
    ['another version', JSON.stringify({ v: 2, state: 'running', channels: {} })],
    ['an unknown state', JSON.stringify({ v: 1, state: 'dancing', channels: {} })],
    ['a missing channel', JSON.stringify({ v: 1, state: 'running', channels: { setup: channel(), out: channel() } })],
    ['bytes that do not span their offsets', JSON.stringify({ v: 1, state: 'running', channels: { setup: channel(), out: { offset: 0, next: 5, size: 5, data: 'aGk=' }, err: channel() } })],
  ])('rejects %s', (_what, text) => {
    expect(() => decodeReadAnswer(text)).toThrow(ReadProtocolError);
  });
});
