// Bytes -> complete lines. Pure: the caller feeds chunks in order and gets one
// callback per line.
//
// Only 0x0A ends a line; a 0x0D right before it is dropped (CRLF), a bare CR
// inside a line is kept (the log renderer deals with it). Each line comes with
// the ending it had ('\n', '\r\n', or '' / '\r' for a last line without a
// newline), so a consumer that must keep the bytes (the transcript file) can. Splitting happens on
// bytes, and 0x0A never occurs inside a multibyte UTF-8 sequence, so each
// complete line is decoded exactly once, whole: a character split across
// chunks needs no streaming decoder, and invalid bytes become U+FFFD.

import { Buffer, constants } from 'node:buffer';

const LF = 0x0a;
const CR = 0x0d;

export interface LineSplitterOptions {
  /**
   * Bytes kept of one line; the rest of a longer line is dropped. Bounds memory
   * and keeps decoding below V8's string limit, so no line can make us throw.
   * Default: the largest string V8 can hold.
   */
  maxLineBytes?: number;
}

/** How a line ended in the input: '' (or a lone '\r') for a last line without a newline. */
export type LineEnding = '\n' | '\r\n' | '\r' | '';

export class LineSplitter {
  private readonly onLine: (line: string, ending: LineEnding) => void;
  private readonly maxLineBytes: number;
  /** Pieces of the unfinished line, each a private copy; joined once when its LF arrives. */
  private pending: Buffer[] = [];
  /** Bytes kept in `pending` (at most maxLineBytes). */
  private pendingBytes = 0;
  /** Bytes of the unfinished line seen so far, kept or not. */
  private seenBytes = 0;
  /** Whether the last byte seen of the unfinished line is a CR. */
  private lastCR = false;

  /** `onLine` must not throw: lines after the throwing one in the same chunk would be lost. */
  constructor(onLine: (line: string, ending: LineEnding) => void, options: LineSplitterOptions = {}) {
    this.onLine = onLine;
    this.maxLineBytes = Math.max(1, Math.floor(options.maxLineBytes ?? constants.MAX_STRING_LENGTH));
  }

  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const length = buf.length;
    if (length === 0) return;
    let start = 0;
    let nl = buf.indexOf(LF, 0);
    if (nl === -1) {
      this.keep(buf, 0, length);
      return;
    }
    if (this.seenBytes > 0) {
      this.keep(buf, 0, nl);
      this.flushPending(true);
      start = nl + 1;
      nl = buf.indexOf(LF, start);
    }
    const onLine = this.onLine;
    const max = this.maxLineBytes;
    while (nl !== -1) {
      let end = nl;
      const crlf = end > start && buf[end - 1] === CR;
      if (crlf) end--;
      if (end - start > max) end = start + max;
      onLine(buf.toString('utf8', start, end), crlf ? '\r\n' : '\n');
      start = nl + 1;
      nl = buf.indexOf(LF, start);
    }
    if (start < length) this.keep(buf, start, length);
  }

  /** End of input: a last line without a newline is delivered (an empty remainder is not). */
  end(): void {
    if (this.seenBytes > 0) this.flushPending(false);
  }

  /**
   * Copies part of a chunk into the unfinished line: the caller may reuse its
   * buffer, and a small tail must not pin a large chunk in memory.
   */
  private keep(buf: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.seenBytes += to - from;
    this.lastCR = buf[to - 1] === CR;
    const take = Math.min(to - from, this.maxLineBytes - this.pendingBytes);
    if (take <= 0) return;
    this.pending.push(Buffer.from(buf.subarray(from, from + take)));
    this.pendingBytes += take;
  }

  /** Emits the unfinished line; `emitEmpty` is false at end of input. */
  private flushPending(emitEmpty: boolean): void {
    const pieces = this.pending;
    const line = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, this.pendingBytes);
    let end = this.pendingBytes;
    const cr = this.lastCR;
    // Drop a CR that ends the line, unless it lies in the part cut off.
    if (cr && end === this.seenBytes) end--;
    this.pending = [];
    this.pendingBytes = 0;
    this.seenBytes = 0;
    this.lastCR = false;
    if (end > 0 || emitEmpty) this.onLine(line.toString('utf8', 0, end), emitEmpty ? (cr ? '\r\n' : '\n') : cr ? '\r' : '');
  }
}
