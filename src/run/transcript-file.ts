// The raw stream-json transcript, one line per output line, written as it
// arrives so a cancelled or crashed run still leaves what was read.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export class TranscriptFile {
  private readonly stream: WriteStream;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: 'w' });
  }

  /** Appends one line; the newline is added here. */
  write(line: string): void {
    this.stream.write(`${line}\n`);
  }

  /** Resolves once everything written is flushed to the file. */
  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
