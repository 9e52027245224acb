// The secret masker and maskedLog, with cases modelled on the runner's
// SecretMaskerL0.cs / ValueEncodersL0.cs.
import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.ts';
import { maskedLog } from './runner-log.ts';
import { SecretMasker } from './secret-masker.ts';

describe('SecretMasker', () => {
  it('masks every occurrence and merges overlapping or touching ranges', () => {
    const masker = new SecretMasker(['abc', 'bcd', 'xy']);
    expect(masker.mask('abcd abc xyxy zz')).toBe('*** *** *** zz');
    expect(masker.mask('nothing')).toBe('nothing');
  });

  it('masks the encoded forms of a secret', () => {
    const secret = 'p@ss "wo&rd" 100%';
    const masker = new SecretMasker([secret]);
    expect(masker.mask(Buffer.from(secret).toString('base64'))).toBe('***');
    // Inside a longer base64 text ("user:" is 5 bytes: the secret from its 2nd byte is 3-aligned).
    const basic = Buffer.from(`user:${secret}`).toString('base64');
    expect(masker.mask(basic)).toBe(`${basic.slice(0, 8)}***`);
    expect(masker.mask(JSON.stringify({ v: secret }))).toBe('{"v":"***"}');
    expect(masker.mask(`?q=${encodeURIComponent(secret)}`)).toBe('?q=***');
    expect(masker.mask('p@ss &quot;wo&amp;rd&quot; 100%')).toBe('***');
  });

  it('ignores empty values', () => {
    const masker = new SecretMasker(['']);
    expect(masker.mask('text')).toBe('text');
  });
});

describe('maskedLog', () => {
  it('masks from the add-mask on, also its single lines', () => {
    const out = 'early s3cret\n::add-mask::s3cret%0Aline-two\nlate s3cret line-two\n';
    expect(maskedLog(out)).toBe('early s3cret\n::add-mask::***\nlate *** ***\n');
    expect(maskedLog(out, { retroactive: true })).toBe('early ***\n::add-mask::***\nlate *** ***\n');
  });

  it('does not register a mask inside a stop-commands block', () => {
    const out = '::stop-commands::tok\n::add-mask::hidden\n::tok::\nshow hidden';
    expect(maskedLog(out)).toBe('::stop-commands::tok\n::add-mask::hidden\n::tok::\nshow hidden');
  });

  it('applies secrets known before the step', () => {
    expect(maskedLog('a pat_123 b', { secrets: ['pat_123'] })).toBe('a *** b');
  });
});

describe('LineSplitter', () => {
  it('splits at LF, CR and CRLF across chunk boundaries like ReadLine', () => {
    const s = new LineSplitter();
    const lines = [...s.push('a\r'), ...s.push('\nb\rc'), ...s.push('\n\n'), ...s.push('d'), ...s.end()];
    expect(lines).toEqual(['a', 'b', 'c', '', 'd']);
  });
});
