import { describe, expect, it } from 'vitest';
import { COUNT_LINES_WITHIN, formatBytes, formatCount, formatDuration, formatTokens, formatUsd, truncateLines } from '../../src/report/format.ts';

describe('format helpers', () => {
  it.each([
    [undefined, 'unknown'],
    [850, '850 ms'],
    [12_345, '12.3 s'],
    [59_960, '1m 00s'],
    [184_000, '3m 04s'],
    [3_720_000, '1h 02m'],
  ])('formatDuration(%j) = %j', (ms, want) => {
    expect(formatDuration(ms)).toBe(want);
  });

  it.each([
    [undefined, 'unknown'],
    [Number.NaN, 'unknown'],
    [0, '$0.0000'],
    [0.00001, '<$0.0001'],
    [0.1234, '$0.1234'],
    [12.345, '$12.35'],
    [1234.5, '$1,234.50'],
  ])('formatUsd(%j) = %j', (n, want) => {
    expect(formatUsd(n)).toBe(want);
  });

  it.each([
    [undefined, 'unknown'],
    [0, '0'],
    [12_345, '12,345'],
    [1_234_567, '1.2M'],
    [2_500_000_000, '2.5B'],
  ])('formatTokens(%j) = %j', (n, want) => {
    expect(formatTokens(n)).toBe(want);
  });

  it('formatBytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(5 * 1024 + 100)).toBe('5.1 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
  });
});

describe('truncateLines', () => {
  it('keeps short text whole', () => {
    expect(truncateLines('a\nb\n', 5, 100)).toEqual({ text: 'a\nb', omittedLines: 0, omittedLinesExact: true, omittedChars: 0 });
    expect(truncateLines('', 5, 100)).toEqual({ text: '', omittedLines: 0, omittedLinesExact: true, omittedChars: 0 });
  });

  it('bounds by lines and counts the rest', () => {
    const text = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n');
    const t = truncateLines(text, 3, 1000);
    expect(t.text).toBe('line 0\nline 1\nline 2');
    expect(t.omittedLines).toBe(7);
    expect(t.omittedChars).toBe(text.length - t.text.length);
  });

  it('bounds by UTF-8 bytes', () => {
    const text = 'ééééé\nabc\ndef';
    const t = truncateLines(text, 100, 12);
    expect(t.text).toBe('ééééé');
    expect(t.omittedLines).toBe(2);
  });

  it('cuts a single huge line at the byte budget, never inside a surrogate pair', () => {
    const text = '😀'.repeat(10);
    const t = truncateLines(text, 5, 10);
    expect(t.text).toBe('😀😀');
    expect(t.omittedLines).toBe(1);
    expect(t.omittedChars).toBe(16);
  });

  it('counts the omitted lines exactly within COUNT_LINES_WITHIN characters', () => {
    const line = 'x'.repeat(99);
    const text = `${line}\n`.repeat(2_000);
    const t = truncateLines(text, 200, 20 * 1024);
    expect(t.text.split('\n')).toHaveLength(200);
    expect(t).toMatchObject({ omittedLines: 1_800, omittedLinesExact: true });
    expect(t.omittedChars).toBe(text.length - t.text.length);
  });

  it('gives a lower bound of the omitted lines of megabytes without reading them all', () => {
    const line = 'x'.repeat(99);
    const text = `${line}\n`.repeat(50_000);
    const t = truncateLines(text, 200, 20 * 1024);
    expect(t.omittedLinesExact).toBe(false);
    expect(t.omittedLines).toBe(Math.floor(COUNT_LINES_WITHIN / 100));
    expect(t.omittedChars).toBe(text.length - t.text.length);
    expect(formatCount(4_930_200)).toBe('4,930,200');
    expect(formatCount(999)).toBe('999');
  });
});
