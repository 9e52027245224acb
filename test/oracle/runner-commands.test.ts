// Proves the oracle against cases taken from the runner's own unit tests
// (actions/runner@258d6c85: src/Test/L0/Worker/ActionCommandL0.cs,
// ActionCommandManagerL0.cs, OutputManagerL0.cs), plus line splitting and the
// ICU approximation.
import { describe, expect, it } from 'vitest';
import {
  CommandManager,
  CommandNames,
  parseLegacy,
  parseV2,
  readLines,
  runnerCommands,
} from './runner-commands.ts';

const custom = new CommandNames(['do-something']);

describe('ActionCommandL0: legacy parser', () => {
  const cases: [string, string, Record<string, string>][] = [
    ['##[do-something k1=v1;]msg', 'msg', { k1: 'v1' }],
    ['##[do-something]', '', {}],
    ['##[do-something k1=%3B=%0D=%0A=%5D;]%3B-%0D-%0A-%5D', ';-\r-\n-]', { k1: ';=\r=\n=]' }],
    ['##[do-something k1=%253B=%250D=%250A=%255D;]%253B-%250D-%250A-%255D', '%3B-%0D-%0A-%5D', { k1: '%3B=%0D=%0A=%5D' }],
    ['##[do-something k1=;k2=;]', '', {}],
    ['>>>   ##[do-something k1=v1;]msg', 'msg', { k1: 'v1' }],
  ];
  it.each(cases)('%j', (line, data, properties) => {
    expect(parseLegacy(line, custom)).toEqual({ command: 'do-something', data, properties });
  });
});

describe('ActionCommandL0: V2 parser', () => {
  const cases: [string, string, Record<string, string>][] = [
    ['::do-something k1=v1,::msg', 'msg', { k1: 'v1' }],
    ['::do-something::', '', {}],
    ['::do-something k1=;=%2C=%0D=%0A=]=%3A,::;-%0D-%0A-]-:-,', ';-\r-\n-]-:-,', { k1: ';=,=\r=\n=]=:' }],
    [
      '::do-something k1=;=%252C=%250D=%250A=]=%253A,::;-%250D-%250A-]-:-,',
      ';-%0D-%0A-]-:-,',
      { k1: ';=%2C=%0D=%0A=]=%3A' },
    ],
    ['::do-something k1=,k2=,::', '', {}],
    ['::do-something k1=v1::', '', { k1: 'v1' }],
    ['   ::do-something k1=v1,::msg', 'msg', { k1: 'v1' }],
  ];
  it.each(cases)('%j', (line, data, properties) => {
    expect(parseV2(line, custom)).toEqual({ command: 'do-something', data, properties });
  });

  it('does not read a command that does not start the line', () => {
    expect(parseV2('   >>>   ::do-something k1=v1,::msg', custom)).toBeUndefined();
  });

  it('parses the warning properties of IssueCommandInvalidColumns', () => {
    const warning = new CommandNames(['warning']);
    expect(parseV2('::warning line=1,endLine=2,col=1,endColumn=2::this is a warning', warning)).toEqual({
      command: 'warning',
      data: 'this is a warning',
      properties: { line: '1', endLine: '2', col: '1', endColumn: '2' },
    });
    // An empty value is no property.
    expect(parseV2('::warning line=,endLine=3::this is a warning', warning)?.properties).toEqual({ endLine: '3' });
  });

  it('matches command names case-insensitively and keeps the spelling', () => {
    expect(parseV2('::DO-Something::x', custom)?.command).toBe('DO-Something');
    expect(parseLegacy('a ##[Do-Something]x', custom)?.command).toBe('Do-Something');
  });

  it('rejects unregistered names and missing separators', () => {
    expect(parseV2('::other::x', custom)).toBeUndefined();
    expect(parseV2('::do-something', custom)).toBeUndefined();
    expect(parseLegacy('##[do-something', custom)).toBeUndefined();
    expect(parseLegacy('##[not-command]x', custom)).toBeUndefined();
  });
});

describe('ActionCommandManagerL0', () => {
  it('StopProcessCommand: legacy stop and resume', () => {
    const m = new CommandManager();
    expect(m.processLine('##[stop-commands]stopToken')?.command).toBe('stop-commands');
    expect(m.processLine('##[set-env name=foo]bar')).toBeUndefined();
    expect(m.processLine('##[stopToken]')?.command).toBe('stopToken');
    expect(m.processLine('##[set-env name=foo]bar')?.command).toBe('set-env');
  });

  it('StopProcessCommandAcceptsValidToken: V2 stop and resume', () => {
    const m = new CommandManager();
    expect(m.processLine('::stop-commands::randomToken')?.data).toBe('randomToken');
    expect(m.processLine('##[set-env name=foo]bar')).toBeUndefined();
    expect(m.processLine('::randomToken::')?.command).toBe('randomToken');
    expect(m.processLine('##[set-env name=foo]bar')).toEqual({ command: 'set-env', data: 'bar', properties: { name: 'foo' } });
  });

  it.each(['stop-commands', '', 'set-env'])('StopProcessCommand__FailOnInvalidStopTokens %j: nothing stops', (token) => {
    const m = new CommandManager();
    m.processLine(`::stop-commands::${token}`);
    expect(m.isStopped).toBe(false);
    expect(m.processLine('::warning::x')?.command).toBe('warning');
  });

  it('EchoProcessCommand: echo lines are commands', () => {
    const cmds = runnerCommands('::echo::on\n::echo::off\n::echo::ON\n::echo::Off   \n');
    expect(cmds.map((c) => c.data)).toEqual(['on', 'off', 'ON', 'Off   ']);
  });

  it('AddMaskWithMultilineValue: data is unescaped', () => {
    expect(runnerCommands('::add-mask::abc%0Ddef%0Aghi%0D%0Ajkl')[0]?.data).toBe('abc\rdef\nghi\r\njkl');
  });

  it('resume token is case-insensitive and works in legacy form anywhere in a line', () => {
    const cmds = runnerCommands('::stop-commands::Tok123456\n::error::hidden\nfoo ##[TOK123456]bar\n::error::seen\n');
    expect(cmds.map((c) => c.command)).toEqual(['stop-commands', 'TOK123456', 'error']);
  });

  it('a stop-commands while stopped is ignored', () => {
    const cmds = runnerCommands('::stop-commands::aaaaaaaa\n::stop-commands::bbbbbbbb\n::bbbbbbbb::\n::error::x\n::aaaaaaaa::\n');
    expect(cmds.map((c) => c.command)).toEqual(['stop-commands', 'aaaaaaaa']);
  });
});

describe('OutputManagerL0: MatcherDoesNotReceiveCommand', () => {
  it('legacy commands anywhere in a line, unknown names are text', () => {
    const names = new CommandNames(['some-command']);
    expect(parseLegacy('##[some-command]this line is a command even though it contains ERROR: not working', names)).toBeDefined();
    expect(parseLegacy('this line is a command too ##[some-command]even though it contains ERROR: not working again', names)).toBeDefined();
    expect(parseLegacy('##[not-command]this line is an ERROR: it is broken again', names)).toBeUndefined();
  });
});

describe('line splitting (StreamReader.ReadLine)', () => {
  it('splits at LF, CR and CRLF, keeps a last line without newline', () => {
    expect(readLines('a\nb\r\nc\rd')).toEqual(['a', 'b', 'c', 'd']);
    expect(readLines('a\r\r\nb\n')).toEqual(['a', '', 'b']);
    expect(readLines('')).toEqual([]);
  });

  it('a bare CR starts a new line the runner reads as a command', () => {
    expect(runnerCommands('harmless\r::warning::x').map((c) => c.command)).toEqual(['warning']);
  });

  it('trims .NET white space (incl. U+0085, not U+FEFF) before ::', () => {
    expect(runnerCommands('\t \u00a0\u0085\u3000::error::x')).toHaveLength(1);
    expect(runnerCommands('\ufeff::error::x')).toHaveLength(0);
  });
});

describe('ICU approximation', () => {
  it('finds "::" across an ignorable character where ordinal does not', () => {
    const line = '::error:\u0000:x';
    expect(runnerCommands(line, { mode: 'ordinal' })).toHaveLength(0);
    expect(runnerCommands(line, { mode: 'icu' })).toEqual([{ command: 'error', data: ':x', properties: {} }]);
  });

  it('an ignorable prefix shifts the substring: no command', () => {
    expect(runnerCommands('\u200b::error::x', { mode: 'icu' })).toHaveLength(0);
  });
});
