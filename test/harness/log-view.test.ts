import { describe, expect, it } from 'vitest';
import { renderLogAsUi } from './log-view.ts';
import { RunnerLog } from './runner-log.ts';

describe('renderLogAsUi', () => {
  const output = [
    'plain line',
    '::group::Tool: Bash%0Asecond title line',
    'ls -la',
    '  ::warning file=a.ts,line=3::looks odd',
    '::endgroup::',
    '::error title=Boom::it broke%0Asecond line',
    '::notice::fyi',
    '::debug::only with debug',
    '::set-output name=x::hidden',
    'after',
  ].join('\n');

  it('hides command lines and collapses groups', () => {
    expect(renderLogAsUi(output)).toBe(
      ['plain line', '▶ Tool: Bash', 'Error: it broke', 'second line', 'Notice: fyi', 'after'].join('\n'),
    );
  });

  it('shows the body of expanded groups indented, annotations included', () => {
    expect(renderLogAsUi(output, { expanded: true })).toBe(
      ['plain line', '▼ Tool: Bash', '  second title line', '  ls -la', '  Warning: looks odd', 'Error: it broke', 'second line', 'Notice: fyi', 'after'].join('\n'),
    );
  });

  it('shows debug lines and echoed commands with step debug', () => {
    const view = renderLogAsUi(output, { debug: true });
    expect(view).toContain('Debug: only with debug');
    expect(view).toContain('::set-output name=x::hidden');
  });

  it('does not nest groups: a second group ends the first', () => {
    const out = '::group::outer\na\n::group::inner\nb\n::endgroup::\nc\n::endgroup::\nd';
    expect(renderLogAsUi(out, { expanded: true })).toBe(['▼ outer', '  a', '▼ inner', '  b', 'c', '', 'd'].join('\n'));
  });

  it('masks values from their add-mask on, annotations and group titles too', () => {
    const out = ['key is tok-123456 (before)', '::add-mask::tok-123456', '::group::using tok-123456', 'key tok-123456', '::endgroup::', '::warning::leaked tok-123456'].join('\n');
    expect(renderLogAsUi(out, { expanded: true })).toBe(
      ['key is tok-123456 (before)', '▼ using ***', '  key ***', 'Warning: leaked ***'].join('\n'),
    );
    expect(renderLogAsUi('x s3\n', { secrets: ['s3'] })).toBe('x ***');
  });

  it('shows a stop-commands block verbatim, with a long token masked', () => {
    const token = 'a1b2c3d4e5f6';
    const out = [`::stop-commands::${token}`, '::error::not a command', '::group::nor this', `::${token}::`, '::warning::a command again'].join('\n');
    expect(renderLogAsUi(out)).toBe(
      ['::stop-commands::***', '::error::not a command', '::group::nor this', '::***::', 'Warning: a command again'].join('\n'),
    );
  });

  it('formats lines the UI would format by prefix even when the runner did not execute them', () => {
    // Under stop-commands the runner executes nothing, but the stored line starts with ##[error].
    expect(renderLogAsUi('::stop-commands::tok\n##[error]spoof\n::tok::')).toBe('::stop-commands::tok\nError: spoof\n::tok::');
  });

  it('reports an invalid stop token as an error and keeps processing commands', () => {
    const view = renderLogAsUi('::stop-commands::warning\n::notice::still a command');
    expect(view).toMatch(/^Error: You cannot use a endToken/);
    expect(view).toContain('Notice: still a command');
  });
});

describe('RunnerLog', () => {
  it('keeps at most 10 annotations of a kind but logs all of them', () => {
    const log = new RunnerLog();
    for (let i = 0; i < 12; i++) log.processLine(`::warning::w${i}`);
    expect(log.annotations).toHaveLength(10);
    expect(log.entries).toHaveLength(12);
  });

  it('fails the step for a command it cannot run, like set-env without opt-in', () => {
    const log = new RunnerLog();
    log.processLine('::set-env name=A::b');
    expect(log.commandFailed).toBe(true);
    expect(log.env).toEqual({});
    expect(log.annotations[0]?.message).toBe("Unable to process command '::set-env name=A::b' successfully.");
  });
});
