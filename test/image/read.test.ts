// cfa-read against run directories the test writes itself (no entrypoint): the
// answer's shape, exact resumption by offset, the byte budget, and the long poll.
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binDir, channelNames, read, removeTempDirs, run, runDir, tempDir } from './harness.ts';
import type { ChannelName, ReadAnswer } from './harness.ts';

afterAll(removeTempDirs);

function fakeRun(channels: Partial<Record<ChannelName, Buffer | string>>, state = 'running'): string {
  const root = path.join(tempDir('read'), 'root');
  mkdirSync(path.join(runDir(root), 'channels'), { recursive: true });
  for (const name of channelNames) writeFileSync(path.join(runDir(root), 'channels', name), channels[name] ?? '');
  writeFileSync(path.join(runDir(root), 'state'), `${state}\n`);
  return root;
}

const bytes = (answer: ReadAnswer, name: ChannelName): Buffer => Buffer.from(answer.channels[name].data, 'base64');

/** Pseudo-random bytes, every value 0..255 included, reproducible. */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 16;
  }
  return out;
}

describe('cfa-read', () => {
  it('answers the protocol shape, in ASCII, with base64 data', async () => {
    const out = Buffer.from('{"type":"x","t":"h\u00e9"}\n');
    const root = fakeRun({ setup: 'cfa: hi\n', out, err: Buffer.from([0, 255, 10]) });
    const answer = await read(root);
    expect(answer).toEqual({
      v: 1,
      state: 'running',
      reason: null,
      exit_code: null,
      channels: {
        setup: { offset: 0, next: 8, size: 8, data: Buffer.from('cfa: hi\n').toString('base64') },
        out: { offset: 0, next: 23, size: 23, data: out.toString('base64') },
        err: { offset: 0, next: 3, size: 3, data: 'AP8K' },
      },
    });
  });

  it('reports reason and exit code once exited', async () => {
    const root = fakeRun({ out: 'x' }, 'exited');
    writeFileSync(path.join(runDir(root), 'reason'), 'deadline\n');
    writeFileSync(path.join(runDir(root), 'exit_code'), '137\n');
    const answer = await read(root, ['--out', '1']);
    expect(answer).toMatchObject({ state: 'exited', reason: 'deadline', exit_code: 137 });
    expect(answer.channels.out).toEqual({ offset: 1, next: 1, size: 1, data: '' });
  });

  it('clamps offsets past the end and touches last_read', async () => {
    const root = fakeRun({ out: 'abc' });
    const answer = await read(root, ['--out', '99', '--setup', '5']);
    expect(answer.channels.out).toEqual({ offset: 3, next: 3, size: 3, data: '' });
    expect(answer.channels.setup).toEqual({ offset: 0, next: 0, size: 0, data: '' });
    expect(readFileSync(path.join(runDir(root), 'last_read'), 'utf8')).toMatch(/^\d+\.\d{6}\n$/);
  });

  it('answers "waiting" before the entrypoint has made anything', async () => {
    const root = path.join(tempDir('read'), 'root');
    const answer = await read(root);
    expect(answer.state).toBe('waiting');
    expect(answer.channels.out).toEqual({ offset: 0, next: 0, size: 0, data: '' });
  });

  it('refuses unknown or malformed arguments with exit 2', async () => {
    const root = fakeRun({});
    for (const args of [['--out'], ['--out', '-1'], ['--wait', '5'], ['--max-bytes', '1e3']]) {
      const result = await run(path.join(binDir, 'cfa-read'), args, { env: { ...process.env, CFA_ROOT: root } });
      expect(result.code, args.join(' ')).toBe(2);
      expect(JSON.parse(result.stdout)).toMatchObject({ v: 1, error: expect.any(String) as string });
    }
  });

  it('resumes exactly: all reads concatenated are the channel bytes, across any --max-bytes', async () => {
    const content = { setup: noise(700, 1), out: noise(5000, 2), err: noise(300, 3) };
    const root = fakeRun(content);
    for (const maxBytes of [1, 97, 1000, 4096]) {
      const offsets = { setup: 0, out: 0, err: 0 };
      const got: Record<ChannelName, Buffer[]> = { setup: [], out: [], err: [] };
      let reads = 0;
      while (channelNames.some((n) => offsets[n] < content[n].length)) {
        const answer = await read(root, [
          '--setup', String(offsets.setup), '--out', String(offsets.out), '--err', String(offsets.err),
          '--max-bytes', String(maxBytes),
        ]);
        let total = 0;
        for (const name of channelNames) {
          const chunk = bytes(answer, name);
          expect(answer.channels[name].offset).toBe(offsets[name]);
          expect(answer.channels[name].next).toBe(offsets[name] + chunk.length);
          total += chunk.length;
          got[name].push(chunk);
          offsets[name] = answer.channels[name].next;
        }
        expect(total).toBeGreaterThan(0);
        expect(total).toBeLessThanOrEqual(maxBytes);
        reads++;
        if (maxBytes === 1 && reads > 40) break; // one byte a read: a prefix is enough
      }
      for (const name of channelNames) {
        const joined = Buffer.concat(got[name]);
        expect(joined.equals(content[name].subarray(0, joined.length)), `${name} @ ${maxBytes}`).toBe(true);
        if (maxBytes > 1) expect(joined.length).toBe(content[name].length);
      }
    }
  });

  it('splits the budget fairly: a huge out channel does not starve setup and err', async () => {
    const root = fakeRun({ setup: 'x'.repeat(100), out: 'o'.repeat(100_000), err: 'e'.repeat(5000) });
    const answer = await read(root, ['--max-bytes', '3000']);
    expect(bytes(answer, 'setup').length).toBe(100);
    expect(bytes(answer, 'err').length).toBe(1450);
    expect(bytes(answer, 'out').length).toBe(1450);
    const tiny = await read(root, ['--max-bytes', '2']);
    expect(bytes(tiny, 'setup').length).toBe(1);
    expect(bytes(tiny, 'err').length).toBe(1);
    expect(bytes(tiny, 'out').length).toBe(0);
  });

  it('long poll: answers with the new bytes once a channel grows, well before the wait bound', async () => {
    const root = fakeRun({ out: 'old\n' });
    const started = Date.now();
    const pending = read(root, ['--out', '4', '--wait-ms', '20000']);
    await new Promise((r) => setTimeout(r, 400));
    appendFileSync(path.join(runDir(root), 'channels', 'out'), 'new line\n');
    const answer = await pending;
    expect(bytes(answer, 'out').toString()).toBe('new line\n');
    expect(answer.channels.out).toMatchObject({ offset: 4, next: 13, size: 13 });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('long poll: answers when the state changes', async () => {
    const root = fakeRun({ out: 'x' });
    const pending = read(root, ['--out', '1', '--wait-ms', '20000']);
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(path.join(runDir(root), 'reason'), 'exited\n');
    writeFileSync(path.join(runDir(root), 'exit_code'), '0\n');
    writeFileSync(path.join(runDir(root), 'state'), 'exited\n');
    const answer = await pending;
    expect(answer).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
  });

  it('long poll: answers at the wait bound when nothing comes, with no data', async () => {
    const root = fakeRun({ out: 'x' });
    const started = Date.now();
    const answer = await read(root, ['--out', '1', '--wait-ms', '600']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    expect(answer.state).toBe('running');
    expect(channelNames.map((n) => answer.channels[n].data)).toEqual(['', '', '']);
  });

  it('does not wait when the run has exited, or when there is something new already', async () => {
    const exited = fakeRun({ out: 'x' }, 'exited');
    const started = Date.now();
    await read(exited, ['--out', '1', '--wait-ms', '20000']);
    const fresh = fakeRun({ out: 'x' });
    const answer = await read(fresh, ['--wait-ms', '20000']);
    expect(bytes(answer, 'out').toString()).toBe('x');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(statSync(path.join(runDir(fresh), 'last_read')).isFile()).toBe(true);
  });

  it('once Claude has ended, holds an answer with new bytes for the `exited` that follows: one read ends the run', async () => {
    const root = fakeRun({ out: 'last line\n' });
    writeFileSync(path.join(runDir(root), 'claude_ended'), '');
    const pending = read(root, ['--wait-ms', '5000']);
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(path.join(runDir(root), 'reason'), 'exited\n');
    writeFileSync(path.join(runDir(root), 'exit_code'), '0\n');
    writeFileSync(path.join(runDir(root), 'state'), 'exited\n');
    const answer = await pending;
    expect(answer).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
    expect(bytes(answer, 'out').toString()).toBe('last line\n');
  });

  it('while Claude runs, or for a zero wait, new bytes are answered at once, without holding', async () => {
    const running = fakeRun({ out: 'x' });
    expect(await read(running, ['--wait-ms', '20000'])).toMatchObject({ state: 'running' });
    const ended = fakeRun({ out: 'x' });
    writeFileSync(path.join(runDir(ended), 'claude_ended'), '');
    // A zero wait (the read before a destroy at a timeout) never holds: it answers running.
    expect(await read(ended, ['--wait-ms', '0'])).toMatchObject({ state: 'running' });
  });
});

