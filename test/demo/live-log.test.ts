import { describe, expect, it } from 'vitest';
import { renderLogAsUi } from '../harness/log-view.ts';
import { LiveLogView } from './live-log.ts';

const STDOUT = [
  '::add-mask::s3cr3t-value',
  'plain line with s3cr3t-value',
  '::group::first group',
  'inside one',
  '',
  'inside two',
  '::endgroup::',
  'between',
  '::group::second',
  'body',
  '::group::third (closes second)',
  'body three',
  '::endgroup::',
  '::endgroup::',
  '',
  '::error::it broke',
  'last line without newline',
].join('\n');

/** Feeds the text in chunks of `size` characters and returns everything the view printed. */
function live(text: string, size: number, expanded: boolean): string {
  let out = '';
  const view = new LiveLogView({ secrets: [], expanded, write: (t) => (out += t) });
  for (let i = 0; i < text.length; i += size) view.push('stdout', text.slice(i, i + size));
  view.end();
  return out;
}

describe('LiveLogView', () => {
  for (const expanded of [false, true]) {
    it(`prints, bit by bit, exactly the UI view of the whole log (${expanded ? 'expanded' : 'collapsed'})`, () => {
      const whole = `${renderLogAsUi(STDOUT, { expanded })}\n`;
      for (const size of [1, 3, 7, 1000]) expect(live(STDOUT, size, expanded)).toBe(whole);
    });
  }

  it('masks the workflow secrets it is given and those the step registers', () => {
    let out = '';
    const view = new LiveLogView({ secrets: ['tok-123456'], expanded: false, write: (t) => (out += t) });
    view.push('stdout', 'a tok-123456 b\n::add-mask::other-secret\n');
    view.push('stderr', 'err other-secret\n');
    view.end();
    expect(out).toBe('a *** b\nerr ***\n');
  });
});
