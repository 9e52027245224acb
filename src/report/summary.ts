// The job summary (GITHUB_STEP_SUMMARY): what a person reads after the run.
// Markdown with a little HTML (<details>), every untrusted string redacted
// and escaped, at most SUMMARY_LIMIT_BYTES of UTF-8 (the runner drops a step
// summary over 1 MiB whole). Pure: no I/O.

import { CONCLUSION_TITLE } from '../stream/outcome.ts';
import type { ToolStats } from '../stream/types.ts';
import { clip, formatBytes, formatCount, formatDuration, formatTokens, formatUsd, truncateLines } from './format.ts';
import { codeBlock, fitParts, inlineCode, inlineText, markdownLink, tableCell, truncateMarkdown } from './markdown.ts';
import type { DocPart } from './markdown.ts';
import {
  CONCLUSION_EMOJI,
  claudeCodeVersion,
  costFigures,
  hasLateResult,
  retrySummary,
  runDurationMs,
} from './report-input.ts';
import type { RunReport } from './report-input.ts';
import { clonedCommits } from './clones.ts';

export type { RunReport, MachineInfo } from './report-input.ts';

/** The runner's limit is 1 MiB (1,048,576 bytes); keep a margin. */
export const SUMMARY_LIMIT_BYTES = 1_000_000;

/** Natural bounds of the smaller sections, before any fitting. */
const MAX_TOOL_ROWS = 500;
const MAX_ERRORS = 50;
const MAX_ERROR_CHARS = 2_000;
const MAX_DENIALS = 100;
const MAX_SUBAGENTS = 100;
const MAX_LINE_CHARS = 500;
const MAX_STRUCTURED_BYTES = 100_000;

export interface SummaryOptions {
  /** Override the byte limit (tests). */
  limitBytes?: number;
}

/** Output arrives in reads about a second apart: shorter totals are not measured, only known to be short. */
function toolTime(ms: number): string {
  if (ms <= 0) return '—';
  return ms < 1000 ? '<1 s' : formatDuration(ms);
}

export function renderSummary(report: RunReport, options: SummaryOptions = {}): string {
  const limit = options.limitBytes ?? SUMMARY_LIMIT_BYTES;
  const red = (s: string | undefined | null): string => report.redactor.redact(String(s ?? ''));
  const s = report.snapshot;
  const { outcome } = report;
  const finalize = (text: string) => red(text);

  const parts: DocPart[] = [];
  const add = (part: DocPart) => {
    parts.push({ text: finalize(part.text), shrink: part.shrink && ((b) => finalize(part.shrink!(b))) });
    return parts.length - 1;
  };

  // Headline and notes.
  add({ text: headline(report, red) });
  const notes = notesFor(report);
  if (notes) add({ text: notes });
  add({ text: figuresTable(report, red) });

  // Claude's answer: the largest part, cut first.
  const answer = red(s.finalText);
  const answerTitle = outcome.conclusion === 'success' || s.lastResult ? "### Claude's answer" : '### Last text from Claude';
  let answerIndex = -1;
  if (answer.trim() !== '') {
    const hint = report.transcriptFile ? `The full text is in the transcript ${inlineCode(red(report.transcriptFile))}.` : 'The full text is in the workflow log.';
    const render = (budget: number): string => {
      const room = budget - Buffer.byteLength(answerTitle, 'utf8') - 2;
      if (room < 200) return '';
      const bounded = truncateMarkdown(answer, room, { unit: 'bytes', hint });
      return bounded.markdown ? `${answerTitle}\n\n${bounded.markdown}` : '';
    };
    answerIndex = add({ text: render(limit), shrink: render });
  } else if (s.lastResult) {
    add({ text: `${answerTitle}\n\n_Claude gave no final answer text._` });
  }

  const errorsIndex = add(listSection('### Errors', errorItems(report, red), MAX_ERRORS));
  const denialsIndex = add(listSection('### Permission denials', denialItems(report, red), MAX_DENIALS));
  const retries = retriesLine(report);
  if (retries) add({ text: retries });
  const subagentsIndex = add(listSection('### Subagents', subagentItems(report, red), MAX_SUBAGENTS));
  const toolsIndex = add(toolsSection(s.toolStats, red));
  const structuredIndex = add(structuredSection(s.structuredOutput, red));
  add({ text: linksLine(report, red) });

  const order = [answerIndex, toolsIndex, structuredIndex, errorsIndex, subagentsIndex, denialsIndex].filter((i) => i >= 0);
  const fitted = fitParts(parts, order, limit - 1, 'bytes'); // -1: the final newline
  if (fitted !== undefined) return `${fitted}\n`;
  // Cannot happen with the natural bounds above; still, never hand the runner more than the limit.
  const minimal = `${parts[0]!.text}\n\n> ✂️ **Cut to fit:** the rest of this summary did not fit in ${formatBytes(limit)}; see the workflow log.\n`;
  return Buffer.byteLength(minimal, 'utf8') <= limit ? minimal : '';
}

function headline(report: RunReport, red: (s: string) => string): string {
  const { conclusion, reason } = report.outcome;
  return `## ${CONCLUSION_EMOJI[conclusion]} Claude Code: ${CONCLUSION_TITLE[conclusion]}\n\n${inlineText(clip(red(reason), MAX_LINE_CHARS))}`;
}

function notesFor(report: RunReport): string {
  const s = report.snapshot;
  const lines: string[] = [];
  if (!s.lastResult) {
    lines.push(
      `> [!WARNING]\n> **No result:** Claude Code ended without reporting a result (${inlineText(clip(report.redactor.redact(report.outcome.reason), MAX_LINE_CHARS))}). The figures below are what the run saw before it ended.`,
    );
  }
  if (hasLateResult(s)) {
    lines.push(
      `> [!NOTE]\n> A background agent finished after the main answer: Claude Code reported ${s.results.length} results. Cost and tokens are the session totals of the last one, counted once; turns are added up over the results.`,
    );
  }
  return lines.join('\n\n');
}

function figuresTable(report: RunReport, red: (s: string) => string): string {
  const s = report.snapshot;
  const rows: [string, string][] = [];
  const duration = runDurationMs(report);
  const claudeDuration = s.durationMs;
  let durationText = formatDuration(duration);
  if (claudeDuration !== undefined && duration !== claudeDuration) {
    const api = s.lastResult?.durationApiMs;
    durationText += ` (Claude Code: ${formatDuration(claudeDuration)}${api !== undefined ? `, of which API ${formatDuration(api)}` : ''})`;
  }
  rows.push(['Duration', durationText]);
  rows.push(['Turns', s.numTurns !== undefined ? String(s.numTurns) : 'unknown']);

  const cost = costFigures(report);
  rows.push(["Claude's cost", `${formatUsd(cost.claudeUsd)} — Claude Code's own estimate`]);
  if (report.machine || cost.machineUsd !== undefined) {
    rows.push([
      'Machine cost',
      cost.machineUsd !== undefined
        ? `${formatUsd(cost.machineUsd)} — estimate: ${tableCell(red(cost.machineBasis ?? 'given by the caller'))}`
        : 'unknown (running time not known)',
    ]);
    rows.push([
      'Total cost',
      cost.claudeUsd !== undefined && cost.machineUsd !== undefined
        ? `**${formatUsd(cost.totalUsd)}** — Claude + machine, both estimates`
        : `${formatUsd(cost.totalUsd)} — only ${cost.claudeUsd !== undefined ? "Claude's" : "the machine's"} cost is known`,
    ]);
  }
  const u = s.usage;
  rows.push([
    'Tokens',
    `${formatTokens(u.inputTokens)} in · ${formatTokens(u.outputTokens)} out · ${formatTokens(u.cacheReadTokens)} cache read · ${formatTokens(u.cacheWriteTokens)} cache write (all models and subagents)`,
  ]);
  if (s.models.length) rows.push([s.models.length > 1 ? 'Models' : 'Model', s.models.slice(0, 20).map((m) => inlineCode(clip(red(m), 100))).join(', ')]);
  const version = claudeCodeVersion(report);
  if (version) rows.push(['Claude Code', inlineCode(clip(red(version), 60))]);
  const m = report.machine;
  if (m) {
    const size = `${clip(red(m.sizeName), 40)} (${m.cpus} ${clip(red(m.cpuKind), 20)} CPU${m.cpus === 1 ? '' : 's'}, ${m.memoryMb} MB)`;
    rows.push(['Machine', `${inlineCode(clip(red(m.id), 80))} · ${tableCell(clip(red(m.region), 20) || 'region unknown')} · ${tableCell(size)}`]);
  }
  const cloned = clonedCommits(report);
  if (cloned.length) rows.push(['Cloned', cloned.join('<br>')]);
  if (s.sessionId) rows.push(['Session', inlineCode(clip(red(s.sessionId), 100))]);
  if (report.outcome.exitCode !== null) rows.push(['Exit code', String(report.outcome.exitCode)]);
  if (s.compactions > 0) rows.push(['Context compactions', String(s.compactions)]);
  return ['| Run | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

function listSection(title: string, items: string[], max: number): DocPart {
  if (items.length === 0) return { text: '' };
  const render = (count: number) => {
    const shown = items.slice(0, count).map((i) => `- ${i}`);
    const rest = items.length - count;
    if (rest > 0) shown.push(`- ✂️ _${rest} more not shown${count < Math.min(items.length, max) ? ' (cut to fit)' : ''}_`);
    return `${title}\n\n${shown.join('\n')}`;
  };
  const natural = Math.min(items.length, max);
  return {
    text: render(natural),
    shrink: (budget) => shrinkByCount(natural, render, budget),
  };
}

/** The largest count whose rendering fits the budget ('' when none does). */
function shrinkByCount(natural: number, render: (count: number) => string, budget: number): string {
  let lo = 0;
  let hi = natural;
  if (Buffer.byteLength(render(0), 'utf8') > budget) return '';
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(render(mid), 'utf8') <= budget) lo = mid;
    else hi = mid - 1;
  }
  return render(lo);
}

function errorItems(report: RunReport, red: (s: string) => string): string[] {
  const s = report.snapshot;
  const all = [...s.errors, ...(s.lastResult?.errors ?? [])];
  const seen = new Set<string>();
  const items: string[] = [];
  for (const e of all) {
    if (!e || seen.has(e)) continue;
    seen.add(e);
    items.push(inlineText(clip(red(e), MAX_ERROR_CHARS)));
  }
  return items;
}

function denialItems(report: RunReport, red: (s: string) => string): string[] {
  const s = report.snapshot;
  const items = s.permissionDenials.map(
    (d) => `${inlineCode(clip(red(d.toolName), 100))}${d.message ? `: ${inlineText(clip(red(d.message), MAX_LINE_CHARS))}` : ''}`,
  );
  // Denials the result lists but no event announced.
  const known = new Set(s.permissionDenials.map((d) => d.toolUseId));
  for (const d of s.lastResult?.permissionDenials ?? []) {
    if (!known.has(d.toolUseId)) items.push(inlineCode(clip(red(d.toolName), 100)));
  }
  return items;
}

function retriesLine(report: RunReport): string {
  const r = retrySummary(report.snapshot);
  if (r.count === 0) return '';
  const kinds = r.kinds
    .slice(0, 20)
    .map((k) => `${inlineCode(clip(report.redactor.redact(k.error), 60))} ×${k.count}${k.statuses.length ? ` (HTTP ${k.statuses.slice(0, 5).join(', ')})` : ''}`)
    .join(', ');
  return `**API retries:** ${r.count} — ${kinds}`;
}

function subagentItems(report: RunReport, red: (s: string) => string): string[] {
  return report.snapshot.subagents.map((a) => {
    const traits = [a.subagentType && inlineCode(clip(red(a.subagentType), 60)), a.status && tableCell(clip(red(a.status), 40)), a.background ? 'background' : '']
      .filter(Boolean)
      .join(', ');
    return `Agent ${a.index}: ${inlineText(clip(red(a.description), MAX_LINE_CHARS)) || '_no description_'}${traits ? ` (${traits})` : ''}`;
  });
}

function toolsSection(stats: ToolStats[], red: (s: string) => string): DocPart {
  if (stats.length === 0) return { text: '' };
  const sorted = [...stats].sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name, 'en', { numeric: true }));
  const calls = sorted.reduce((n, t) => n + t.calls, 0);
  const errors = sorted.reduce((n, t) => n + t.errors, 0);
  const rows = sorted.map(
    (t) => `| ${inlineCode(clip(red(t.name), 120))} | ${t.calls} | ${t.errors} | ${toolTime(t.totalMs)} |`,
  );
  const title = `<details><summary>Tool use: ${calls} call${calls === 1 ? '' : 's'} of ${sorted.length} tool${sorted.length === 1 ? '' : 's'}, ${errors} error${errors === 1 ? '' : 's'}</summary>`;
  const render = (count: number) => {
    const lines = [title, '', '| Tool | Calls | Errors | Total time |', '| --- | ---: | ---: | ---: |', ...rows.slice(0, count)];
    const rest = rows.length - count;
    if (rest > 0) {
      const why = count < Math.min(rows.length, MAX_TOOL_ROWS) ? 'cut to fit' : `the table lists the ${MAX_TOOL_ROWS} most used`;
      lines.push('', `✂️ _${rest} more tool${rest === 1 ? '' : 's'} not shown (${why})._`);
    }
    lines.push('', '</details>');
    return lines.join('\n');
  };
  const natural = Math.min(rows.length, MAX_TOOL_ROWS);
  return { text: render(natural), shrink: (budget) => shrinkByCount(natural, render, budget) };
}

function structuredSection(value: unknown, red: (s: string) => string): DocPart {
  if (value === undefined || value === null) return { text: '' };
  let json: string;
  try {
    json = JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    json = String(value);
  }
  json = red(json);
  const render = (maxBytes: number) => {
    const cut = truncateLines(json, Number.MAX_SAFE_INTEGER, maxBytes);
    const note = cut.omittedChars > 0 ? `\n\n✂️ _${formatCount(cut.omittedChars)} characters not shown._` : '';
    return `<details><summary>Structured output (JSON)</summary>\n\n${codeBlock(cut.text, 'json')}${note}\n\n</details>`;
  };
  return {
    text: render(MAX_STRUCTURED_BYTES),
    shrink: (budget) => {
      const overhead = Buffer.byteLength(render(0), 'utf8') + 64;
      return budget > overhead + 200 ? render(budget - overhead) : '';
    },
  };
}

function linksLine(report: RunReport, red: (s: string) => string): string {
  const links: string[] = [];
  if (report.runUrl) links.push(markdownLink('Workflow log', report.runUrl));
  if (report.commentUrl) links.push(markdownLink('PR comment', report.commentUrl));
  if (report.transcriptFile) links.push(`Transcript: ${inlineCode(clip(red(report.transcriptFile), 200))}`);
  return links.join(' · ');
}
