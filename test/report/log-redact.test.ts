import { describe, expect, it } from 'vitest';
import { MASK, Redactor, secretVariants } from '../../src/redact.ts';

describe('Redactor', () => {
  it('masks every occurrence, longest first', () => {
    const r = new Redactor(['secret', 'secret-long-value']);
    expect(r.redact('a secret-long-value and secret.')).toBe('a *** and ***.');
  });

  it('ignores blank and short values', () => {
    const r = new Redactor(['', '   ', 'abc', 'x']);
    expect(r.size).toBe(0);
    expect(r.redact('abc x')).toBe('abc x');
  });

  it('returns the same string when nothing can match', () => {
    const text = 'nothing here';
    expect(new Redactor([]).redact(text)).toBe(text);
    expect(new Redactor(['zzzzzz']).redact(text)).toBe(text);
  });

  it('masks regex metacharacters literally', () => {
    const r = new Redactor(['a.b*c(d)[e]$']);
    expect(r.redact('x a.b*c(d)[e]$ y aXbbbc(d)[e]$')).toBe('x *** y aXbbbc(d)[e]$');
  });

  it('masks JSON-escaped, URL-encoded and base64 forms', () => {
    const secret = 'p@ss "word"/\\ 1234';
    const r = new Redactor([secret]);
    expect(r.redact(JSON.stringify({ k: secret }))).not.toContain('word');
    expect(r.redact(`?q=${encodeURIComponent(secret)}`)).toBe(`?q=${MASK}`);
    for (const prefix of ['', 'a', 'ab']) {
      const b64 = Buffer.from(`${prefix}${secret}tail`).toString('base64');
      const masked = r.redact(b64);
      expect(masked).toContain(MASK);
      expect(masked.length).toBeLessThan(b64.length);
    }
    expect(secretVariants('abcd').every((v) => v.length >= 4)).toBe(true);
  });

  it('masks each line of a multi-line secret', () => {
    const r = new Redactor(['line-one\nline-two']);
    expect(r.redact('x line-two y')).toBe('x *** y');
  });

  it('secrets added later apply', () => {
    const r = new Redactor();
    expect(r.redact('token1234')).toBe('token1234');
    r.add('token1234');
    expect(r.redact('token1234')).toBe(MASK);
  });

  it('redactPrefix never shows part of a secret at the cut', () => {
    const r = new Redactor(['0123456789']);
    const text = 'abc 0123456789 def';
    for (let end = 0; end <= text.length; end++) {
      const out = r.redactPrefix(text, end);
      // A secret that starts before the cut is masked whole; nothing of it shows.
      expect(out).not.toMatch(/\d/);
      expect(out.startsWith('abc'.slice(0, end))).toBe(true);
    }
    expect(r.redactPrefix(text, 5)).toBe('abc ***');
    expect(r.redactPrefix(text, 4)).toBe('abc ');
    expect(new Redactor().redactPrefix(text, 3)).toBe('abc');
  });

  it('handles a large text with secrets in linear-ish time', () => {
    const r = new Redactor(['needle-secret-1', 'another-secret', 'third-one-xyz']);
    const big = 'lorem ipsum dolor sit amet '.repeat(200_000) + 'needle-secret-1';
    const out = r.redact(big);
    expect(out.endsWith(MASK)).toBe(true);
    expect(out.length).toBe(big.length - 'needle-secret-1'.length + 3);
  });
});
