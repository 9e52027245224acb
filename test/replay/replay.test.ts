// The bundled replay command (what users run on a transcript artifact), fed
// the real transcripts the pinned CLI wrote against the stand-in.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../report/fixtures/judge.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const REPLAY = join(ROOT, 'dist', 'replay', 'index.js');
const TRANSCRIPTS = join(ROOT, 'test', 'fixtures', 'transcripts');

function replay(args: string[], input?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'cfa-replay-'));
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(summaryFile, '');
  const run = spawnSync(process.execPath, [REPLAY, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, GITHUB_STEP_SUMMARY: summaryFile },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ...run, summary: readFileSync(summaryFile, 'utf8') };
}

function linesOf(name: string): Record<string, unknown>[] {
  return readFileSync(join(TRANSCRIPTS, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function toolUses(lines: Record<string, unknown>[]): number {
  let n = 0;
  for (const line of lines) {
    if (line.type !== 'assistant') continue;
    const content = (line.message as { content?: { type: string }[] }).content ?? [];
    n += content.filter((b) => b.type === 'tool_use').length;
  }
  return n;
}

/** Judges the whole output with the runner's parser: only the writer's own commands, balanced. */
function judged(stdout: string) {
  const token = /::stop-commands::([A-Za-z0-9_-]+)/.exec(stdout)?.[1];
  expect(token).toBeDefined();
  return judge(stdout, token);
}

describe('replay (bundled)', () => {
  const transcripts = readdirSync(TRANSCRIPTS).filter((f) => f.endsWith('.jsonl'));

  it.each(transcripts)('renders %s safely and completely', (name) => {
    const run = replay([join(TRANSCRIPTS, name)]);
    expect(run.status).toBe(0);
    const commands = judged(run.stdout);
    const lines = linesOf(name);
    const groups = commands.filter((c) => c.command === 'group').map((c) => c.data);
    const sessionGroups = groups.filter((g) => g.startsWith('Claude Code'));
    expect(sessionGroups).toHaveLength(lines.filter((l) => l.type === 'system' && l.subtype === 'init').length);
    // One group per tool call.
    expect(groups.length - sessionGroups.length).toBe(toolUses(lines));
    // Cost in the log's final line and in the summary: the last result's, once.
    const results = lines.filter((l) => l.type === 'result');
    const lastCost = results.at(-1)?.total_cost_usd as number | undefined;
    const finalLine = run.stdout.split('\n').filter((l) => l.startsWith('■')).at(-1) ?? '';
    if (lastCost !== undefined) {
      const shown = `$${lastCost.toFixed(4)}`;
      expect(finalLine).toContain(shown);
      expect(run.summary).toContain(shown);
    } else {
      expect(finalLine).toMatch(/without a result/);
    }
  });

  it('reports a two-result run once, with the last cumulative cost, and loses nothing after the first result', () => {
    const lines = linesOf('background-agent.jsonl');
    const results = lines.filter((l) => l.type === 'result');
    expect(results.length).toBe(2);
    const run = replay([join(TRANSCRIPTS, 'background-agent.jsonl')]);
    const finalLines = run.stdout.split('\n').filter((l) => l.startsWith('■'));
    expect(finalLines).toHaveLength(1);
    expect(finalLines[0]).toContain(`$${(results[1]?.total_cost_usd as number).toFixed(4)}`);
    // Everything after the first result still reaches the log.
    const afterFirst = lines.slice(lines.indexOf(results[0] as Record<string, unknown>) + 1);
    const lateTexts = afterFirst
      .filter((l) => l.type === 'assistant')
      .flatMap((l) => ((l.message as { content: { type: string; text?: string }[] }).content ?? []))
      .filter((b) => b.type === 'text' && b.text)
      .map((b) => (b.text as string).split('\n')[0] as string);
    for (const text of lateTexts) expect(run.stdout).toContain(text);
  });

  it('lets nothing in hostile text act on the workflow, and escapes it in the summary', () => {
    const run = replay([join(TRANSCRIPTS, 'hostile.jsonl')]);
    expect(run.status).toBe(0);
    const commands = judged(run.stdout);
    expect(commands.map((c) => c.command).filter((c) => c !== 'group' && c !== 'endgroup')).toEqual([]);
    expect(run.stdout).toContain('::error::'); // shown as text, inside stop-commands
    expect(run.summary).not.toMatch(/<script|<img/i);
  });

  it('reads standard input with "-" and prints the same', () => {
    const file = join(TRANSCRIPTS, 'basic.jsonl');
    const fromFile = replay([file]).stdout;
    const fromStdin = replay(['-'], readFileSync(file, 'utf8')).stdout;
    const normalize = (s: string) => s.replace(/[0-9a-f]{32}/g, 'TOKEN');
    expect(normalize(fromStdin)).toBe(normalize(fromFile));
  });

  it('shows full tool output with --tool-output full and none with none', () => {
    const file = join(TRANSCRIPTS, 'big-output.jsonl');
    const truncated = replay([file]).stdout;
    const full = replay(['--tool-output', 'full', file]).stdout;
    const none = replay(['--tool-output', 'none', file]).stdout;
    expect(truncated).toMatch(/more lines/);
    expect(Buffer.byteLength(full)).toBeGreaterThan(Buffer.byteLength(truncated) + 100_000);
    expect(none.length).toBeLessThan(truncated.length);
  });

  it('fails with a usage line on bad arguments', () => {
    const run = replay([]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/usage: replay/);
    expect(replay(['--tool-output', 'some', 'x']).status).toBe(2);
    expect(replay([join(TRANSCRIPTS, 'nope.jsonl')]).status).toBe(1);
  });
});
