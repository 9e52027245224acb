import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/stream/lines.ts';

/** Lines of `chunks` as the splitter gives them. */
function split(chunks: Uint8Array[], maxLineBytes?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), maxLineBytes === undefined ? {} : { maxLineBytes });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

/** The same split done on the whole input at once, the plain way. */
function reference(bytes: Buffer, maxLineBytes = Infinity): string[] {
  const out: string[] = [];
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      parts.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  parts.forEach((part, n) => {
    const last = n === parts.length - 1;
    let end = part.length;
    if (end > 0 && part[end - 1] === 0x0d) end--;
    if (last && end === 0) return; // nothing after the last newline
    out.push(part.subarray(0, Math.min(end, maxLineBytes)).toString('utf8'));
  });
  return out;
}

/** Deterministic PRNG (mulberry32) so a failing chunking can be reproduced. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function chunkAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(prev, cut));
    prev = cut;
  }
  return chunks;
}

function randomChunks(bytes: Buffer, rand: () => number, maxChunk: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = Math.floor(rand() * (maxChunk + 1)); // 0 is allowed: empty chunks happen
    const piece = bytes.subarray(at, at + size);
    // Mix Buffers and plain Uint8Arrays (views into a larger ArrayBuffer).
    if (rand() < 0.5) {
      const backing = new Uint8Array(piece.length + 8);
      backing.set(piece, 3);
      chunks.push(backing.subarray(3, 3 + piece.length));
    } else {
      chunks.push(piece);
    }
    at += size;
  }
  return chunks;
}

// CRLF, multibyte characters (2, 3 and 4 bytes), invalid UTF-8, empty lines
// (LF and CRLF), a bare CR inside a line, a JSON line, and a last line with no
// newline.
const tricky = Buffer.concat([
  Buffer.from('a\r\n', 'utf8'),
  Buffer.from('é€😀\n', 'utf8'),
  Buffer.from([0xff, 0xc3, 0x0a]),
  Buffer.from('\r\n\n', 'utf8'),
  Buffer.from('x\ry\n', 'utf8'),
  Buffer.from('{"k":"ü","e":"\\u00e9"}', 'utf8'),
]);
const trickyLines = ['a', 'é€😀', '\ufffd\ufffd', '', '', 'x\ry', '{"k":"ü","e":"\\u00e9"}'];

describe('LineSplitter', () => {
  it('splits the tricky sample as expected in one chunk, and the reference agrees', () => {
    expect(split([tricky])).toEqual(trickyLines);
    expect(reference(tricky)).toEqual(trickyLines);
  });

  it('gives the same lines for a split at every byte index', () => {
    for (let cut = 0; cut <= tricky.length; cut++) {
      expect(split(chunkAt(tricky, [cut])), `cut at ${cut}`).toEqual(trickyLines);
    }
  });

  it('gives the same lines for every pair of cuts and for one-byte chunks', () => {
    for (let a = 0; a <= tricky.length; a++) {
      for (let b = a; b <= tricky.length; b++) {
        expect(split(chunkAt(tricky, [a, b])), `cuts at ${a},${b}`).toEqual(trickyLines);
      }
    }
    const bytes = [...tricky].map((b) => Uint8Array.of(b));
    expect(split(bytes)).toEqual(trickyLines);
  });

  it('matches the reference on random inputs under random chunkings', () => {
    const rand = prng(20250101);
    const alphabet = [0x0a, 0x0d, 0x41, 0x7b, 0x22, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff, 0x20];
    for (let round = 0; round < 300; round++) {
      const length = Math.floor(rand() * 200);
      const bytes = Buffer.alloc(length);
      for (let i = 0; i < length; i++) bytes[i] = alphabet[Math.floor(rand() * alphabet.length)] as number;
      const expected = reference(bytes);
      expect(split(randomChunks(bytes, rand, 1 + Math.floor(rand() * 40))), `round ${round}`).toEqual(expected);
    }
  });

  it('keeps a multibyte character split across chunks whole', () => {
    const euro = Buffer.from('€\n', 'utf8'); // e2 82 ac 0a
    expect(split([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2)])).toEqual(['€']);
    const emoji = Buffer.from('😀x\n', 'utf8');
    expect(split([emoji.subarray(0, 3), emoji.subarray(3)])).toEqual(['😀x']);
  });

  it('drops the CR of a CRLF split across chunks, in the middle and at the end', () => {
    expect(split([Buffer.from('one\r'), Buffer.from('\ntwo\r'), Buffer.from('\n')])).toEqual(['one', 'two']);
    expect(split([Buffer.from('\r'), Buffer.from('\n')])).toEqual(['']);
    expect(split([Buffer.from('a\r\r'), Buffer.from('\n')])).toEqual(['a\r']);
  });

  it('treats a bare CR as part of the line', () => {
    expect(split([Buffer.from('progress 10%\rprogress 20%\n')])).toEqual(['progress 10%\rprogress 20%']);
  });

  it('decodes invalid UTF-8 to U+FFFD without throwing', () => {
    const bytes = Buffer.from([0x61, 0x80, 0x62, 0xed, 0xa0, 0x80, 0x0a, 0xf0, 0x9f]);
    const lines = split([bytes.subarray(0, 2), bytes.subarray(2, 8), bytes.subarray(8)]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(bytes.subarray(0, 6).toString('utf8'));
    expect(lines[0]?.startsWith('a\ufffdb')).toBe(true);
    expect(lines[1]).toBe('\ufffd');
  });

  it('delivers a last line without a newline at end(), once', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('first\nlast'));
    expect(lines).toEqual(['first']);
    splitter.end();
    splitter.end();
    expect(lines).toEqual(['first', 'last']);
  });

  it('gives each line its ending, so line + ending rebuilds valid UTF-8 input byte for byte, however it is chunked', () => {
    const input = Buffer.from('a\r\n\né€😀\r\nx\ry\n\r\n{"k":"ü"}\nlast\r', 'utf8');
    for (let size = 1; size <= input.length; size++) {
      let rebuilt = '';
      const endings: string[] = [];
      const splitter = new LineSplitter((line, ending) => {
        rebuilt += line + ending;
        endings.push(ending);
      });
      for (let i = 0; i < input.length; i += size) splitter.push(input.subarray(i, i + size));
      splitter.end();
      expect(Buffer.from(rebuilt, 'utf8').equals(input), `chunks of ${size}`).toBe(true);
      expect(endings).toEqual(['\r\n', '\n', '\r\n', '\n', '\r\n', '\n', '\r']);
    }
    const open: string[] = [];
    const splitter = new LineSplitter((line, ending) => open.push(`${line}|${ending}`));
    splitter.push(Buffer.from('one\ncut mid-li'));
    splitter.end();
    expect(open).toEqual(['one|\n', 'cut mid-li|']);
  });

  it('gives nothing for empty input, empty chunks, or a lone CR at the end', () => {
    expect(split([])).toEqual([]);
    expect(split([new Uint8Array(0), Buffer.alloc(0)])).toEqual([]);
    expect(split([Buffer.from('x\n\r')])).toEqual(['x']);
  });

  it('gives one empty line per newline of a run of newlines', () => {
    expect(split([Buffer.from('\n\n\n')])).toEqual(['', '', '']);
  });

  it('handles a 5 MB line split into 64 KiB chunks, and the lines around it', () => {
    const unit = 'ab€😀'; // 1+1+3+4 bytes
    const big = unit.repeat(Math.ceil((5 * 1024 * 1024) / 9));
    const bytes = Buffer.from(`before\n${big}\r\nafter\n`, 'utf8');
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 65536) chunks.push(bytes.subarray(at, at + 65536));
    const lines = split(chunks);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('before');
    expect(lines[1]?.length).toBe(big.length);
    expect(lines[1] === big).toBe(true);
    expect(lines[2]).toBe('after');
  });

  it('handles a chunk holding thousands of lines', () => {
    const wanted = Array.from({ length: 5000 }, (_, i) => `{"n":${i},"s":"ü"}`);
    const bytes = Buffer.from(wanted.join('\n') + '\n', 'utf8');
    expect(split([bytes])).toEqual(wanted);
    // and the same cut in the middle of a line
    expect(split([bytes.subarray(0, 40001), bytes.subarray(40001)])).toEqual(wanted);
  });

  it('is not affected when the caller reuses its chunk buffer after push', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const buf = Buffer.from('hello wor');
    splitter.push(buf);
    buf.fill(0x5a); // the caller reads its next chunk into the same buffer
    splitter.push(Buffer.from('ld\n'));
    splitter.end();
    expect(lines).toEqual(['hello world']);
  });

  it('cuts lines longer than maxLineBytes the same way for any chunking', () => {
    const rand = prng(7);
    const sample = Buffer.from('short\nabcdefghijklmnop\r\nabcdefgh\r\nabcdefghi\r\n1234567890123\n€€€€\nend', 'utf8');
    const expected = reference(sample, 8);
    expect(expected).toEqual(['short', 'abcdefgh', 'abcdefgh', 'abcdefgh', '12345678', '€€\ufffd', 'end']);
    expect(split([sample], 8)).toEqual(expected);
    for (let round = 0; round < 200; round++) {
      expect(split(randomChunks(sample, rand, 7), 8), `round ${round}`).toEqual(expected);
    }
  });
});
