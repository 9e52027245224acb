// Untrusted text (Claude's answer, tool summaries, error messages) into GitHub
// markdown for the job summary and the PR comment. Pure: no I/O.
//
// Markdown formatting is kept (headings, lists, emphasis, links, tables,
// code); raw HTML is made inert. Safety never rests on agreeing with GitHub's
// parser about the INPUT, only on the shape of the OUTPUT:
// - outside code, every `<` and `&` becomes an entity, so no HTML tag,
//   comment or block (and no `</details>`) can come from untrusted text;
// - fenced code blocks are re-emitted at column 0 inside a fence of our own,
//   longer than any backtick run inside, always closed; their content is left
//   as is (GitHub shows code literally) except `<!--`, which gets a
//   zero-width space so that nothing can pass for the comment's hidden marker;
// - inline code spans are re-emitted as <code> elements with their
//   punctuation as numeric entities, and backticks that open no code span are
//   escaped, so no backtick pairing can differ from ours.

/** Zero-width space: invisible, but breaks @mentions and `<!--`. */
export const ZWSP = '\u200B';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITY[c]!);
}

const HTML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// Characters that mean something to markdown, HTML, GitHub math, mentions or
// tables: inside our <code> elements they become numeric entities.
const CODE_SPECIAL = /[&<>`*_[\]\\|~@$!]/g;

function encodeCodeContent(text: string): string {
  return text.replace(CODE_SPECIAL, (c) => `&#${c.charCodeAt(0)};`);
}

/** Text shown as inline code, whatever it contains; newlines become spaces. */
export function inlineCode(text: string): string {
  const oneLine = text.replace(/\r\n|\r|\n/g, ' ');
  return `<code>${encodeCodeContent(oneLine)}</code>`;
}

/** `<!--` cannot start a comment (or pass for a marker) once a zero-width space sits inside it. */
function breakCommentOpeners(text: string): string {
  return text.includes('<!--') ? text.replaceAll('<!--', `<${ZWSP}!--`) : text;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === char) {
      run++;
      if (run > longest) longest = run;
    } else run = 0;
  }
  return longest;
}

/** A fenced code block at column 0 that nothing inside can close; lang is cleaned to a word. */
export function codeBlock(text: string, lang?: string): string {
  const body = breakCommentOpeners(normalizeNewlines(text)).replace(/\n$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  const info = (lang ?? '').match(/^[A-Za-z0-9_+#.-]{1,30}/)?.[0] ?? '';
  return `${fence}${info}\n${body}\n${fence}`;
}

function normalizeNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

// ---------------------------------------------------------------------------
// Inline text

const INLINE_TOKEN = /\\([!-/:-@[-`{-~])|(`+)|([<>&|])/g;

/**
 * One line of untrusted inline markdown, HTML made inert. In table mode `|`
 * cannot end the cell. Backslash escapes are honoured as GitHub reads them.
 */
function renderInline(line: string, table: boolean): string {
  let out = '';
  let last = 0;
  INLINE_TOKEN.lastIndex = 0;
  let runs: BacktickRuns | undefined;
  let m: RegExpExecArray | null;
  while ((m = INLINE_TOKEN.exec(line)) !== null) {
    out += line.slice(last, m.index);
    const escaped = m[1];
    const ticks = m[2];
    const special = m[3];
    if (escaped !== undefined) {
      // `\<` shows `<`: write the entity instead (a backslash before `&` would show the entity's text).
      if (escaped === '<' || escaped === '>' || escaped === '&' || (table && escaped === '|')) out += `&#${escaped.charCodeAt(0)};`;
      else out += `\\${escaped}`;
    } else if (ticks !== undefined) {
      runs ??= new BacktickRuns(line);
      const close = runs.find(m.index + ticks.length, ticks.length);
      if (close >= 0) {
        out += inlineCode(stripCodePadding(line.slice(m.index + ticks.length, close)));
        INLINE_TOKEN.lastIndex = close + ticks.length;
      } else {
        out += '\\`'.repeat(ticks.length);
      }
    } else if (special === '<') out += '&lt;';
    else if (special === '>') out += '&gt;';
    else if (special === '&') out += '&amp;';
    else out += table ? '&#124;' : '|';
    last = INLINE_TOKEN.lastIndex;
  }
  return defuseSchemes(out + line.slice(last));
}

/**
 * `javascript:` / `vbscript:` / `data:` link targets get a zero-width space
 * before the colon, so no scheme survives into a link (GitHub's sanitizer
 * drops them too; this does not rely on it). Applied to rendered text, where
 * backslash escapes are already resolved.
 */
function defuseSchemes(text: string): string {
  return text.replace(/\b(javascript|vbscript|data)(\s*\\?):/gi, `$1${ZWSP}$2:`);
}

/**
 * Finds closing backtick runs in one line. All runs are indexed once by
 * length, so a line of many runs of different lengths stays linear (a search
 * per opener from scratch would be quadratic).
 */
class BacktickRuns {
  private readonly byLength = new Map<number, number[]>();
  private readonly next = new Map<number, number>();

  constructor(line: string) {
    for (let i = line.indexOf('`'); i >= 0; ) {
      let j = i;
      while (line[j] === '`') j++;
      const starts = this.byLength.get(j - i);
      if (starts) starts.push(i);
      else this.byLength.set(j - i, [i]);
      i = line.indexOf('`', j);
    }
  }

  /** Start of the first run of exactly `length` backticks at or after `from`, or -1. Calls come with growing `from`. */
  find(from: number, length: number): number {
    const starts = this.byLength.get(length);
    if (!starts) return -1;
    let k = this.next.get(length) ?? 0;
    while (k < starts.length && starts[k]! < from) k++;
    this.next.set(length, k);
    return k < starts.length ? starts[k]! : -1;
  }
}

function stripCodePadding(content: string): string {
  if (content.length >= 2 && content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') {
    return content.slice(1, -1);
  }
  return content;
}

/** A line outside code: blockquote markers kept, a leading `~~~` cannot open a fence, the rest inline. */
function renderTextLine(line: string): string {
  const quote = /^(?:[ \t]*>)+/.exec(line)?.[0] ?? '';
  let rest = line.slice(quote.length);
  let lead = '';
  const tildes = /^([ \t]*)~~~/.exec(rest);
  if (tildes) {
    lead = `${tildes[1]}\\~`;
    rest = rest.slice(tildes[1]!.length + 1);
  }
  return quote + lead + renderInline(rest, false);
}

// ---------------------------------------------------------------------------
// Blocks

interface TextBlock {
  kind: 'text';
  lines: string[];
}
interface FenceBlock {
  kind: 'fence';
  info: string;
  lines: string[];
}
type Block = TextBlock | FenceBlock;

const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;

/** Splits text into runs of text lines and fenced code blocks (an unclosed fence runs to the end). */
function splitBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let text_: TextBlock | undefined;
  let fence: (FenceBlock & { char: string; length: number; indent: number }) | undefined;
  for (const line of normalizeNewlines(text).split('\n')) {
    if (fence) {
      const close = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) {
        blocks.push({ kind: 'fence', info: fence.info, lines: fence.lines });
        fence = undefined;
        continue;
      }
      fence.lines.push(stripIndent(line, fence.indent));
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open && !(open[2]![0] === '`' && open[3]!.includes('`'))) {
      text_ = undefined;
      fence = { kind: 'fence', info: open[3]!.trim(), lines: [], char: open[2]![0]!, length: open[2]!.length, indent: open[1]!.length };
      continue;
    }
    if (!text_) {
      text_ = { kind: 'text', lines: [] };
      blocks.push(text_);
    }
    text_.lines.push(line);
  }
  if (fence) blocks.push({ kind: 'fence', info: fence.info, lines: fence.lines });
  return blocks;
}

function stripIndent(line: string, indent: number): string {
  let i = 0;
  while (i < indent && (line[i] === ' ' || line[i] === '\t')) i++;
  return line.slice(i);
}

/**
 * Untrusted markdown made safe for GitHub: formatting kept, HTML inert,
 * every fence closed. Mentions are left alone: see neutralizeMentions.
 */
export function markdownText(untrusted: string): string {
  const out: string[] = [];
  for (const block of splitBlocks(untrusted)) {
    if (block.kind === 'fence') out.push(codeBlock(block.lines.join('\n'), block.info.split(/\s/, 1)[0]));
    else for (const line of block.lines) out.push(renderTextLine(line));
  }
  return out.join('\n');
}

/** One line of untrusted text for a table cell: HTML inert, `|` and newlines cannot end the cell or row. */
export function tableCell(untrusted: string): string {
  const oneLine = normalizeNewlines(untrusted).replace(/\n+/g, ' ').trim();
  return renderInline(oneLine, true);
}

/**
 * One line of untrusted text inline (a reason, a description): like tableCell, usable anywhere,
 * at the start of a line too: a leading `~~~` cannot open a fence that would swallow what follows
 * (backticks cannot: renderInline escapes or pairs them).
 */
export function inlineText(untrusted: string): string {
  const cell = tableCell(untrusted);
  return cell.startsWith('~~~') ? `\\${cell}` : cell;
}

// ---------------------------------------------------------------------------
// Mentions

// GitHub looks for mentions in the RENDERED text: an `@` and a login at the
// start of a text node or after a character that is not an ASCII word
// character (`_` included, and every non-ASCII letter). Markdown makes new
// text nodes around the `@` in ways no list can cover (`_@x_` is <em>@x</em>,
// `_a_@x` is <em>a</em>@x, a URL GitHub does not link is plain text), so the
// rule here does not try: EVERY `@` followed by a login character gets a
// zero-width space after it, unless an ASCII letter or digit stands right
// before it. That letter or digit is then in the same text node whatever the
// markup (markup needs characters of its own, and none stands between them),
// which no mention rule reads as a mention: `a@b.c` stays an e-mail address.
// The lookbehind sees the character before the `@` even when the URL branch
// consumed it.
//
// A URL's `/@name` (medium.com/@user) becomes `/%40name`: the same path for
// the server, and no `@` left whether or not GitHub makes a link of it.
const URL_OR_MENTION = /(https?:\/\/(?:\/@|[^\s@()<>[\]"'`])+)|(?<![A-Za-z0-9])@(?=[A-Za-z0-9])/g;

function neutralizeLine(line: string): string {
  if (!line.includes('@')) return line;
  return line.replace(URL_OR_MENTION, (match: string, url: string | undefined) =>
    url !== undefined ? url.replaceAll('/@', '/%40') : `@${ZWSP}`,
  );
}

/**
 * `@user` and `@org/team` outside fenced code get a zero-width space after
 * the `@`, so they notify nobody (they still read as @user); `/@` in a URL
 * becomes `/%40`. E-mail addresses stay as they are. Works on raw or rendered
 * markdown; idempotent.
 */
export function neutralizeMentions(text: string): string {
  if (!text.includes('@')) return text;
  const out: string[] = [];
  for (const block of splitBlocksKeepingFences(text)) {
    out.push(block.fence ? block.text : block.text.split('\n').map(neutralizeLine).join('\n'));
  }
  return out.join('\n');
}

/** Like splitBlocks, but returns the original lines untouched (fence lines included). */
function splitBlocksKeepingFences(text: string): { fence: boolean; text: string }[] {
  const parts: { fence: boolean; text: string }[] = [];
  let current: { fence: boolean; lines: string[] } | undefined;
  let fence: { char: string; length: number } | undefined;
  const push = (isFence: boolean, line: string) => {
    if (!current || current.fence !== isFence) {
      if (current) parts.push({ fence: current.fence, text: current.lines.join('\n') });
      current = { fence: isFence, lines: [] };
    }
    current.lines.push(line);
  };
  for (const line of normalizeNewlines(text).split('\n')) {
    if (fence) {
      push(true, line);
      const close = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) fence = undefined;
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open && !(open[2]![0] === '`' && open[3]!.includes('`'))) {
      fence = { char: open[2]![0]!, length: open[2]!.length };
      push(true, line);
      continue;
    }
    push(false, line);
  }
  if (current) parts.push({ fence: current.fence, text: current.lines.join('\n') });
  return parts;
}

// ---------------------------------------------------------------------------
// Links

/** An http(s) URL made safe for a markdown link target, or undefined when it is none. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const trimmed = url.trim();
  if (!/^https?:\/\/[^\s]+$/i.test(trimmed)) return undefined;
  return trimmed.replace(/[()<>"'`\\[\]|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** [text](url) with the text escaped; plain escaped text when the URL is not http(s). */
export function markdownLink(text: string, url: string | undefined): string {
  const target = safeUrl(url);
  const label = tableCell(text).replace(/[[\]]/g, (c) => `&#${c.charCodeAt(0)};`);
  return target ? `[${label}](${target})` : label;
}

// ---------------------------------------------------------------------------
// Size bounds

export type SizeUnit = 'bytes' | 'chars';

export function sizeOf(text: string, unit: SizeUnit): number {
  return unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;
}

export interface BoundedMarkdown {
  /** Safe markdown, with the cut note when cut. */
  markdown: string;
  truncated: boolean;
  /** Lines of the untrusted text not shown (counting a cut line). */
  omittedLines: number;
  /** UTF-8 bytes of the untrusted text not shown. */
  omittedBytes: number;
}

export interface TruncateOptions {
  unit?: SizeUnit;
  /** Neutralize @mentions too (for the PR comment). */
  mentions?: boolean;
  /** Trusted markdown appended to the cut note, e.g. where the full text is. */
  hint?: string;
}

/** The visible note after a cut. */
export function cutNote(omittedLines: number, omittedBytes: number, hint?: string): string {
  const what = omittedLines > 0 ? `${omittedLines.toLocaleString('en-US')} more line${omittedLines === 1 ? '' : 's'}` : 'the rest';
  return `> ✂️ **Cut to fit:** ${what} (${formatKb(omittedBytes)}) not shown here.${hint ? ` ${hint}` : ''}`;
}

function formatKb(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Index in text where the first `chars` UTF-16 units end, moved back off a surrogate pair's middle. */
function safeCut(text: string, at: number): number {
  let cut = Math.max(0, Math.min(at, text.length));
  if (cut > 0 && cut < text.length) {
    const code = text.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
  }
  return cut;
}

/** Prefer ending at a line end when one is near the cut. */
function preferLineEnd(text: string, cut: number): number {
  const nl = text.lastIndexOf('\n', cut - 1);
  return nl > 0 && nl >= cut * 0.8 ? nl : cut;
}

function countLinesFrom(text: string, from: number): number {
  if (from >= text.length) return 0;
  let n = 1;
  for (let i = text.indexOf('\n', from); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * markdownText (and neutralizeMentions when asked) of untrusted text, at most
 * maxSize in the unit (UTF-8 bytes for the job summary, UTF-16 characters for
 * a comment), the cut note included. Cuts the untrusted text (never the
 * rendered markdown), so a fence is closed and no entity is split.
 */
export function truncateMarkdown(untrusted: string, maxSize: number, options: TruncateOptions = {}): BoundedMarkdown {
  const unit = options.unit ?? 'bytes';
  const render = (t: string) => (options.mentions ? neutralizeMentions(markdownText(t)) : markdownText(t));
  const text = normalizeNewlines(untrusted);
  const budget = Math.max(0, Math.floor(maxSize));
  // Rendering a huge text only to throw most of it away is waste: start from a prefix.
  const preCut = text.length > 2 * budget + 16 ? safeCut(text, 2 * budget) : text.length;
  if (preCut === text.length) {
    const full = render(text);
    if (sizeOf(full, unit) <= budget) return { markdown: full, truncated: false, omittedLines: 0, omittedBytes: 0 };
  }
  const totalBytes = Buffer.byteLength(text, 'utf8');
  const omitted = (cut: number) => ({
    lines: countLinesFrom(text, text[cut] === '\n' ? cut + 1 : cut),
    bytes: totalBytes - Buffer.byteLength(text.slice(0, cut), 'utf8'),
  });
  const noteFor = (cut: number) => {
    const o = omitted(cut);
    return cutNote(o.lines, o.bytes, options.hint);
  };
  let cut = preCut;
  for (let attempt = 0; attempt < 24 && cut > 0; attempt++) {
    const at = preferLineEnd(text, cut);
    const shown = render(text.slice(0, at).replace(/\n+$/, ''));
    const note = noteFor(at);
    const md = shown ? `${shown}\n\n${note}` : note;
    const size = sizeOf(md, unit);
    if (size <= budget) {
      const o = omitted(at);
      return { markdown: md, truncated: true, omittedLines: o.lines, omittedBytes: o.bytes };
    }
    // Shrink in proportion to the excess, a little more to converge fast.
    const shownSize = Math.max(1, sizeOf(shown, unit));
    const room = Math.max(0, budget - sizeOf(note, unit) - 2);
    const next = Math.floor(at * Math.min(0.95, (room / shownSize) * 0.97));
    cut = safeCut(text, Math.min(next, at - 1));
  }
  const note = noteFor(0);
  if (sizeOf(note, unit) <= budget) {
    return { markdown: note, truncated: true, omittedLines: countLinesFrom(text, 0), omittedBytes: totalBytes };
  }
  return { markdown: '', truncated: true, omittedLines: countLinesFrom(text, 0), omittedBytes: totalBytes };
}

// ---------------------------------------------------------------------------
// Fitting a document of parts into a size limit

export interface DocPart {
  /** Safe markdown of the part; '' leaves the part out. */
  text: string;
  /** A version of at most `budget` size (its own cut note included); absent: the part cannot shrink. */
  shrink?: (budget: number) => string;
}

/**
 * Joins parts with blank lines; while over `limit`, shrinks the parts named
 * by `cutOrder` (indexes) one after the other, each by what is still too
 * much. Returns undefined when even that does not fit.
 */
export function fitParts(parts: DocPart[], cutOrder: number[], limit: number, unit: SizeUnit): string | undefined {
  const texts = parts.map((p) => p.text);
  const sizes = texts.map((t) => sizeOf(t, unit));
  const total = () => {
    let sum = 0;
    let count = 0;
    for (const size of sizes) {
      if (size > 0) {
        sum += size;
        count++;
      }
    }
    return sum + Math.max(0, count - 1) * 2;
  };
  for (const index of cutOrder) {
    const over = total() - limit;
    if (over <= 0) break;
    const part = parts[index];
    if (!part?.shrink || sizes[index] === 0) continue;
    let shrunk = part.shrink(Math.max(0, sizes[index]! - over));
    // A shrink that misjudged its size must not grow the document.
    if (sizeOf(shrunk, unit) > Math.max(0, sizes[index]! - over)) shrunk = part.shrink(0);
    texts[index] = shrunk;
    sizes[index] = sizeOf(shrunk, unit);
  }
  if (total() > limit) return undefined;
  return texts.filter((t) => t !== '').join('\n\n');
}
