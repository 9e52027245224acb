// The sticky PR comment: one comment per run key, found again by the hidden
// marker on its first line, updated while Claude works (live state) and once
// at the end (final state). Every untrusted string is redacted, made inert
// and has its @mentions neutralized; the body stays under GitHub's 65,536
// characters. Pure: no I/O.

import { CONCLUSION_TITLE } from '../stream/outcome.ts';
import type { ToolCall } from '../stream/types.ts';
import { clip, formatDuration, formatUsd } from './format.ts';
import { fitParts, inlineCode, inlineText, markdownLink, neutralizeMentions, truncateMarkdown } from './markdown.ts';
import type { DocPart } from './markdown.ts';
import { CONCLUSION_EMOJI, costFigures, hasLateResult, runDurationMs } from './report-input.ts';
import { clonedCommits } from './clones.ts';
import type { RunReport } from './report-input.ts';

/** GitHub refuses a body over 65,536 characters (422). */
export const COMMENT_MAX_CHARS = 65_536;
/** What we aim for: a margin for how GitHub counts. */
export const COMMENT_LIMIT_CHARS = 65_000;

const MARKER_PREFIX = 'claude-fly-action:';
/** How many recent tool calls the live checklist shows. */
export const LIVE_RECENT_CALLS = 15;
const MAX_SUMMARY_CHARS = 160;
const MAX_ERRORS = 5;

export interface LiveProgress {
  /** Since the run started. */
  elapsedMs: number;
  /** Claude's cost so far, when known. */
  costUsd?: number;
  /** The call running now (usually the last one started). */
  current?: ToolCall;
  /** The last calls, oldest first; only the last LIVE_RECENT_CALLS are shown. */
  recent: ToolCall[];
  /** Calls finished so far. */
  toolsDone: number;
  /** Turns so far, when known. */
  turns?: number;
}

export interface CommentOptions {
  /** From commentMarker(key). */
  marker: string;
  /** Present while Claude works; absent for the final state. */
  live?: LiveProgress;
  /** Override the character limit (tests). */
  limitChars?: number;
}

/** The key as a safe comment token: letters, digits and . _ : / - only, no `--`, at most 100 characters. */
export function sanitizeMarkerKey(key: string): string {
  const cleaned = key
    .replace(/[^A-Za-z0-9._:/-]/g, '_')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
  return cleaned || 'default';
}

/** `<!-- claude-fly-action:KEY -->`: the first line of every comment this action writes. */
export function commentMarker(key: string): string {
  return `<!-- ${MARKER_PREFIX}${sanitizeMarkerKey(key)} -->`;
}

/** Whether a comment body is ours for this marker: the marker must be the body's first line. */
export function isMarkedComment(body: string | null | undefined, marker: string): boolean {
  if (!body) return false;
  return body === marker || body.startsWith(`${marker}\n`) || body.startsWith(`${marker}\r\n`);
}

export function renderComment(report: RunReport, options: CommentOptions): string {
  const limit = options.limitChars ?? COMMENT_LIMIT_CHARS;
  const red = (s: string | undefined | null): string => report.redactor.redact(String(s ?? ''));
  // The marker is trusted, but a hand-made one must still be one clean line.
  const marker = /^<!-- [A-Za-z0-9._:/-]+ -->$/.test(options.marker) && !options.marker.slice(4, -3).includes('--')
    ? options.marker
    : commentMarker(options.marker.replace(/^<!--\s*|\s*-->$/g, '').replace(new RegExp(`^${MARKER_PREFIX}`), ''));
  const finalize = (text: string) => neutralizeMentions(red(text));
  const parts: DocPart[] = [];
  const add = (part: DocPart) => {
    parts.push({ text: finalize(part.text), shrink: part.shrink && ((b) => finalize(part.shrink!(b))) });
    return parts.length - 1;
  };
  // Room for what follows the marker's line, less the final newline.
  const room = limit - marker.length - 2;

  const order = options.live ? liveParts(report, options.live, add, red) : finalParts(report, add, red, room);
  const fitted = fitParts(parts, order, room, 'chars');
  if (fitted !== undefined) return `${marker}\n${fitted}\n`;
  const fallback = `${marker}\n${parts[0]?.text ?? ''}\n\n> ✂️ **Cut to fit:** the rest did not fit in a comment; see the workflow log.\n`;
  return fallback.length <= limit ? fallback : `${marker}\n`;
}

type Add = (part: DocPart) => number;

function liveParts(report: RunReport, live: LiveProgress, add: Add, red: (s: string) => string): number[] {
  const cost = live.costUsd !== undefined ? `, ${formatUsd(live.costUsd)} so far` : '';
  const turns = live.turns !== undefined ? `, ${live.turns} turn${live.turns === 1 ? '' : 's'}` : '';
  const lines = [`### ⏳ Claude is working — ${formatDuration(live.elapsedMs)}${cost}${turns}`];
  if (live.current) lines.push('', `Step ${live.current.seq}: ${callText(live.current, red)}`);
  add({ text: lines.join('\n') });

  const recent = live.recent.slice(-LIVE_RECENT_CALLS);
  const render = (count: number) => {
    const shown = recent.slice(recent.length - count);
    if (shown.length === 0) return '';
    return shown.map((c) => `- ${c.done ? (c.isError ? '✗' : '✓') : '⏳'} ${callText(c, red)}`).join('\n');
  };
  const listIndex = add({
    text: render(recent.length),
    shrink: (budget) => {
      for (let n = recent.length; n > 0; n--) {
        const text = finalizeLength(render(n));
        if (text <= budget) return render(n);
      }
      return '';
    },
  });
  const footer = [`${live.toolsDone} tool call${live.toolsDone === 1 ? '' : 's'} done`];
  if (report.runUrl) footer.push(markdownLink('Workflow log', report.runUrl));
  add({ text: footer.join(' · ') });
  return [listIndex];
}

/** A generous guess of the finalized length (a neutralized `@` grows by one character, a URL's `/@` by two). */
function finalizeLength(text: string): number {
  return text.length + 2 * (text.match(/@/g)?.length ?? 0);
}

function callText(call: ToolCall, red: (s: string) => string): string {
  const agent = call.agentLabel ? `[${inlineText(clip(red(call.agentLabel), 60))}] ` : '';
  const summary = call.summary ? ` ${inlineCode(clip(red(call.summary), MAX_SUMMARY_CHARS))}` : '';
  return `${agent}**${inlineText(clip(red(call.name), 80))}**${summary}`;
}

function finalParts(report: RunReport, add: Add, red: (s: string) => string, room: number): number[] {
  const s = report.snapshot;
  const { conclusion, reason } = report.outcome;
  add({ text: `### ${CONCLUSION_EMOJI[conclusion]} Claude Code: ${CONCLUSION_TITLE[conclusion]}\n\n${inlineText(clip(red(reason), 500))}` });

  const notes: string[] = [];
  if (!s.lastResult) notes.push('Claude Code ended without reporting a result; below is what the run saw before it ended.');
  if (hasLateResult(s)) notes.push('A background agent finished after the main answer; the figures are the session totals.');
  if (notes.length) add({ text: notes.map((n) => `> ${n}`).join('\n>\n') });

  const answer = red(s.finalText);
  let answerIndex = -1;
  if (answer.trim() !== '') {
    const title = s.lastResult ? '' : '**Last text from Claude:**\n\n';
    const where = report.summaryUrl ? markdownLink('job summary', report.summaryUrl) : 'job summary';
    const transcript = report.transcriptFile ? `; the full text is in the transcript ${inlineCode(clip(red(report.transcriptFile), 200))}` : '';
    const hint = `More in the ${where}${transcript}.`;
    const render = (budget: number) => {
      const space = budget - title.length;
      if (space < 200) return '';
      return title + truncateMarkdown(answer, space, { unit: 'chars', mentions: true, hint }).markdown;
    };
    answerIndex = add({ text: render(room), shrink: render });
  } else if (s.lastResult) {
    add({ text: '_Claude gave no final answer text._' });
  }

  const errors = [...new Set([...s.errors, ...(s.lastResult?.errors ?? [])])].filter(Boolean);
  let errorsIndex = -1;
  if (errors.length && conclusion !== 'success') {
    const items = errors.slice(0, MAX_ERRORS).map((e) => `- ${inlineText(clip(red(e), 500))}`);
    if (errors.length > MAX_ERRORS) items.push(`- _${errors.length - MAX_ERRORS} more in the job summary_`);
    errorsIndex = add({ text: `**Errors:**\n\n${items.join('\n')}`, shrink: () => '' });
  }

  add({ text: `---\n${figuresLine(report)}` });
  return [answerIndex, errorsIndex].filter((i) => i >= 0);
}

function figuresLine(report: RunReport): string {
  const s = report.snapshot;
  const bits: string[] = [];
  if (s.numTurns !== undefined) bits.push(`${s.numTurns} turn${s.numTurns === 1 ? '' : 's'}`);
  bits.push(formatDuration(runDurationMs(report)));
  const cost = costFigures(report);
  if (cost.claudeUsd !== undefined && cost.machineUsd !== undefined) {
    bits.push(`${formatUsd(cost.totalUsd)} (Claude ${formatUsd(cost.claudeUsd)}, its own estimate + machine ${formatUsd(cost.machineUsd)}, estimated)`);
  } else if (cost.claudeUsd !== undefined) {
    bits.push(`Claude ${formatUsd(cost.claudeUsd)} (its own estimate)`);
  } else if (cost.machineUsd !== undefined) {
    bits.push(`machine ${formatUsd(cost.machineUsd)} (estimated); Claude's cost unknown`);
  }
  bits.push(...clonedCommits(report).map((c) => `cloned ${c}`));
  if (report.runUrl) bits.push(markdownLink('Workflow log', report.runUrl));
  if (report.summaryUrl) bits.push(markdownLink('Job summary', report.summaryUrl));
  return `<sub>${bits.join(' · ')}</sub>`;
}
