import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/redact.ts';
import { LogWriter, MAX_TITLE_LENGTH, escapeData, escapeProperty } from '../../src/report/log-writer.ts';
import { readLines, runnerCommands } from '../oracle/runner-commands.ts';
import { TOKEN, judge, sink } from './fixtures/judge.ts';

function writer(secrets: string[] = []) {
  const s = sink();
  const w = new LogWriter(s.write, { redactor: new Redactor(secrets), newToken: () => TOKEN });
  return { w, out: s.text };
}

// Lines that would be commands if printed raw.
const HOSTILE = [
  '::error::x',
  '  ::add-mask::secret',
  '::set-output name=a::b',
  '::stop-commands::abc',
  '::abc::',
  'text ##[group]x mid-line',
  '##[error]at start',
  '::warning::%0A::error::y',
  'a\r::warning::x',
  '\r::error::cr-only',
  'line\r\n::notice::crlf',
  '::endgroup::',
  '::ERROR::upper',
  '::Group::mixed',
  '\t::debug::tab',
  '\u0085::error::nel',
  '\u00a0::error::nbsp',
  '::error:\u0000:nul-split',
  '::echo::on',
  `::${TOKEN}::`,
  `::${TOKEN.toUpperCase()}::`,
  `x ##[${TOKEN}]`,
  '::save-state name=x::y',
  '::add-path::/evil',
  '::set-env name=NODE_OPTIONS::--require=/evil',
  '::error file=a.ts,line=1::with props',
  'ünïcödé ::error:: ＃＃[group] ：：error：：',
  `${'x'.repeat(100_000)}::error::long`,
  '\u0000\u0001::error::ctl',
];

describe('LogWriter: untrusted text', () => {
  it('prints text inside one stop-commands window and resumes only before a command', () => {
    const { w, out } = writer();
    w.text('first');
    w.text('second');
    w.warning('careful');
    w.close();
    const lines = readLines(out());
    expect(lines).toEqual([`::stop-commands::${TOKEN}`, 'first', 'second', `::${TOKEN}::`, '::warning::careful']);
    expect(judge(out())).toEqual([{ command: 'warning', data: 'careful', properties: {} }]);
  });

  it.each(HOSTILE)('no command escapes from text: %j', (hostile) => {
    const { w, out } = writer();
    w.text(hostile);
    w.text(`before\n${hostile}\nafter`);
    w.close();
    expect(judge(out())).toEqual([]);
  });

  it('keeps the text verbatim (one written line per runner line)', () => {
    const { w, out } = writer();
    w.text('a\r\nb\rc\n  ::error::d');
    w.close();
    expect(readLines(out()).slice(1, -1)).toEqual(['a', 'b', 'c', '  ::error::d']);
  });

  it('neutralises a ##[ marker at a line start (the UI would fold on it)', () => {
    const { w, out } = writer();
    w.text('##[group]fake\n  ##[endgroup]\nmid ##[x] stays');
    w.close();
    const body = readLines(out()).slice(1, -1);
    expect(body).toEqual(['##［group]fake', '  ##［endgroup]', 'mid ##[x] stays']);
  });

  it('never echoes the token, whatever its case', () => {
    const { w, out } = writer();
    w.text(`leak ${TOKEN} ${TOKEN.toUpperCase()}`);
    w.close();
    const body = readLines(out()).slice(1, -1).join('\n');
    expect(body.toLowerCase()).not.toContain(TOKEN.toLowerCase());
  });

  it('redacts secrets in text, titles and annotations', () => {
    const { w, out } = writer(['hunter2-secret', 'wxyz']);
    w.text('pw=hunter2-secret and wxyz');
    w.group('title hunter2-secret', (g) => g.text('x'));
    w.error('err wxyz', { title: 'wxyz' });
    w.close();
    expect(out()).not.toContain('hunter2-secret');
    expect(out()).not.toContain('wxyz');
    expect(judge(out())).toEqual([
      { command: 'group', data: 'title ***', properties: {} },
      { command: 'endgroup', data: '', properties: {} },
      { command: 'error', data: 'err ***', properties: { title: '***' } },
    ]);
  });
});

describe('LogWriter: groups', () => {
  it('never nests and always closes', () => {
    const { w, out } = writer();
    w.startGroup('one');
    w.startGroup('two');
    w.text('body');
    w.endGroup();
    w.endGroup();
    w.startGroup('three');
    w.close();
    w.close();
    expect(judge(out()).map((c) => `${c.command}:${c.data}`)).toEqual([
      'group:one',
      'endgroup:',
      'group:two',
      'endgroup:',
      'group:three',
      'endgroup:',
    ]);
  });

  it('closes the group when the body throws', () => {
    const { w, out } = writer();
    expect(() =>
      w.group('g', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(w.inGroup).toBe(false);
    w.close();
    expect(judge(out()).map((c) => c.command)).toEqual(['group', 'endgroup']);
  });

  it.each([
    ['a\nb\r\nc\rd', 'a b c d'],
    ['%0A%25 100%', '%0A%25 100%'],
    ['x ##[error]y', 'x ##［error]y'],
    ['::endgroup::', '::endgroup::'],
    ['  \t spaced \u2028 out\u0085  ', 'spaced out'],
    ['nul\u0000byte', 'nul byte'],
    ['', '(untitled)'],
  ])('title %j becomes the one-line data %j', (title, data) => {
    const { w, out } = writer();
    w.group(title, () => undefined);
    w.close();
    expect(judge(out())[0]).toEqual({ command: 'group', data, properties: {} });
  });

  it('bounds the title', () => {
    const { w, out } = writer();
    w.group('t'.repeat(5000), () => undefined);
    w.close();
    const data = judge(out())[0]!.data;
    expect(data.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
    expect(data.endsWith('…')).toBe(true);
  });
});

describe('LogWriter: annotations', () => {
  it('escapes data and properties as the toolkit does', () => {
    expect(escapeData('a%b\r\nc')).toBe('a%25b%0D%0Ac');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
    const { w, out } = writer();
    w.warning('multi\nline %0A ::error::x', { title: 'a:b,c' });
    w.notice('n');
    w.close();
    expect(judge(out())).toEqual([
      { command: 'warning', data: 'multi\nline %0A ::error::x', properties: { title: 'a:b,c' } },
      { command: 'notice', data: 'n', properties: {} },
    ]);
  });
});

describe('LogWriter: addMask', () => {
  it('registers with the runner outside the window and redacts afterwards', () => {
    const { w, out } = writer();
    w.text('before');
    w.addMask('late-secret\nline2');
    w.text('late-secret here');
    w.close();
    const cmds = judge(out().replace(/::add-mask::.*\n/, '')); // judge knows only what the renderer uses
    expect(cmds).toEqual([]);
    expect(runnerCommands(out()).filter((c) => c.command === 'add-mask')).toEqual([
      { command: 'add-mask', data: 'late-secret\nline2', properties: {} },
    ]);
    expect(readLines(out()).filter((l) => l.includes('late-secret'))).toEqual(['::add-mask::late-secret%0Aline2']);
  });
});

describe('LogWriter: token', () => {
  it('refuses unsafe tokens instead of emitting them', () => {
    for (const bad of ['', 'short', 'has space in it 1234', 'a::b-0123456789ab', 'internal-set-repo-path']) {
      expect(() => new LogWriter(() => undefined, { newToken: () => bad })).toThrow();
    }
  });

  it('makes a fresh random token per writer (32 hex chars)', () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const s = sink();
      const w = new LogWriter(s.write);
      w.text('x');
      w.close();
      const first = readLines(s.text())[0]!;
      const m = /^::stop-commands::([0-9a-f]{32})$/.exec(first);
      expect(m).not.toBeNull();
      tokens.add(m![1]!);
      expect(runnerCommands(s.text()).map((c) => c.command.toLowerCase())).toEqual(['stop-commands', m![1]]);
    }
    expect(tokens.size).toBe(20);
  });
});

// --- seeded fuzz -------------------------------------------------------------

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  ':', '::', '#', '##[', '[', ']', '%', '%0A', '%0D', '%25', '\r', '\n', '\r\n', ' ', '\t', '\u0000', '\u200b',
  '\u0085', 'error', 'ERROR', 'warning', 'group', 'endgroup', 'stop-commands', 'add-mask', 'set-output name=a',
  'echo', TOKEN, TOKEN.slice(0, 10), 'abc', 'x', 'é', '😀', ',', '=', ';',
];
const SECRETS = ['s3cr3t-value', 'tok::en', 'pa%0Ass'];

function randomText(r: () => number): string {
  const n = Math.floor(r() * 24);
  let s = '';
  for (let i = 0; i < n; i++) {
    const p = r();
    if (p < 0.05) s += SECRETS[Math.floor(r() * SECRETS.length)]!;
    else s += PIECES[Math.floor(r() * PIECES.length)]!;
  }
  return s;
}

// A plain model of what the writer should make of a title / message.
function modelRedact(s: string): string {
  let out = s;
  for (const secret of [...SECRETS].sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
  return out.replace(new RegExp(TOKEN, 'gi'), '***');
}
function modelTitle(s: string): string {
  const t = modelRedact(s)
        .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/[\s\u0085]+/g, ' ')
    .trim()
    .replace(/##\[/g, '##［');
  return t === '' ? '(untitled)' : t;
}
function modelMessage(s: string): string {
    return modelRedact(s).replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

describe('LogWriter: seeded fuzz judged by the oracle', () => {
  it('only the commands the writer meant, in order, and no secret', () => {
    const r = rng(20260817);
    for (let round = 0; round < 3000; round++) {
      const s = sink();
      const w = new LogWriter(s.write, { redactor: new Redactor(SECRETS), newToken: () => TOKEN });
      const expected: { command: string; title?: string; message?: string }[] = [];
      let open = false;
      const steps = 1 + Math.floor(r() * 6);
      for (let i = 0; i < steps; i++) {
        const k = r();
        const t = randomText(r);
        if (k < 0.5) w.text(t);
        else if (k < 0.7) {
          if (open) expected.push({ command: 'endgroup' });
          w.startGroup(t);
          expected.push({ command: 'group', title: t });
          open = true;
        } else if (k < 0.8) {
          if (open) expected.push({ command: 'endgroup' });
          w.endGroup();
          open = false;
        } else if (k < 0.9) {
          w.warning(t);
          expected.push({ command: 'warning', message: t });
        } else {
          w.error(t, { title: t });
          expected.push({ command: 'error', message: t });
        }
      }
      if (open) expected.push({ command: 'endgroup' });
      w.close();
      const output = s.text();
      for (const secret of SECRETS) expect(output).not.toContain(secret);
      const meant = judge(output);
      expect(meant.map((c) => c.command)).toEqual(expected.map((e) => e.command));
      meant.forEach((c, i) => {
        const e = expected[i]!;
        expect(c.data).not.toMatch(/\r/);
        if (e.title !== undefined) {
          expect(c.data).not.toMatch(/\n/);
          expect(c.data.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
          expect(c.data).not.toContain('##[');
          const want = modelTitle(e.title);
          if (c.data.endsWith('…') && c.data !== want) expect(want.startsWith(c.data.slice(0, -1))).toBe(true);
          else expect(c.data).toBe(want);
        }
        if (e.message !== undefined) expect(c.data).toBe(modelMessage(e.message));
      });
    }
  });
});
