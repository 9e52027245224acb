// Fast file output for the generator: strings are encoded into one of two
// reused 1 MiB buffers; a full buffer goes to the write stream while the other
// fills, and is only refilled once the stream has taken it. Text too large for
// a buffer goes to the stream as it is.

import { Buffer } from 'node:buffer';
import { createWriteStream, type WriteStream } from 'node:fs';

const BUFFER_BYTES = 1 << 20;

export class ChunkWriter {
  private readonly stream: WriteStream;
  private readonly buffers = [Buffer.allocUnsafe(BUFFER_BYTES), Buffer.allocUnsafe(BUFFER_BYTES)];
  /** Resolves when the stream has finished with that buffer. */
  private readonly inFlight: (Promise<void> | undefined)[] = [undefined, undefined];
  private current = 0;
  private used = 0;
  /** Bytes accepted so far (written or buffered). */
  bytes = 0;

  constructor(file: string) {
    this.stream = createWriteStream(file);
  }

  /** Appends text; await it (it only waits when a buffer has to be handed over). */
  async write(text: string): Promise<void> {
    // UTF-16 length x3 bounds the UTF-8 length: checking it avoids measuring every string.
    if (text.length * 3 <= BUFFER_BYTES - this.used) {
      const n = this.buffers[this.current]!.write(text, this.used, 'utf8');
      this.used += n;
      this.bytes += n;
      return;
    }
    await this.flush();
    if (text.length * 3 <= BUFFER_BYTES) {
      await this.write(text);
      return;
    }
    this.bytes += Buffer.byteLength(text);
    await this.send(text);
  }

  async close(): Promise<void> {
    await this.flush();
    await Promise.all(this.inFlight);
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    const slot = this.current;
    this.inFlight[slot] = this.send(this.buffers[slot]!.subarray(0, this.used));
    this.current = 1 - slot;
    this.used = 0;
    // The other buffer is about to be filled: wait until the stream is done with it.
    await this.inFlight[this.current];
    this.inFlight[this.current] = undefined;
  }

  private send(data: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }
}
