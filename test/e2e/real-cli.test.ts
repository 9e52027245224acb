// End to end with the REAL Claude Code CLI on an emulated Fly machine: the
// bundled action runs through the runner harness, Claude talks to the Messages
// API stand-in, and each test picks its scripted scenario by the prompt.
// Judged by what the runner sees: outputs, the log lines the oracle executes,
// the summary, the transcript file, and the requests the fakes received.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandManager, readLines, runnerCommands, type RunnerCommand } from '../oracle/runner-commands.ts';
import type { StepResult } from '../harness/runner.ts';
import { createRequests, lastSeq } from './requests.ts';
import { runBundledAction, startWorld, TOKENS, type World } from './world.ts';

/** The workflow log as the runner reads it: stdout then stderr (they share one command state). */
function commandsOf(step: StepResult, mode: 'ordinal' | 'icu' = 'ordinal'): RunnerCommand[] {
  return runnerCommands(`${step.stdout}\n${step.stderr}`, { mode });
}

interface LogGroup {
  title: string;
  /** The lines inside the group, without the stop-commands / resume lines. */
  lines: string[];
}

/** The groups of a log, with the lines the runner shows in each (commands left out). */
function groupsOf(stdout: string): LogGroup[] {
  const manager = new CommandManager();
  const groups: LogGroup[] = [];
  let open: LogGroup | undefined;
  for (const line of readLines(stdout)) {
    const cmd = manager.processLine(line);
    if (cmd?.command === 'group') {
      open = { title: cmd.data, lines: [] };
      groups.push(open);
    } else if (cmd?.command === 'endgroup') {
      open = undefined;
    } else if (!cmd && open) {
      open.lines.push(line);
    }
  }
  return groups;
}

/** Lines the runner prints as they are (not commands). */
function plainLines(stdout: string): string[] {
  const manager = new CommandManager();
  return readLines(stdout).filter((line) => manager.processLine(line) === undefined);
}

function transcriptOf(step: StepResult): string {
  const path = step.outputs['transcript-file'];
  expect(path, 'transcript-file output').toBeTruthy();
  return readFileSync(path as string, 'utf8');
}

function transcriptEvents(step: StepResult): Record<string, unknown>[] {
  return transcriptOf(step)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The output without the add-mask commands the runner executes (checked on their own in the hostile test). */
function withoutMaskCommands(output: string): string {
  const manager = new CommandManager();
  return readLines(output)
    .filter((line) => manager.processLine(line)?.command !== 'add-mask')
    .join('\n');
}

const PR_NUMBER = 7;

describe('end to end with the real Claude Code CLI', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ claude: 'real' });
    world.github.setUser(TOKENS.github, { login: 'github-actions[bot]', id: 41898282, type: 'Bot', installation: true });
    world.github.addIssue('octo/app', PR_NUMBER, { pull: true });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('parallel tool calls: one group per call, each labelled apart', async () => {
    const { main } = await runBundledAction(world, { prompt: 'Survey the repository layout' });
    if (main.failed) console.log(main.stdout, main.stderr);
    expect(main.failed).toBe(false);
    expect(main.outputs.conclusion).toBe('success');
    const toolGroups = groupsOf(main.stdout)
      .map((g) => g.title)
      .filter((t) => /^[✓✗] \[/.test(t));
    expect(toolGroups).toHaveLength(3);
    // Sequence numbers and summaries tell the calls apart, even the two Bash ones.
    expect(new Set(toolGroups).size).toBe(3);
    // The repository has no README.md: that Read fails, and its group says so.
    expect(toolGroups.some((t) => /^✗ \[\d+\] Read: .*README\.md/.test(t))).toBe(true);
    expect(toolGroups.some((t) => /^✓ \[\d+\] Bash: ls -1/.test(t))).toBe(true);
    expect(toolGroups.some((t) => /^✓ \[\d+\] Bash: git log --oneline/.test(t))).toBe(true);
    const seqs = toolGroups.map((t) => /^[✓✗] \[(\d+)\]/.exec(t)?.[1]);
    expect(new Set(seqs).size).toBe(3);
    // Each group holds its own call's input and output.
    const ls = groupsOf(main.stdout).find((g) => g.title.includes('Bash: ls -1'));
    expect(ls?.lines).toContain('$ ls -1');
    expect(ls?.lines.some((l) => l === 'greet.js')).toBe(true);
    expect(ls?.lines.join('\n')).not.toContain('git log --oneline');
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  describe('a background agent that finishes after the main turn (on a pull request)', () => {
    let main: StepResult;
    let post: StepResult | null;
    let events: Record<string, unknown>[];
    let results: { total_cost_usd: number; num_turns: number }[];
    let plain: string[];
    let finalLine: string | undefined;
    /** The last result's cumulative cost as the reports show it, and the sum they must never show. */
    let shown: string;
    let sumShown: string;

    beforeAll(async () => {
      ({ main, post } = await runBundledAction(world, {
        prompt: 'Audit the repository in the background and tell me when done.',
        event: {
          name: 'pull_request',
          payload: {
            pull_request: {
              number: PR_NUMBER,
              head: { sha: world.repo.main, repo: { full_name: 'octo/app' } },
              base: { ref: 'main', sha: world.repo.main, repo: { full_name: 'octo/app' } },
            },
            number: PR_NUMBER,
          },
        },
      }));
      if (main.failed) console.log(main.stdout, main.stderr);
      events = transcriptEvents(main);
      results = events.filter((e) => e.type === 'result') as unknown as typeof results;
      plain = plainLines(main.stdout);
      finalLine = plain.find((l) => l.startsWith('■ Claude Code'));
      const lastCost = results.at(-1)?.total_cost_usd ?? NaN;
      shown = `$${lastCost.toFixed(4)}`;
      sumShown = `$${results.reduce((n, r) => n + r.total_cost_usd, 0).toFixed(4)}`;
    });

    it('succeeds with two results in the transcript, and leaves no machine', () => {
      expect(main.failed).toBe(false);
      expect(main.outputs.conclusion).toBe('success');
      expect(results).toHaveLength(2);
      expect(results.at(-1)!.total_cost_usd).toBeGreaterThan(0);
      expect(sumShown).not.toBe(shown); // else "never a sum" could not be told apart
      expect(post?.failed).toBe(false);
      expect(world.fly.liveMachineCount()).toBe(0);
    });

    it('outputs, the final log line and the summary give the last cumulative cost once, never a sum', () => {
      expect(Number(main.outputs['cost-usd'])).toBeCloseTo(results.at(-1)!.total_cost_usd, 10);
      expect(finalLine).toBeDefined();
      expect(finalLine).toContain(`cost ${shown}`);
      expect(finalLine).toContain('2 results');
      expect(main.stdout).not.toContain(sumShown);
      expect(main.summary).toContain(`| Claude's cost | ${shown} `);
      expect(main.summary).not.toContain(sumShown);
      expect(main.summary).toMatch(/2 results/);
    });

    it('the PR comment gives the last cost once', () => {
      const comments = world.github.comments.list('octo/app', PR_NUMBER);
      expect(comments).toHaveLength(1);
      const body = comments[0]!.body;
      expect(body).toContain('Success');
      expect(body).toContain(shown);
      expect(body).not.toContain(sumShown);
      expect(main.outputs['comment-url']).toMatch(/issuecomment/);
    });

    it('turns, unlike cost, are counted per result: the run has their sum', () => {
      // Measured with 2.1.330: 2 for the main query, then 1 for the late one.
      const turns = results.reduce((n, r) => n + r.num_turns, 0);
      expect(results.at(-1)!.num_turns).toBeLessThan(turns);
      expect(main.outputs['num-turns']).toBe(String(turns));
      expect(main.summary).toContain(`| Turns | ${turns} |`);
      expect(finalLine).toContain(`${turns} turns`);
      expect(world.github.comments.list('octo/app', PR_NUMBER)[0]?.body).toContain(`${turns} turns`);
    });

    it('nothing after the first result is lost: every text, tool call and result reaches the log', () => {
      // Claude Code 2.1.330 holds the first result back until the background agent is done, so what
      // follows it in the stream is the second result; the subagent's own lines come before it.
      const firstResultAt = plain.findIndex((l) => l.startsWith('result 1:'));
      const secondResultAt = plain.findIndex((l) => l.startsWith('result 2:'));
      expect(firstResultAt).toBeGreaterThanOrEqual(0);
      expect(secondResultAt).toBeGreaterThan(firstResultAt);
      expect(plain.indexOf(finalLine ?? '')).toBeGreaterThan(secondResultAt);
      const texts: string[] = [];
      let toolUses = 0;
      for (const e of events) {
        if (e.type !== 'assistant') continue;
        for (const block of (e.message as { content: { type: string; text?: string }[] }).content) {
          if (block.type === 'text' && block.text?.trim()) texts.push(block.text.trim());
          if (block.type === 'tool_use') toolUses++;
        }
      }
      expect(texts.length).toBeGreaterThanOrEqual(4);
      for (const text of texts) expect(plain.some((l) => l.endsWith(text)), text).toBe(true);
      expect(groupsOf(main.stdout).filter((g) => /^[✓✗] \[/.test(g.title))).toHaveLength(toolUses);
      const subagentCall = groupsOf(main.stdout).find((g) => /agent 1: Count repository lines · \d+\] Bash: git ls-files/.test(g.title));
      expect(subagentCall, 'the subagent Bash call group').toBeDefined();
      expect(subagentCall?.lines.join('\n')).toMatch(/greet\.js/);
      expect(plain.some((l) => /^\[agent 1: Count repository lines\] greet\.js and README\.md/.test(l))).toBe(true);
      expect(plain.some((l) => /^⇠ agent 1 finished/.test(l))).toBe(true);
      // The late answer is the run's answer.
      expect(main.outputs.result).toContain('The background audit finished');
    });
  });

  it('API retries (429, 529, 500) show as warning lines as they happen', async () => {
    // What the runner had seen when the first retry line reached it.
    let seen = '';
    let atFirstRetry: string | undefined;
    const { main } = await runBundledAction(world, {
      prompt: 'Say hello once the API recovers.',
      onStdout: (chunk) => {
        seen += chunk;
        if (atFirstRetry === undefined && seen.includes('⚠ API retry 1/')) atFirstRetry = seen;
      },
    });
    if (main.failed) console.log(main.stdout, main.stderr);
    expect(main.failed).toBe(false);
    expect(main.outputs.conclusion).toBe('success');
    const plain = plainLines(main.stdout);
    const retryLines = plain.filter((l) => l.startsWith('⚠ API retry'));
    expect(retryLines).toHaveLength(3);
    expect(retryLines[0]).toMatch(/^⚠ API retry 1\/\d+: .*\(HTTP 429\)/);
    expect(retryLines[1]).toMatch(/^⚠ API retry 2\/\d+: .*\(HTTP 529\)/);
    expect(retryLines[2]).toMatch(/^⚠ API retry 3\/\d+: .*\(HTTP 500\)/);
    // As they happen: before the answer and the result.
    const answerAt = plain.findIndex((l) => l.includes('Hello after three retries.'));
    const resultAt = plain.findIndex((l) => l.startsWith('result 1:'));
    expect(answerAt).toBeGreaterThan(plain.indexOf(retryLines[2]!));
    expect(resultAt).toBeGreaterThan(answerAt);
    // Live: the first retry was in the log while the CLI was still waiting to try again (each
    // retry waits the stand-in's retry-after of 1 s), before any answer existed.
    expect(atFirstRetry).toBeDefined();
    expect(atFirstRetry).not.toContain('Hello after three retries.');
    expect(atFirstRetry).not.toMatch(/^result 1:/m);
    // One warning annotation names the retries (not one per retry: annotations are limited).
    const warnings = commandsOf(main).filter((c) => c.command === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.data).toMatch(/retried/);
    expect(main.summary).toMatch(/API retries:\*\* 3/);
  });

  it('--max-turns reached: failure naming max-turns, the step fails', async () => {
    const { main } = await runBundledAction(world, {
      prompt: 'Keep checking the build until it is green',
      inputs: { 'max-turns': '2' },
    });
    expect(main.outputs.conclusion).toBe('failure');
    expect(main.failed).toBe(true);
    const errors = commandsOf(main).filter((c) => c.command === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.data).toMatch(/max-turns/);
    expect(main.summary).toMatch(/max-turns/);
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  it('--max-turns reached with fail-on-error false: the step passes, the output says failure', async () => {
    const { main } = await runBundledAction(world, {
      prompt: 'Keep checking the build until it is green',
      inputs: { 'max-turns': '2', 'fail-on-error': 'false' },
    });
    expect(main.failed).toBe(false);
    expect(main.outputs.conclusion).toBe('failure');
    const commands = commandsOf(main);
    expect(commands.filter((c) => c.command === 'error')).toHaveLength(0);
    expect(commands.some((c) => c.command === 'warning' && /max-turns/.test(c.data))).toBe(true);
  });

  it('--max-budget-usd reached: failure naming max-budget-usd', async () => {
    const { main } = await runBundledAction(world, {
      prompt: 'Run the expensive analysis',
      inputs: { 'max-budget-usd': '0.01' },
    });
    expect(main.outputs.conclusion).toBe('failure');
    expect(main.failed).toBe(true);
    const errors = commandsOf(main).filter((c) => c.command === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.data).toMatch(/max-budget-usd/);
    expect(main.summary).toMatch(/max-budget-usd/);
    expect(Number(main.outputs['cost-usd'])).toBeGreaterThan(0.01);
  });

  describe('a tool output of several hundred KB', () => {
    // The command prints 3000 lines, about 325 KB. Claude Code 2.1.330 gives Claude a
    // <persisted-output> preview and keeps the first BASH_MAX_OUTPUT_LENGTH bytes (at most
    // 150,000, whatever is asked) in the line's tool_use_result: that is all of the output the
    // stream, and so the action, ever gets.
    const env = 'BASH_MAX_OUTPUT_LENGTH=150000';
    const LOG_LINE = /^log \d{5} /;
    const bashGroup = (stdout: string) => groupsOf(stdout).find((g) => /Bash: for i in/.test(g.title));
    /** The complete log lines the stream carried (tool_use_result.stdout), as the transcript holds them. */
    const streamedLines = (step: StepResult): string[] => {
      const stdout = transcriptEvents(step)
        .filter((e) => e.type === 'user')
        .map((e) => (e.tool_use_result as { stdout?: string } | undefined)?.stdout ?? '')
        .find((s) => s.includes('log 00001'));
      expect(stdout, 'the tool_use_result in the transcript').toBeDefined();
      // The CLI cuts on bytes: the last line may be partial.
      return stdout!.split('\n').filter((l) => LOG_LINE.test(l) && l.endsWith('✓'));
    };

    it('truncated (default): the group shows a bounded part with a "more lines" note; the transcript holds all', async () => {
      const { main } = await runBundledAction(world, { prompt: 'Print the big build log', inputs: { env } });
      if (main.failed) console.log(main.stdout.slice(0, 5000), main.stderr);
      expect(main.failed).toBe(false);
      const streamed = streamedLines(main);
      // The transcript holds every line the stream carried, in order, byte for byte: over 1,000 lines, ~150 KB.
      expect(streamed.length).toBeGreaterThan(1000);
      expect(streamed.every((l, i) => l.startsWith(`log ${String(i + 1).padStart(5, '0')} `))).toBe(true);
      expect(Buffer.byteLength(transcriptOf(main))).toBeGreaterThan(140_000);
      const group = bashGroup(main.stdout);
      expect(group).toBeDefined();
      const shown = group!.lines.filter((l) => LOG_LINE.test(l));
      expect(shown.length).toBeGreaterThan(10);
      expect(shown.length).toBeLessThanOrEqual(200);
      expect(shown).toEqual(streamed.slice(0, shown.length));
      const note = group!.lines.find((l) => /^… [\d,]+ more lines \(.+\) not shown$/.test(l));
      expect(note, 'the "more lines" note').toBeDefined();
      // The note counts what was left out of the fuller output (the partial last line too).
      const omitted = Number(/^… ([\d,]+) more lines/.exec(note!)?.[1]?.replace(/,/g, ''));
      expect(omitted + shown.length).toBeGreaterThanOrEqual(streamed.length);
      expect(omitted + shown.length).toBeLessThanOrEqual(streamed.length + 1);
      expect(main.stdout).not.toContain(streamed.at(-1));
    });

    it('tool-output full: the group shows all of it', async () => {
      const { main } = await runBundledAction(world, { prompt: 'Print the big build log', inputs: { env, 'tool-output': 'full' } });
      expect(main.failed).toBe(false);
      const streamed = streamedLines(main);
      const group = bashGroup(main.stdout);
      const shown = group!.lines.filter((l) => LOG_LINE.test(l) && l.endsWith('✓'));
      expect(shown).toEqual(streamed);
      expect(group!.lines.some((l) => /more lines? .* not shown/.test(l))).toBe(false);
    });
  });

  it('workflow commands and HTML in narration, tool input and output: no injected command, an escaped summary', async () => {
    const { main } = await runBundledAction(world, { prompt: 'Summarise the incident notes in incident.md.' });
    if (main.failed) console.log(main.stdout, main.stderr);
    expect(main.failed).toBe(false);
    expect(main.outputs.conclusion).toBe('success');
    // The hostile text did reach the log (as text).
    expect(main.stdout).toContain('::error::pwned');
    expect(main.stdout).toContain('pwned-from-tool');

    for (const mode of ['ordinal', 'icu'] as const) {
      const commands = commandsOf(main, mode);
      const stops = commands.filter((c) => c.command === 'stop-commands');
      expect(stops.length, mode).toBeGreaterThan(0);
      const tokens = new Set(stops.map((c) => c.data));
      expect(tokens.size, `${mode}: one stop token`).toBe(1);
      const [token] = [...tokens];
      expect(token).toMatch(/^[0-9a-f]{32}$/);
      const secrets = new Set([TOKENS.anthropic, world.fly.token, TOKENS.github]);
      const ourTitle = /^(Claude Code \d|[✓✗] \[\d+\] )/;
      for (const c of commands) {
        const where = `${mode}: ${c.command} ${c.data}`;
        switch (c.command) {
          case 'stop-commands':
            break;
          case 'add-mask':
            expect(secrets.has(c.data), where).toBe(true);
            break;
          case 'group':
            expect(c.data, where).toMatch(ourTitle);
            break;
          case 'endgroup':
            expect(c.data, where).toBe('');
            break;
          case 'warning':
          case 'notice':
            expect(c.data, where).not.toMatch(/pwned|alert|<script|x$/);
            break;
          default:
            // The resume line: its command is the token.
            expect(c.command.toLowerCase(), where).toBe(token);
        }
      }
      expect(commands.filter((c) => c.command === 'endgroup')).toHaveLength(commands.filter((c) => c.command === 'group').length);
    }
    // The hostile Bash call got a group of its own, titled safely.
    const bash = groupsOf(main.stdout).find((g) => /^✓ \[\d+\] Bash: cat incident\.md/.test(g.title));
    expect(bash).toBeDefined();
    // The summary escapes HTML from the answer.
    expect(main.summary).toContain('Summary');
    expect(main.summary).not.toMatch(/<script/i);
    expect(main.summary).not.toMatch(/<img/i);
    expect(main.summary).not.toContain('<!-- hidden comment -->');
  });

  it('the secrets never appear in the log, summary, outputs, transcript or machine config', async () => {
    const from = lastSeq(world);
    const { main, post } = await runBundledAction(world, { prompt: 'E2E: show the credentials on the machine' });
    if (main.failed) console.log(main.stdout, main.stderr);
    expect(main.failed).toBe(false);
    // The tool did print them (masked): the output had something to hide.
    const group = groupsOf(main.stdout).find((g) => /Bash: printenv/.test(g.title));
    expect(group?.lines.filter((l) => l === '***').length).toBeGreaterThanOrEqual(2);
    const transcript = transcriptOf(main);
    expect(transcript).toContain('***');
    const secrets = [TOKENS.anthropic, world.fly.token, TOKENS.github];
    const base64 = Buffer.from(TOKENS.anthropic).toString('base64');
    expect(createRequests(world, from)).toHaveLength(1);
    // Every machine of this file's runs (this test runs last): none was created with a secret.
    const creates = createRequests(world, 0);
    expect(creates.length).toBeGreaterThan(1);
    const places: [string, string][] = [
      // Our own ::add-mask:: lines carry the values to the runner's masker (they never reach the log).
      ['main stdout', withoutMaskCommands(main.stdout)],
      ['main stderr', main.stderr],
      ['post stdout', withoutMaskCommands(post?.stdout ?? '')],
      ['main log', main.log],
      ['summary', main.summaryRaw],
      ['outputs', JSON.stringify(main.outputs)],
      ['transcript', transcript],
      ['create requests', creates.map((r) => r.bodyText).join('\n')],
    ];
    for (const [where, text] of places) {
      for (const secret of secrets) expect(text.includes(secret), `${where} holds a secret`).toBe(false);
      expect(text.includes(base64.slice(0, 24)), `${where} holds the key in base64`).toBe(false);
    }
  });
});
