// File command parsing, with cases modelled on the runner's
// SetOutputFileCommandL0.cs / SaveStateFileCommandL0.cs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseKeyValueFile, readStepSummary, STEP_SUMMARY_LIMIT } from './file-commands.ts';
import { SecretMasker } from './secret-masker.ts';

describe('parseKeyValueFile', () => {
  it('reads name=value lines, splitting at the first "="', () => {
    expect(parseKeyValueFile('a=1\n\nb=x=y\nc=\n')).toEqual({ pairs: [['a', '1'], ['b', 'x=y'], ['c', '']] });
  });

  it('reads heredoc values without the newline before the delimiter', () => {
    const text = 'multi<<EOF\nline 1\nline 2\n\nEOF\nempty<<EOF\nEOF\nlast<<END\nv\nEND';
    expect(parseKeyValueFile(text)).toEqual({ pairs: [['multi', 'line 1\nline 2\n'], ['empty', ''], ['last', 'v']] });
  });

  it('decides the form by whichever of "=" and "<<" comes first', () => {
    expect(parseKeyValueFile('a=b<<c\n').pairs).toEqual([['a', 'b<<c']]);
    expect(parseKeyValueFile('a<<=x\nv\n=x\n').pairs).toEqual([['a', 'v']]);
  });

  it('keeps a CR in values and delimiters (Linux reads lines at LF only)', () => {
    expect(parseKeyValueFile('a=1\r\n').pairs).toEqual([['a', '1\r']]);
    expect(parseKeyValueFile('a<<EOF\r\nv\r\nEOF\r\n')).toEqual({ pairs: [['a', 'v\r']] });
    expect(parseKeyValueFile('a<<EOF\nv\r\nEOF\r\n').error).toBe("Invalid value. Matching delimiter not found 'EOF'");
  });

  it('fails like the runner, keeping the entries before the bad one', () => {
    expect(parseKeyValueFile('ok=1\nmissing<<EOF\nv\n')).toEqual({ pairs: [['ok', '1']], error: "Invalid value. Matching delimiter not found 'EOF'" });
    expect(parseKeyValueFile('x<<EOF\nv').error).toBe('Invalid value. EOF marker missing new line.');
    expect(parseKeyValueFile('<<EOF\nv\nEOF\n').error).toMatch(/Name must not be empty/);
    expect(parseKeyValueFile('no separator\n').error).toBe("Invalid format 'no separator'");
  });

  it("reads the toolkit's own output format", () => {
    const delimiter = 'ghadelimiter_0b7f8f4c-1d0a-4b7e-9d0e-5e2d7d5d5c11';
    const text = `out<<${delimiter}\na\nb\n${delimiter}\n`;
    expect(parseKeyValueFile(text).pairs).toEqual([['out', 'a\nb']]);
  });
});

describe('readStepSummary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-summary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('masks line by line and ends every line with a newline', () => {
    const path = join(dir, 's1');
    writeFileSync(path, 'token hunter2-long here\r\nsecond');
    const summary = readStepSummary(path, new SecretMasker(['hunter2-long']));
    expect(summary.text).toBe('token *** here\nsecond\n');
    expect(summary.error).toBeUndefined();
  });

  it('drops a summary over 1 MiB whole, with an error', () => {
    const path = join(dir, 's2');
    writeFileSync(path, 'x'.repeat(STEP_SUMMARY_LIMIT + 1));
    const summary = readStepSummary(path, new SecretMasker());
    expect(summary.text).toBe('');
    expect(summary.error).toMatch(/^\$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got 1024k/);
    writeFileSync(path, 'x'.repeat(STEP_SUMMARY_LIMIT));
    expect(readStepSummary(path, new SecretMasker()).text).toHaveLength(STEP_SUMMARY_LIMIT + 1);
  });
});
