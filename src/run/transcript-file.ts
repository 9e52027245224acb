// The raw stream-json transcript, written as it arrives so a cancelled or
// crashed run still leaves what was read: the machine's bytes, line endings
// included, with only the run's secrets replaced by ***.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { LineEnding } from '../stream/lines.ts';

export class TranscriptFile {
  private readonly stream: WriteStream;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: 'w' });
  }

  /** Appends one line with the ending it had on the machine. */
  write(line: string, ending: LineEnding): void {
    this.stream.write(line + ending);
  }

  /** Resolves once everything written is flushed to the file. */
  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
