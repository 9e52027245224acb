import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ // The require scope
/******/ var __nccwpck_require__ = {};
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ replay)
});

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: ./src/redact.ts
// Replaces known secret values by *** in everything the action writes (log,
// transcript, summary, comment, outputs): core.setSecret only masks the log.
// Besides the raw value it also masks the forms a secret commonly takes in
// tool output: JSON-string escaped, URL-encoded and base64 (at each of the
// three byte alignments, as the runner's own masker does).
const MASK = '***';
/** Values shorter than this are ignored: masking them would destroy ordinary text. */
const MIN_SECRET_LENGTH = 4;
function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
/** base64 of the value as it appears inside a longer base64 text, for a given byte offset. */
function base64Variant(value, shift) {
    const bytes = Buffer.concat([Buffer.alloc(shift), Buffer.from(value, 'utf8')]);
    const b64 = bytes.toString('base64').replace(/=+$/, '');
    // Leading characters hold bits of the padding bytes; trailing ones depend on what follows.
    const start = shift === 0 ? 0 : shift === 1 ? 2 : 3;
    const rest = bytes.length % 3;
    const end = rest === 0 ? b64.length : b64.length - 1;
    return b64.slice(start, end);
}
/** The forms of one secret that are worth masking. */
function secretVariants(secret) {
    const variants = new Set([secret]);
    const json = JSON.stringify(secret).slice(1, -1);
    variants.add(json);
    try {
        variants.add(encodeURIComponent(secret));
    }
    catch {
        // lone surrogate: no URL form
    }
    for (let shift = 0; shift < 3; shift++)
        variants.add(base64Variant(secret, shift));
    return [...variants].filter((v) => v.length >= MIN_SECRET_LENGTH);
}
class Redactor {
    secrets = new Set();
    variants = new Set();
    pattern;
    dirty = false;
    longest = 0;
    constructor(secrets = []) {
        for (const s of secrets)
            this.add(s);
    }
    /** Registers a secret; blank values and values under 4 characters are ignored. */
    add(secret) {
        if (typeof secret !== 'string' || secret.trim() === '' || secret.length < MIN_SECRET_LENGTH)
            return;
        if (this.secrets.has(secret))
            return;
        this.secrets.add(secret);
        // A multi-line secret also leaks line by line (logs are read per line).
        const parts = [secret, ...secret.split(/\r\n|\r|\n/).map((l) => l.trim())];
        for (const part of parts) {
            if (part.length < MIN_SECRET_LENGTH)
                continue;
            for (const v of secretVariants(part)) {
                if (!this.variants.has(v)) {
                    this.variants.add(v);
                    this.dirty = true;
                }
            }
        }
    }
    get size() {
        return this.secrets.size;
    }
    /** Length of the longest form masked: a text cut anywhere needs this much look-ahead to be masked safely. */
    get maxLength() {
        this.compile();
        return this.longest;
    }
    compile() {
        if (this.dirty) {
            const sorted = [...this.variants].sort((a, b) => b.length - a.length);
            this.longest = sorted[0]?.length ?? 0;
            // Longest first: the alternation takes the first branch that matches at a position.
            this.pattern = sorted.length ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined;
            this.dirty = false;
        }
        return this.pattern;
    }
    redact(text) {
        if (this.variants.size === 0 || text.length < MIN_SECRET_LENGTH)
            return text;
        const pattern = this.compile();
        if (!pattern)
            return text;
        pattern.lastIndex = 0;
        // One left-to-right pass; replace() returns the same string when nothing matched.
        return text.replace(pattern, MASK);
    }
    /**
     * redact(text) cut at `end` (an offset in the raw text) without ever showing
     * part of a secret: a secret that starts before the cut is masked whole, even
     * when it runs past it. Reads at most end + maxLength characters.
     */
    redactPrefix(text, end) {
        const cutAt = Math.max(0, Math.min(end, text.length));
        const pattern = this.variants.size ? this.compile() : undefined;
        if (!pattern)
            return text.slice(0, cutAt);
        const window = text.slice(0, cutAt + this.longest);
        let out = '';
        let last = 0;
        for (const m of window.matchAll(pattern)) {
            if (m.index >= cutAt)
                break;
            out += window.slice(last, m.index) + MASK;
            last = m.index + m[0].length;
        }
        if (last < cutAt)
            out += window.slice(last, cutAt);
        return out;
    }
}

;// CONCATENATED MODULE: ./src/stream/outcome.ts
const SUBTYPE_REASON = {
    error_max_turns: 'Claude reached the maximum number of turns (max-turns)',
    error_max_budget_usd: 'Claude reached the budget limit (max-budget-usd)',
    error_during_execution: 'Claude Code failed during execution',
    error_max_structured_output_retries: 'Claude could not produce output matching the JSON schema',
};
function decideOutcome(input) {
    const exitCode = input.exitCode ?? null;
    const result = input.snapshot.lastResult;
    const exitNote = exitCode === null ? '' : ` (exit code ${exitCode})`;
    if (input.cancelled) {
        return { conclusion: 'cancelled', reason: 'the workflow run was cancelled', exitCode };
    }
    if (input.stoppedFor === 'timeout' || input.endReason === 'deadline') {
        return { conclusion: 'timed-out', reason: 'the run reached timeout-minutes and was stopped', exitCode };
    }
    if (input.stoppedFor === 'idle') {
        return {
            conclusion: 'timed-out',
            reason: 'no output for idle-timeout-minutes while no tool was running; the run was stopped',
            exitCode,
        };
    }
    if (input.stoppedFor === 'auth') {
        return {
            conclusion: 'failure',
            reason: `${input.credentialInput ?? 'the Anthropic credential'} was refused by the Anthropic API (authentication or billing error); the run was stopped at the first refusal`,
            exitCode,
        };
    }
    if (input.setupError) {
        return { conclusion: 'failure', reason: input.setupError, exitCode };
    }
    if (input.oomKilled) {
        return {
            conclusion: result ? 'failure' : 'no-result',
            reason: 'the machine ran out of memory (OOM); choose a larger fly-vm-size or fly-vm-memory-mb',
            exitCode,
        };
    }
    if (!result) {
        return {
            conclusion: 'no-result',
            reason: `Claude Code ended without a result${exitNote}`,
            exitCode,
        };
    }
    const ok = result.subtype === 'success' && !result.isError && (exitCode === null || exitCode === 0);
    if (ok)
        return { conclusion: 'success', reason: 'Claude finished the task', exitCode };
    const detail = result.errors[0] ?? (result.isError ? firstLine(result.result ?? '') : '');
    const why = SUBTYPE_REASON[result.subtype] ??
        (result.isError ? `Claude Code reported an error${detail ? `: ${detail}` : ''}` : `Claude Code failed${exitNote}`);
    return { conclusion: 'failure', reason: why, exitCode };
}
function firstLine(text) {
    const line = text.trim().split('\n', 1)[0] ?? '';
    return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
const CONCLUSION_TITLE = {
    success: 'Success',
    failure: 'Failure',
    cancelled: 'Cancelled',
    'timed-out': 'Timed out',
    'no-result': 'No result',
};

;// CONCATENATED MODULE: ./src/report/format.ts
// Small formatting helpers shared by the log, the job summary and the PR comment.
// Pure: no I/O.
function isNumber(n) {
    return typeof n === 'number' && Number.isFinite(n);
}
/** 850 ms, 12.3 s, 3m 04s, 1h 02m; 'unknown' without a value. */
function formatDuration(ms) {
    if (!isNumber(ms) || ms < 0)
        return 'unknown';
    if (ms < 1000)
        return `${Math.round(ms)} ms`;
    const seconds = ms / 1000;
    if (seconds < 59.95)
        return `${seconds.toFixed(1)} s`;
    const totalSeconds = Math.round(seconds);
    if (totalSeconds < 3600) {
        const m = Math.floor(totalSeconds / 60);
        const s = totalSeconds % 60;
        return `${m}m ${String(s).padStart(2, '0')}s`;
    }
    const totalMinutes = Math.round(totalSeconds / 60);
    const h = Math.floor(totalMinutes / 60);
    const m = totalMinutes % 60;
    return `${h}h ${String(m).padStart(2, '0')}m`;
}
/** $0.1234 below a dollar, $12.34 above, <$0.0001 for dust, 'unknown' without a value. */
function formatUsd(n) {
    if (!isNumber(n) || n < 0)
        return 'unknown';
    if (n === 0)
        return '$0.0000';
    if (n < 0.0001)
        return '<$0.0001';
    if (n < 1)
        return `$${n.toFixed(4)}`;
    const [whole = '0', cents = '00'] = n.toFixed(2).split('.');
    return `$${groupDigits(whole)}.${cents}`;
}
/** 12,345 below a million, then 1.2M / 3.4B; 'unknown' without a value. */
function formatTokens(n) {
    if (!isNumber(n) || n < 0)
        return 'unknown';
    if (n < 1_000_000)
        return formatCount(n);
    if (n < 1_000_000_000)
        return `${(n / 1_000_000).toFixed(1)}M`;
    return `${(n / 1_000_000_000).toFixed(1)}B`;
}
/** 512 B, 5.1 KB, 1.2 MB (powers of 1024). */
function formatBytes(n) {
    if (!isNumber(n) || n < 0)
        return 'unknown';
    if (n < 1024)
        return `${n} B`;
    if (n < 1024 * 1024)
        return `${(n / 1024).toFixed(1)} KB`;
    return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
/** Cuts a string to at most max characters (not inside a surrogate pair), with an ellipsis when cut. */
function clip(s, max) {
    if (s.length <= max)
        return s;
    let cut = Math.max(0, max - 1);
    const code = s.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff)
        cut--;
    return `${s.slice(0, cut)}…`;
}
/** A count with thousands separators: 4,930,200 (toLocaleString is slow on a hot path). */
function formatCount(n) {
    return groupDigits(String(Math.round(n)));
}
function groupDigits(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
/** Omitted lines are counted within this many characters; past it the count is a lower bound. */
const COUNT_LINES_WITHIN = 256 * 1024;
function utf8Length(s) {
    return Buffer.byteLength(s, 'utf8');
}
/**
 * Number of lines in text from `from`: a last line without newline counts, a final newline opens
 * none. Counts within `within` characters only, so a note never costs a pass over megabytes.
 */
function countLines(text, from, within) {
    if (from >= text.length)
        return { count: 0, exact: true };
    const stop = Math.min(text.length, from + within);
    let count = 0;
    let at = text.indexOf('\n', from);
    while (at >= 0 && at < stop) {
        count++;
        at = text.indexOf('\n', at + 1);
    }
    if (stop < text.length)
        return { count: Math.max(count, 1), exact: false };
    return { count: text.endsWith('\n') ? count : count + 1, exact: true };
}
/**
 * The first lines of text within maxLines and maxBytes (UTF-8). Work is bounded
 * by what is kept: the rest is only counted (native indexOf).
 * A line longer than the byte budget is cut (never inside a surrogate pair).
 * The kept text has no trailing newline.
 */
function truncateLines(text, maxLines, maxBytes) {
    const lines = Math.max(0, Math.floor(maxLines));
    const budget = Math.max(0, Math.floor(maxBytes));
    let end = 0; // end of kept text (exclusive, before its newline)
    let next = 0; // where the rest starts
    let bytes = 0;
    let kept = 0;
    while (kept < lines && next < text.length) {
        const nl = text.indexOf('\n', next);
        const lineEnd = nl < 0 ? text.length : nl;
        // Budget check on UTF-16 length first: cheap and a lower bound of the byte length.
        const sep = kept > 0 ? 1 : 0;
        const lineChars = lineEnd - next;
        const lineBytes = bytes + sep + lineChars > budget ? Infinity : utf8Length(text.slice(next, lineEnd));
        if (bytes + sep + lineBytes > budget) {
            // Cut inside this line when it is the first one (nothing shown otherwise).
            if (kept === 0) {
                let cut = next;
                let used = 0;
                while (cut < lineEnd) {
                    const code = text.codePointAt(cut);
                    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
                    if (used + size > budget)
                        break;
                    used += size;
                    cut += code > 0xffff ? 2 : 1;
                }
                if (cut > next) {
                    end = cut;
                    next = cut;
                }
            }
            break;
        }
        bytes += sep + lineBytes;
        kept++;
        end = lineEnd;
        next = nl < 0 ? text.length : nl + 1;
    }
    if (next >= text.length) {
        return { text: text.slice(0, end), omittedLines: 0, omittedLinesExact: true, omittedChars: 0 };
    }
    const shown = text.slice(0, end);
    const rest = countLines(text, next, COUNT_LINES_WITHIN);
    return {
        text: shown,
        omittedLines: rest.count,
        omittedLinesExact: rest.exact,
        omittedChars: text.length - shown.length,
    };
}

;// CONCATENATED MODULE: ./src/report/markdown.ts
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
const ZWSP = '\u200B';
function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => HTML_ENTITY[c]);
}
const HTML_ENTITY = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Characters that mean something to markdown, HTML, GitHub math, mentions or
// tables: inside our <code> elements they become numeric entities.
const CODE_SPECIAL = /[&<>`*_[\]\\|~@$!]/g;
function encodeCodeContent(text) {
    return text.replace(CODE_SPECIAL, (c) => `&#${c.charCodeAt(0)};`);
}
/** Text shown as inline code, whatever it contains; newlines become spaces. */
function inlineCode(text) {
    const oneLine = text.replace(/\r\n|\r|\n/g, ' ');
    return `<code>${encodeCodeContent(oneLine)}</code>`;
}
/** `<!--` cannot start a comment (or pass for a marker) once a zero-width space sits inside it. */
function breakCommentOpeners(text) {
    return text.includes('<!--') ? text.replaceAll('<!--', `<${ZWSP}!--`) : text;
}
function longestRun(text, char) {
    let longest = 0;
    let run = 0;
    for (let i = 0; i < text.length; i++) {
        if (text[i] === char) {
            run++;
            if (run > longest)
                longest = run;
        }
        else
            run = 0;
    }
    return longest;
}
/** A fenced code block at column 0 that nothing inside can close; lang is cleaned to a word. */
function codeBlock(text, lang) {
    const body = breakCommentOpeners(normalizeNewlines(text)).replace(/\n$/, '');
    const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
    const info = (lang ?? '').match(/^[A-Za-z0-9_+#.-]{1,30}/)?.[0] ?? '';
    return `${fence}${info}\n${body}\n${fence}`;
}
function normalizeNewlines(text) {
    return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}
// ---------------------------------------------------------------------------
// Inline text
const INLINE_TOKEN = /\\([!-/:-@[-`{-~])|(`+)|([<>&|])/g;
/**
 * One line of untrusted inline markdown, HTML made inert. In table mode `|`
 * cannot end the cell. Backslash escapes are honoured as GitHub reads them.
 */
function renderInline(line, table) {
    let out = '';
    let last = 0;
    INLINE_TOKEN.lastIndex = 0;
    let runs;
    let m;
    while ((m = INLINE_TOKEN.exec(line)) !== null) {
        out += line.slice(last, m.index);
        const escaped = m[1];
        const ticks = m[2];
        const special = m[3];
        if (escaped !== undefined) {
            // `\<` shows `<`: write the entity instead (a backslash before `&` would show the entity's text).
            if (escaped === '<' || escaped === '>' || escaped === '&' || (table && escaped === '|'))
                out += `&#${escaped.charCodeAt(0)};`;
            else
                out += `\\${escaped}`;
        }
        else if (ticks !== undefined) {
            runs ??= new BacktickRuns(line);
            const close = runs.find(m.index + ticks.length, ticks.length);
            if (close >= 0) {
                out += inlineCode(stripCodePadding(line.slice(m.index + ticks.length, close)));
                INLINE_TOKEN.lastIndex = close + ticks.length;
            }
            else {
                out += '\\`'.repeat(ticks.length);
            }
        }
        else if (special === '<')
            out += '&lt;';
        else if (special === '>')
            out += '&gt;';
        else if (special === '&')
            out += '&amp;';
        else
            out += table ? '&#124;' : '|';
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
function defuseSchemes(text) {
    return text.replace(/\b(javascript|vbscript|data)(\s*\\?):/gi, `$1${ZWSP}$2:`);
}
/**
 * Finds closing backtick runs in one line. All runs are indexed once by
 * length, so a line of many runs of different lengths stays linear (a search
 * per opener from scratch would be quadratic).
 */
class BacktickRuns {
    byLength = new Map();
    next = new Map();
    constructor(line) {
        for (let i = line.indexOf('`'); i >= 0;) {
            let j = i;
            while (line[j] === '`')
                j++;
            const starts = this.byLength.get(j - i);
            if (starts)
                starts.push(i);
            else
                this.byLength.set(j - i, [i]);
            i = line.indexOf('`', j);
        }
    }
    /** Start of the first run of exactly `length` backticks at or after `from`, or -1. Calls come with growing `from`. */
    find(from, length) {
        const starts = this.byLength.get(length);
        if (!starts)
            return -1;
        let k = this.next.get(length) ?? 0;
        while (k < starts.length && starts[k] < from)
            k++;
        this.next.set(length, k);
        return k < starts.length ? starts[k] : -1;
    }
}
function stripCodePadding(content) {
    if (content.length >= 2 && content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') {
        return content.slice(1, -1);
    }
    return content;
}
/** A line outside code: blockquote markers kept, a leading `~~~` cannot open a fence, the rest inline. */
function renderTextLine(line) {
    const quote = /^(?:[ \t]*>)+/.exec(line)?.[0] ?? '';
    let rest = line.slice(quote.length);
    let lead = '';
    const tildes = /^([ \t]*)~~~/.exec(rest);
    if (tildes) {
        lead = `${tildes[1]}\\~`;
        rest = rest.slice(tildes[1].length + 1);
    }
    return quote + lead + renderInline(rest, false);
}
const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
/** Splits text into runs of text lines and fenced code blocks (an unclosed fence runs to the end). */
function splitBlocks(text) {
    const blocks = [];
    let text_;
    let fence;
    for (const line of normalizeNewlines(text).split('\n')) {
        if (fence) {
            const close = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(line);
            if (close && close[1][0] === fence.char && close[1].length >= fence.length) {
                blocks.push({ kind: 'fence', info: fence.info, lines: fence.lines });
                fence = undefined;
                continue;
            }
            fence.lines.push(stripIndent(line, fence.indent));
            continue;
        }
        const open = FENCE_OPEN.exec(line);
        if (open && !(open[2][0] === '`' && open[3].includes('`'))) {
            text_ = undefined;
            fence = { kind: 'fence', info: open[3].trim(), lines: [], char: open[2][0], length: open[2].length, indent: open[1].length };
            continue;
        }
        if (!text_) {
            text_ = { kind: 'text', lines: [] };
            blocks.push(text_);
        }
        text_.lines.push(line);
    }
    if (fence)
        blocks.push({ kind: 'fence', info: fence.info, lines: fence.lines });
    return blocks;
}
function stripIndent(line, indent) {
    let i = 0;
    while (i < indent && (line[i] === ' ' || line[i] === '\t'))
        i++;
    return line.slice(i);
}
/**
 * Untrusted markdown made safe for GitHub: formatting kept, HTML inert,
 * every fence closed. Mentions are left alone: see neutralizeMentions.
 */
function markdownText(untrusted) {
    const out = [];
    for (const block of splitBlocks(untrusted)) {
        if (block.kind === 'fence')
            out.push(codeBlock(block.lines.join('\n'), block.info.split(/\s/, 1)[0]));
        else
            for (const line of block.lines)
                out.push(renderTextLine(line));
    }
    return out.join('\n');
}
/** One line of untrusted text for a table cell: HTML inert, `|` and newlines cannot end the cell or row. */
function tableCell(untrusted) {
    const oneLine = normalizeNewlines(untrusted).replace(/\n+/g, ' ').trim();
    return renderInline(oneLine, true);
}
/**
 * One line of untrusted text inline (a reason, a description): like tableCell, usable anywhere,
 * at the start of a line too: a leading `~~~` cannot open a fence that would swallow what follows
 * (backticks cannot: renderInline escapes or pairs them).
 */
function inlineText(untrusted) {
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
function neutralizeLine(line) {
    if (!line.includes('@'))
        return line;
    return line.replace(URL_OR_MENTION, (match, url) => url !== undefined ? url.replaceAll('/@', '/%40') : `@${ZWSP}`);
}
/**
 * `@user` and `@org/team` outside fenced code get a zero-width space after
 * the `@`, so they notify nobody (they still read as @user); `/@` in a URL
 * becomes `/%40`. E-mail addresses stay as they are. Works on raw or rendered
 * markdown; idempotent.
 */
function neutralizeMentions(text) {
    if (!text.includes('@'))
        return text;
    const out = [];
    for (const block of splitBlocksKeepingFences(text)) {
        out.push(block.fence ? block.text : block.text.split('\n').map(neutralizeLine).join('\n'));
    }
    return out.join('\n');
}
/** Like splitBlocks, but returns the original lines untouched (fence lines included). */
function splitBlocksKeepingFences(text) {
    const parts = [];
    let current;
    let fence;
    const push = (isFence, line) => {
        if (!current || current.fence !== isFence) {
            if (current)
                parts.push({ fence: current.fence, text: current.lines.join('\n') });
            current = { fence: isFence, lines: [] };
        }
        current.lines.push(line);
    };
    for (const line of normalizeNewlines(text).split('\n')) {
        if (fence) {
            push(true, line);
            const close = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(line);
            if (close && close[1][0] === fence.char && close[1].length >= fence.length)
                fence = undefined;
            continue;
        }
        const open = FENCE_OPEN.exec(line);
        if (open && !(open[2][0] === '`' && open[3].includes('`'))) {
            fence = { char: open[2][0], length: open[2].length };
            push(true, line);
            continue;
        }
        push(false, line);
    }
    if (current)
        parts.push({ fence: current.fence, text: current.lines.join('\n') });
    return parts;
}
// ---------------------------------------------------------------------------
// Links
/** An http(s) URL made safe for a markdown link target, or undefined when it is none. */
function safeUrl(url) {
    if (!url)
        return undefined;
    const trimmed = url.trim();
    if (!/^https?:\/\/[^\s]+$/i.test(trimmed))
        return undefined;
    return trimmed.replace(/[()<>"'`\\[\]|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
/** [text](url) with the text escaped; plain escaped text when the URL is not http(s). */
function markdownLink(text, url) {
    const target = safeUrl(url);
    const label = tableCell(text).replace(/[[\]]/g, (c) => `&#${c.charCodeAt(0)};`);
    return target ? `[${label}](${target})` : label;
}
function sizeOf(text, unit) {
    return unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;
}
/** The visible note after a cut. */
function cutNote(omittedLines, omittedBytes, hint) {
    const what = omittedLines > 0 ? `${omittedLines.toLocaleString('en-US')} more line${omittedLines === 1 ? '' : 's'}` : 'the rest';
    return `> ✂️ **Cut to fit:** ${what} (${formatKb(omittedBytes)}) not shown here.${hint ? ` ${hint}` : ''}`;
}
function formatKb(bytes) {
    if (bytes < 1024)
        return `${bytes} B`;
    if (bytes < 1024 * 1024)
        return `${(bytes / 1024).toFixed(1)} KB`;
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
/** Index in text where the first `chars` UTF-16 units end, moved back off a surrogate pair's middle. */
function safeCut(text, at) {
    let cut = Math.max(0, Math.min(at, text.length));
    if (cut > 0 && cut < text.length) {
        const code = text.charCodeAt(cut - 1);
        if (code >= 0xd800 && code <= 0xdbff)
            cut--;
    }
    return cut;
}
/** Prefer ending at a line end when one is near the cut. */
function preferLineEnd(text, cut) {
    const nl = text.lastIndexOf('\n', cut - 1);
    return nl > 0 && nl >= cut * 0.8 ? nl : cut;
}
function countLinesFrom(text, from) {
    if (from >= text.length)
        return 0;
    let n = 1;
    for (let i = text.indexOf('\n', from); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1))
        n++;
    return n;
}
/**
 * markdownText (and neutralizeMentions when asked) of untrusted text, at most
 * maxSize in the unit (UTF-8 bytes for the job summary, UTF-16 characters for
 * a comment), the cut note included. Cuts the untrusted text (never the
 * rendered markdown), so a fence is closed and no entity is split.
 */
function truncateMarkdown(untrusted, maxSize, options = {}) {
    const unit = options.unit ?? 'bytes';
    const render = (t) => (options.mentions ? neutralizeMentions(markdownText(t)) : markdownText(t));
    const text = normalizeNewlines(untrusted);
    const budget = Math.max(0, Math.floor(maxSize));
    // Rendering a huge text only to throw most of it away is waste: start from a prefix.
    const preCut = text.length > 2 * budget + 16 ? safeCut(text, 2 * budget) : text.length;
    if (preCut === text.length) {
        const full = render(text);
        if (sizeOf(full, unit) <= budget)
            return { markdown: full, truncated: false, omittedLines: 0, omittedBytes: 0 };
    }
    const totalBytes = Buffer.byteLength(text, 'utf8');
    const omitted = (cut) => ({
        lines: countLinesFrom(text, text[cut] === '\n' ? cut + 1 : cut),
        bytes: totalBytes - Buffer.byteLength(text.slice(0, cut), 'utf8'),
    });
    const noteFor = (cut) => {
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
/**
 * Joins parts with blank lines; while over `limit`, shrinks the parts named
 * by `cutOrder` (indexes) one after the other, each by what is still too
 * much. Returns undefined when even that does not fit.
 */
function fitParts(parts, cutOrder, limit, unit) {
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
        if (over <= 0)
            break;
        const part = parts[index];
        if (!part?.shrink || sizes[index] === 0)
            continue;
        let shrunk = part.shrink(Math.max(0, sizes[index] - over));
        // A shrink that misjudged its size must not grow the document.
        if (sizeOf(shrunk, unit) > Math.max(0, sizes[index] - over))
            shrunk = part.shrink(0);
        texts[index] = shrunk;
        sizes[index] = sizeOf(shrunk, unit);
    }
    if (total() > limit)
        return undefined;
    return texts.filter((t) => t !== '').join('\n\n');
}

;// CONCATENATED MODULE: ./src/report/machine-cost.ts
// Estimated Fly.io price of the machine a run used: Fly bills a started
// Machine per second for its CPU preset plus any RAM beyond what the preset
// includes, with a per-region markup over the cheapest regions. Pure: no I/O.
//
// Prices taken on 2026-11-22 from Fly's pricing page,
// https://fly.io/docs/about/pricing/ ("Started Fly Machines": the per-region
// price table's data — per-vCPU-second rates for iad/ewr, the RAM each vCPU
// includes, the per-GB-second price of additional RAM, and each region's
// markup over iad). They agree with the page's own summary table:
// shared-cpu-1x 256 MB $2.19, shared-cpu-2x 2 GB $13.39, performance-1x 2 GB
// $33.00, performance-2x 4 GB $66.00 per 30 days, additional RAM $6.00/GB/30
// days, all in iad/ewr. A region missing from Fly's list is priced at the
// base (iad) rate and the basis says so. Reservation discounts, rootfs of
// stopped machines, volumes and data transfer are not included.
const FLY_PRICES = {
    source: 'https://fly.io/docs/about/pricing/',
    takenOn: '2026-11-22',
    /** USD per vCPU per second in the base regions (iad, ewr), RAM included below. */
    perCpuSecond: { shared: 0.0000008465, performance: 0.000012732 },
    /** RAM included with each vCPU of the preset. */
    includedMbPerCpu: { shared: 256, performance: 2048 },
    /** USD per GB (1024 MB) of additional RAM per second in the base regions. */
    extraRamPerGbSecond: 0.000002316,
    baseRegion: 'iad',
    /** Price relative to iad, as Fly lists it. */
    regionMarkup: {
        ams: 1.038461538,
        arn: 1.038461538,
        cdg: 1.134615385,
        dfw: 1.25,
        ewr: 1,
        fra: 1.153846154,
        gru: 1.615384615,
        iad: 1,
        jnb: 1.302884615,
        lax: 1.199519231,
        lhr: 1.134615385,
        nrt: 1.307692308,
        ord: 1.25,
        sin: 1.269230769,
        sjc: 1.192307692,
        syd: 1.269230769,
        yyz: 1.115384615,
    },
};
function isCpuKind(kind) {
    return kind === 'shared' || kind === 'performance';
}
/** shared-cpu-2x / performance-4x: Fly's preset name for a CPU kind and count. */
function presetName(cpuKind, cpus) {
    return cpuKind === 'shared' ? `shared-cpu-${cpus}x` : `performance-${cpus}x`;
}
/** USD per second for a machine size in a region, or undefined when the size cannot be priced. */
function machinePricePerSecond(cpuKind, cpus, memoryMb, region) {
    if (!isCpuKind(cpuKind) || !Number.isFinite(cpus) || cpus <= 0 || !Number.isFinite(memoryMb) || memoryMb < 0)
        return undefined;
    const extraMb = Math.max(0, memoryMb - cpus * FLY_PRICES.includedMbPerCpu[cpuKind]);
    const base = cpus * FLY_PRICES.perCpuSecond[cpuKind] + (extraMb / 1024) * FLY_PRICES.extraRamPerGbSecond;
    return base * (regionMarkupOf(region) ?? 1);
}
function regionMarkupOf(region) {
    const code = (region ?? '').trim().toLowerCase();
    return Object.hasOwn(FLY_PRICES.regionMarkup, code) ? FLY_PRICES.regionMarkup[code] : undefined;
}
/** A compact duration for the basis line: 45s, 3m 12s, 1h 02m 05s. */
function clock(ms) {
    const total = Math.round(ms / 1000);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    if (h > 0)
        return `${h}h ${String(m).padStart(2, '0')}m ${String(s).padStart(2, '0')}s`;
    if (m > 0)
        return `${m}m ${String(s).padStart(2, '0')}s`;
    return `${s}s`;
}
/**
 * Estimated cost of a machine that ran `runningMs`, prorated to the
 * millisecond (Fly bills per second). Undefined when the size cannot be
 * priced (unknown CPU kind, no CPUs) or the time is unknown or negative.
 */
function estimateMachineCostUsd(input) {
    const perSecond = machinePricePerSecond(input.cpuKind, input.cpus, input.memoryMb, input.region);
    if (perSecond === undefined || !Number.isFinite(input.runningMs) || input.runningMs < 0)
        return undefined;
    const kind = input.cpuKind;
    const usd = perSecond * (input.runningMs / 1000);
    const regionCode = (input.region ?? '').trim().toLowerCase();
    const regionPriced = regionMarkupOf(regionCode) !== undefined;
    const where = regionPriced
        ? `in ${regionCode}`
        : `in ${regionCode ? `${safeToken(regionCode)} (not in Fly's regional price list: ${FLY_PRICES.baseRegion} price used)` : `an unknown region (${FLY_PRICES.baseRegion} price used)`}`;
    const basis = `${presetName(kind, input.cpus)} ${Math.round(input.memoryMb)} MB ${where}, ${clock(input.runningMs)} ` +
        `at Fly's per-second price of ${FLY_PRICES.takenOn} ($${perSecond.toFixed(8)}/s)`;
    return { usd, basis, perSecondUsd: perSecond, regionPriced };
}
/** Region codes are short letters; anything else is shown cut and cleaned (the basis lands in markdown). */
function safeToken(s) {
    return s.replace(/[^a-z0-9-]/g, '').slice(0, 16) || '?';
}

;// CONCATENATED MODULE: ./src/report/report-input.ts
// The one input of the end-of-run renderers (job summary, PR comment, step
// outputs), and the figures they share. Pure: no I/O.

function finite(n) {
    return typeof n === 'number' && Number.isFinite(n);
}
function costFigures(report) {
    const s = report.snapshot;
    const claudeUsd = finite(s.costUsd) ? s.costUsd : finite(s.lastResult?.totalCostUsd) ? s.lastResult.totalCostUsd : undefined;
    let machineUsd;
    let machineBasis;
    const m = report.machine;
    if (m && finite(m.costUsd)) {
        machineUsd = m.costUsd;
        machineBasis = m.costBasis;
    }
    else if (m && finite(m.runningMs)) {
        const estimate = estimateMachineCostUsd({ cpuKind: m.cpuKind, cpus: m.cpus, memoryMb: m.memoryMb, region: m.region, runningMs: m.runningMs });
        machineUsd = estimate?.usd;
        machineBasis = estimate?.basis;
    }
    const totalUsd = claudeUsd !== undefined && machineUsd !== undefined ? claudeUsd + machineUsd : (claudeUsd ?? machineUsd);
    return { claudeUsd, machineUsd, machineBasis, totalUsd };
}
/** Wall time as the action saw it, else Claude Code's own duration. */
function runDurationMs(report) {
    if (finite(report.durationMs))
        return report.durationMs;
    if (finite(report.startedAt) && finite(report.endedAt) && report.endedAt >= report.startedAt)
        return report.endedAt - report.startedAt;
    return finite(report.snapshot.durationMs) ? report.snapshot.durationMs : undefined;
}
function claudeCodeVersion(report) {
    return report.snapshot.claudeCodeVersion || report.claudeCodeVersion || undefined;
}
function retrySummary(snapshot) {
    const byKind = new Map();
    for (const r of snapshot.retries) {
        const key = r.error || 'unknown';
        let entry = byKind.get(key);
        if (!entry) {
            entry = { error: key, count: 0, statuses: [] };
            byKind.set(key, entry);
        }
        entry.count++;
        if (r.errorStatus !== null && !entry.statuses.includes(r.errorStatus))
            entry.statuses.push(r.errorStatus);
    }
    return { count: snapshot.retries.length, kinds: [...byKind.values()] };
}
/** True when a background agent ended after the main answer (the CLI then emits a second result). */
function hasLateResult(snapshot) {
    return snapshot.results.length > 1;
}
const CONCLUSION_EMOJI = {
    success: '✅',
    failure: '❌',
    cancelled: '🚫',
    'timed-out': '⏱️',
    'no-result': '⚠️',
};

;// CONCATENATED MODULE: ./src/report/clones.ts
// What the machine cloned, as the summary and the comment name it: each
// repository at the commit the runner pinned, linked when it can be. Pure.


/** "`octo/app` at [0123456789ab](…/commit/…) (head of PR #7)", one per clone, safe in a table cell; [] when none is known. */
function clonedCommits(report) {
    const red = (s) => report.redactor.redact(s);
    return (report.clones ?? []).map((c) => {
        const short = c.sha.slice(0, 12);
        const commit = c.url ? markdownLink(short, c.url) : inlineCode(short);
        return `${inlineCode(clip(red(c.repo), 200))} at ${commit} (${tableCell(clip(red(c.what), 120))})`;
    });
}

;// CONCATENATED MODULE: ./src/report/summary.ts
// The job summary (GITHUB_STEP_SUMMARY): what a person reads after the run.
// Markdown with a little HTML (<details>), every untrusted string redacted
// and escaped, at most SUMMARY_LIMIT_BYTES of UTF-8 (the runner drops a step
// summary over 1 MiB whole). Pure: no I/O.





/** The runner's limit is 1 MiB (1,048,576 bytes); keep a margin. */
const SUMMARY_LIMIT_BYTES = 1_000_000;
/** Natural bounds of the smaller sections, before any fitting. */
const MAX_TOOL_ROWS = 500;
const MAX_ERRORS = 50;
const MAX_ERROR_CHARS = 2_000;
const MAX_DENIALS = 100;
const MAX_SUBAGENTS = 100;
const MAX_LINE_CHARS = 500;
const MAX_STRUCTURED_BYTES = 100_000;
/** Output arrives in reads about a second apart: shorter totals are not measured, only known to be short. */
function toolTime(ms) {
    if (ms <= 0)
        return '—';
    return ms < 1000 ? '<1 s' : formatDuration(ms);
}
function renderSummary(report, options = {}) {
    const limit = options.limitBytes ?? SUMMARY_LIMIT_BYTES;
    const red = (s) => report.redactor.redact(String(s ?? ''));
    const s = report.snapshot;
    const { outcome } = report;
    const finalize = (text) => red(text);
    const parts = [];
    const add = (part) => {
        parts.push({ text: finalize(part.text), shrink: part.shrink && ((b) => finalize(part.shrink(b))) });
        return parts.length - 1;
    };
    // Headline and notes.
    add({ text: headline(report, red) });
    const notes = notesFor(report);
    if (notes)
        add({ text: notes });
    add({ text: figuresTable(report, red) });
    // Claude's answer: the largest part, cut first.
    const answer = red(s.finalText);
    const answerTitle = outcome.conclusion === 'success' || s.lastResult ? "### Claude's answer" : '### Last text from Claude';
    let answerIndex = -1;
    if (answer.trim() !== '') {
        const hint = report.transcriptFile ? `The full text is in the transcript ${inlineCode(red(report.transcriptFile))}.` : 'The full text is in the workflow log.';
        const render = (budget) => {
            const room = budget - Buffer.byteLength(answerTitle, 'utf8') - 2;
            if (room < 200)
                return '';
            const bounded = truncateMarkdown(answer, room, { unit: 'bytes', hint });
            return bounded.markdown ? `${answerTitle}\n\n${bounded.markdown}` : '';
        };
        answerIndex = add({ text: render(limit), shrink: render });
    }
    else if (s.lastResult) {
        add({ text: `${answerTitle}\n\n_Claude gave no final answer text._` });
    }
    const errorsIndex = add(listSection('### Errors', errorItems(report, red), MAX_ERRORS));
    const denialsIndex = add(listSection('### Permission denials', denialItems(report, red), MAX_DENIALS));
    const retries = retriesLine(report);
    if (retries)
        add({ text: retries });
    const subagentsIndex = add(listSection('### Subagents', subagentItems(report, red), MAX_SUBAGENTS));
    const toolsIndex = add(toolsSection(s.toolStats, red));
    const structuredIndex = add(structuredSection(s.structuredOutput, red));
    add({ text: linksLine(report, red) });
    const order = [answerIndex, toolsIndex, structuredIndex, errorsIndex, subagentsIndex, denialsIndex].filter((i) => i >= 0);
    const fitted = fitParts(parts, order, limit - 1, 'bytes'); // -1: the final newline
    if (fitted !== undefined)
        return `${fitted}\n`;
    // Cannot happen with the natural bounds above; still, never hand the runner more than the limit.
    const minimal = `${parts[0].text}\n\n> ✂️ **Cut to fit:** the rest of this summary did not fit in ${formatBytes(limit)}; see the workflow log.\n`;
    return Buffer.byteLength(minimal, 'utf8') <= limit ? minimal : '';
}
function headline(report, red) {
    const { conclusion, reason } = report.outcome;
    return `## ${CONCLUSION_EMOJI[conclusion]} Claude Code: ${CONCLUSION_TITLE[conclusion]}\n\n${inlineText(clip(red(reason), MAX_LINE_CHARS))}`;
}
function notesFor(report) {
    const s = report.snapshot;
    const lines = [];
    if (!s.lastResult) {
        lines.push(`> [!WARNING]\n> **No result:** Claude Code ended without reporting a result (${inlineText(clip(report.redactor.redact(report.outcome.reason), MAX_LINE_CHARS))}). The figures below are what the run saw before it ended.`);
    }
    if (hasLateResult(s)) {
        lines.push(`> [!NOTE]\n> A background agent finished after the main answer: Claude Code reported ${s.results.length} results. Cost and tokens are the session totals of the last one, counted once; turns are added up over the results.`);
    }
    return lines.join('\n\n');
}
function figuresTable(report, red) {
    const s = report.snapshot;
    const rows = [];
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
    if (s.models.length)
        rows.push([s.models.length > 1 ? 'Models' : 'Model', s.models.slice(0, 20).map((m) => inlineCode(clip(red(m), 100))).join(', ')]);
    const version = claudeCodeVersion(report);
    if (version)
        rows.push(['Claude Code', inlineCode(clip(red(version), 60))]);
    const m = report.machine;
    if (m) {
        const size = `${clip(red(m.sizeName), 40)} (${m.cpus} ${clip(red(m.cpuKind), 20)} CPU${m.cpus === 1 ? '' : 's'}, ${m.memoryMb} MB)`;
        rows.push(['Machine', `${inlineCode(clip(red(m.id), 80))} · ${tableCell(clip(red(m.region), 20) || 'region unknown')} · ${tableCell(size)}`]);
    }
    const cloned = clonedCommits(report);
    if (cloned.length)
        rows.push(['Cloned', cloned.join('<br>')]);
    if (s.sessionId)
        rows.push(['Session', inlineCode(clip(red(s.sessionId), 100))]);
    if (report.outcome.exitCode !== null)
        rows.push(['Exit code', String(report.outcome.exitCode)]);
    if (s.compactions > 0)
        rows.push(['Context compactions', String(s.compactions)]);
    return ['| Run | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}
function listSection(title, items, max) {
    if (items.length === 0)
        return { text: '' };
    const render = (count) => {
        const shown = items.slice(0, count).map((i) => `- ${i}`);
        const rest = items.length - count;
        if (rest > 0)
            shown.push(`- ✂️ _${rest} more not shown${count < Math.min(items.length, max) ? ' (cut to fit)' : ''}_`);
        return `${title}\n\n${shown.join('\n')}`;
    };
    const natural = Math.min(items.length, max);
    return {
        text: render(natural),
        shrink: (budget) => shrinkByCount(natural, render, budget),
    };
}
/** The largest count whose rendering fits the budget ('' when none does). */
function shrinkByCount(natural, render, budget) {
    let lo = 0;
    let hi = natural;
    if (Buffer.byteLength(render(0), 'utf8') > budget)
        return '';
    while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (Buffer.byteLength(render(mid), 'utf8') <= budget)
            lo = mid;
        else
            hi = mid - 1;
    }
    return render(lo);
}
function errorItems(report, red) {
    const s = report.snapshot;
    const all = [...s.errors, ...(s.lastResult?.errors ?? [])];
    const seen = new Set();
    const items = [];
    for (const e of all) {
        if (!e || seen.has(e))
            continue;
        seen.add(e);
        items.push(inlineText(clip(red(e), MAX_ERROR_CHARS)));
    }
    return items;
}
function denialItems(report, red) {
    const s = report.snapshot;
    const items = s.permissionDenials.map((d) => `${inlineCode(clip(red(d.toolName), 100))}${d.message ? `: ${inlineText(clip(red(d.message), MAX_LINE_CHARS))}` : ''}`);
    // Denials the result lists but no event announced.
    const known = new Set(s.permissionDenials.map((d) => d.toolUseId));
    for (const d of s.lastResult?.permissionDenials ?? []) {
        if (!known.has(d.toolUseId))
            items.push(inlineCode(clip(red(d.toolName), 100)));
    }
    return items;
}
function retriesLine(report) {
    const r = retrySummary(report.snapshot);
    if (r.count === 0)
        return '';
    const kinds = r.kinds
        .slice(0, 20)
        .map((k) => `${inlineCode(clip(report.redactor.redact(k.error), 60))} ×${k.count}${k.statuses.length ? ` (HTTP ${k.statuses.slice(0, 5).join(', ')})` : ''}`)
        .join(', ');
    return `**API retries:** ${r.count} — ${kinds}`;
}
function subagentItems(report, red) {
    return report.snapshot.subagents.map((a) => {
        const traits = [a.subagentType && inlineCode(clip(red(a.subagentType), 60)), a.status && tableCell(clip(red(a.status), 40)), a.background ? 'background' : '']
            .filter(Boolean)
            .join(', ');
        return `Agent ${a.index}: ${inlineText(clip(red(a.description), MAX_LINE_CHARS)) || '_no description_'}${traits ? ` (${traits})` : ''}`;
    });
}
function toolsSection(stats, red) {
    if (stats.length === 0)
        return { text: '' };
    const sorted = [...stats].sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name, 'en', { numeric: true }));
    const calls = sorted.reduce((n, t) => n + t.calls, 0);
    const errors = sorted.reduce((n, t) => n + t.errors, 0);
    const rows = sorted.map((t) => `| ${inlineCode(clip(red(t.name), 120))} | ${t.calls} | ${t.errors} | ${toolTime(t.totalMs)} |`);
    const title = `<details><summary>Tool use: ${calls} call${calls === 1 ? '' : 's'} of ${sorted.length} tool${sorted.length === 1 ? '' : 's'}, ${errors} error${errors === 1 ? '' : 's'}</summary>`;
    const render = (count) => {
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
function structuredSection(value, red) {
    if (value === undefined || value === null)
        return { text: '' };
    let json;
    try {
        json = JSON.stringify(value, null, 2) ?? String(value);
    }
    catch {
        json = String(value);
    }
    json = red(json);
    const render = (maxBytes) => {
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
function linksLine(report, red) {
    const links = [];
    if (report.runUrl)
        links.push(markdownLink('Workflow log', report.runUrl));
    if (report.commentUrl)
        links.push(markdownLink('PR comment', report.commentUrl));
    if (report.transcriptFile)
        links.push(`Transcript: ${inlineCode(clip(red(report.transcriptFile), 200))}`);
    return links.join(' · ');
}

;// CONCATENATED MODULE: ./src/stream/events.ts
// One stream-json line -> one typed event. Pure, total: every input gives an
// event, nothing throws. Wire fields are read defensively (any may be missing
// or of another type): strings default to '', optional numbers to undefined,
// counters to 0, arrays to []. Keys may come in any order.
//
// Blank and whitespace-only lines become TextLineEvents like any other non-JSON
// line; RunState ignores the blank ones.
const EMPTY = Object.freeze({});
function isObj(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function obj(v) {
    return isObj(v) ? v : EMPTY;
}
function str(v) {
    return typeof v === 'string' ? v : '';
}
function optStr(v) {
    return typeof v === 'string' ? v : undefined;
}
function num(v) {
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function count(v) {
    return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
function arr(v) {
    return Array.isArray(v) ? v : [];
}
function strings(v) {
    const out = [];
    for (const item of arr(v))
        if (typeof item === 'string')
            out.push(item);
    return out;
}
function parentId(v) {
    return typeof v === 'string' && v !== '' ? v : null;
}
/** An error given as a string or as an object with a message. */
function errorText(v) {
    if (typeof v === 'string')
        return v;
    if (isObj(v)) {
        if (typeof v.message === 'string')
            return v.message;
        if (typeof v.type === 'string')
            return v.type;
    }
    return undefined;
}
function tokenUsage(v) {
    if (!isObj(v))
        return undefined;
    return {
        inputTokens: count(v.input_tokens),
        outputTokens: count(v.output_tokens),
        cacheReadTokens: count(v.cache_read_input_tokens),
        cacheWriteTokens: count(v.cache_creation_input_tokens),
    };
}
function events_text(line) {
    return { kind: 'text', text: line };
}
function parseEventLine(line) {
    // Cheap pre-check: throwing and catching is slow, and most noise lines do not
    // start like an object.
    let i = 0;
    while (i < line.length && isSpace(line.charCodeAt(i)))
        i++;
    if (line.charCodeAt(i) !== 0x7b /* { */)
        return events_text(line);
    let value;
    try {
        // JSON.parse refuses a byte order mark: skip one (a file's first line may carry it).
        value = JSON.parse(i > 0 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
    }
    catch {
        return events_text(line);
    }
    if (!isObj(value) || typeof value.type !== 'string')
        return events_text(line);
    try {
        return toEvent(value, value.type, line);
    }
    catch {
        // Defensive reads should make this unreachable (a getter cannot come out of
        // JSON.parse); never let one odd line stop the stream.
        return { kind: 'unknown', type: value.type, line };
    }
}
function isSpace(c) {
    return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0xfeff;
}
function toEvent(o, type, line) {
    switch (type) {
        case 'assistant':
            return assistant(o);
        case 'user':
            return user(o);
        case 'system':
            return system(o);
        case 'result':
            return result(o);
        case 'stream_event': {
            const event = obj(o.event);
            return {
                kind: 'stream_event',
                eventType: str(event.type),
                deltaType: optStr(obj(event.delta).type),
                parentToolUseId: parentId(o.parent_tool_use_id),
            };
        }
        default:
            return { kind: 'unknown', type, line };
    }
}
function contentBlock(v) {
    const b = obj(v);
    switch (b.type) {
        case 'text':
            return { type: 'text', text: str(b.text) };
        case 'thinking':
            return { type: 'thinking', thinking: str(b.thinking) };
        case 'tool_use':
            return { type: 'tool_use', id: str(b.id), name: str(b.name), input: b.input ?? {} };
        default:
            return { type: 'other', blockType: str(b.type) };
    }
}
function assistant(o) {
    const message = obj(o.message);
    const content = message.content;
    let blocks;
    if (Array.isArray(content))
        blocks = content.map(contentBlock);
    else if (typeof content === 'string' && content !== '')
        blocks = [{ type: 'text', text: content }];
    else
        blocks = [];
    return {
        kind: 'assistant',
        messageId: str(message.id),
        model: str(message.model),
        parentToolUseId: parentId(o.parent_tool_use_id),
        blocks,
        usage: tokenUsage(message.usage),
        error: errorText(o.error),
    };
}
/** Text of a tool_result's content: a string, or text blocks joined by newlines ("[image]" for images). */
function toolResultText(content) {
    if (typeof content === 'string')
        return content;
    if (!Array.isArray(content))
        return '';
    if (content.length === 1) {
        const only = obj(content[0]);
        if (only.type === 'text')
            return str(only.text);
    }
    const parts = [];
    for (const item of content) {
        const b = obj(item);
        if (b.type === 'text')
            parts.push(str(b.text));
        else if (b.type === 'image')
            parts.push('[image]');
        else if (typeof item === 'string')
            parts.push(item);
    }
    return parts.join('\n');
}
function user(o) {
    const message = obj(o.message);
    const content = message.content;
    const toolResults = [];
    let textOut = '';
    if (typeof content === 'string') {
        textOut = content;
    }
    else if (Array.isArray(content)) {
        const texts = [];
        for (const item of content) {
            const b = obj(item);
            if (b.type === 'tool_result') {
                toolResults.push({ toolUseId: str(b.tool_use_id), content: toolResultText(b.content), isError: b.is_error === true });
            }
            else if (b.type === 'text') {
                texts.push(str(b.text));
            }
        }
        textOut = texts.join('\n');
    }
    return {
        kind: 'user',
        parentToolUseId: parentId(o.parent_tool_use_id),
        toolResults,
        text: textOut,
        toolUseResult: o.tool_use_result,
    };
}
function system(o) {
    const subtype = str(o.subtype);
    switch (subtype) {
        case 'init':
            return init(o);
        case 'api_retry': {
            const status = o.error_status;
            return {
                kind: 'api_retry',
                attempt: count(o.attempt),
                maxRetries: count(o.max_retries),
                retryDelayMs: count(o.retry_delay_ms),
                errorStatus: typeof status === 'number' && Number.isFinite(status) ? status : null,
                error: errorText(o.error) ?? '',
            };
        }
        case 'compact_boundary': {
            const meta = obj(o.compact_metadata);
            return { kind: 'compact_boundary', trigger: str(meta.trigger), preTokens: num(meta.pre_tokens) };
        }
        case 'task_started':
        case 'task_progress':
        case 'task_updated':
        case 'task_notification':
            return task(o, subtype);
        case 'permission_denied':
            return {
                kind: 'permission_denied',
                toolName: str(o.tool_name),
                toolUseId: str(o.tool_use_id),
                message: str(o.message) || str(o.decision_reason),
            };
        case 'hook_started':
        case 'hook_progress':
        case 'hook_response':
            return hook(o, subtype);
        default:
            return { kind: 'system', subtype };
    }
}
function init(o) {
    const mcpServers = [];
    for (const item of arr(o.mcp_servers)) {
        if (isObj(item))
            mcpServers.push({ name: str(item.name), status: str(item.status) });
    }
    const agents = [];
    for (const item of arr(o.agents)) {
        if (typeof item === 'string')
            agents.push(item);
        else if (isObj(item) && typeof item.name === 'string')
            agents.push(item.name);
    }
    return {
        kind: 'init',
        sessionId: str(o.session_id),
        model: str(o.model),
        cwd: str(o.cwd),
        tools: strings(o.tools),
        mcpServers,
        permissionMode: str(o.permissionMode),
        apiKeySource: str(o.apiKeySource),
        claudeCodeVersion: str(o.claude_code_version),
        agents,
    };
}
function task(o, subtype) {
    const patch = obj(o.patch);
    const toolUseId = optStr(o.tool_use_id);
    return {
        kind: 'task',
        subtype,
        taskId: str(o.task_id),
        toolUseId: toolUseId === '' ? undefined : toolUseId,
        description: optStr(o.description) ?? optStr(patch.description),
        subagentType: optStr(o.subagent_type),
        status: optStr(o.status) ?? optStr(patch.status),
        summary: optStr(o.summary) ?? errorText(patch.error),
        lastToolName: optStr(o.last_tool_name),
    };
}
function hook(o, subtype) {
    let output = str(o.output);
    if (output === '') {
        const stdout = str(o.stdout);
        const stderr = str(o.stderr);
        output = stdout && stderr ? `${stdout}\n${stderr}` : stdout || stderr;
    }
    return {
        kind: 'hook',
        subtype,
        hookName: str(o.hook_name),
        hookEvent: str(o.hook_event),
        outcome: optStr(o.outcome),
        output,
    };
}
function result(o) {
    const modelUsage = [];
    const mu = obj(o.modelUsage);
    for (const model of Object.keys(mu)) {
        const u = obj(mu[model]);
        modelUsage.push({
            model,
            inputTokens: count(u.inputTokens),
            outputTokens: count(u.outputTokens),
            cacheReadTokens: count(u.cacheReadInputTokens),
            cacheWriteTokens: count(u.cacheCreationInputTokens),
            costUsd: num(u.costUSD),
        });
    }
    const permissionDenials = [];
    for (const item of arr(o.permission_denials)) {
        if (isObj(item))
            permissionDenials.push({ toolName: str(item.tool_name), toolUseId: str(item.tool_use_id) });
    }
    const errors = [];
    for (const item of arr(o.errors)) {
        const e = errorText(item);
        if (e !== undefined)
            errors.push(e);
    }
    return {
        kind: 'result',
        subtype: str(o.subtype),
        isError: o.is_error === true,
        durationMs: num(o.duration_ms),
        durationApiMs: num(o.duration_api_ms),
        numTurns: num(o.num_turns),
        result: optStr(o.result),
        totalCostUsd: num(o.total_cost_usd) ?? num(o.cost_usd) ?? num(o.total_cost),
        usage: tokenUsage(o.usage),
        modelUsage,
        permissionDenials,
        errors,
        structuredOutput: o.structured_output,
        sessionId: str(o.session_id),
        terminalReason: optStr(o.terminal_reason),
    };
}

;// CONCATENATED MODULE: external "node:buffer"
const external_node_buffer_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");
;// CONCATENATED MODULE: ./src/stream/lines.ts
// Bytes -> complete lines. Pure: the caller feeds chunks in order and gets one
// callback per line.
//
// Only 0x0A ends a line; a 0x0D right before it is dropped (CRLF), a bare CR
// inside a line is kept (the log renderer deals with it). Each line comes with
// the ending it had ('\n', '\r\n', or '' / '\r' for a last line without a
// newline), so a consumer that must keep the bytes (the transcript file) can. Splitting happens on
// bytes, and 0x0A never occurs inside a multibyte UTF-8 sequence, so each
// complete line is decoded exactly once, whole: a character split across
// chunks needs no streaming decoder, and invalid bytes become U+FFFD.

const LF = 0x0a;
const CR = 0x0d;
class LineSplitter {
    onLine;
    maxLineBytes;
    /** Pieces of the unfinished line, each a private copy; joined once when its LF arrives. */
    pending = [];
    /** Bytes kept in `pending` (at most maxLineBytes). */
    pendingBytes = 0;
    /** Bytes of the unfinished line seen so far, kept or not. */
    seenBytes = 0;
    /** Whether the last byte seen of the unfinished line is a CR. */
    lastCR = false;
    /** `onLine` must not throw: lines after the throwing one in the same chunk would be lost. */
    constructor(onLine, options = {}) {
        this.onLine = onLine;
        this.maxLineBytes = Math.max(1, Math.floor(options.maxLineBytes ?? external_node_buffer_namespaceObject.constants.MAX_STRING_LENGTH));
    }
    push(chunk) {
        const buf = external_node_buffer_namespaceObject.Buffer.isBuffer(chunk) ? chunk : external_node_buffer_namespaceObject.Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        const length = buf.length;
        if (length === 0)
            return;
        let start = 0;
        let nl = buf.indexOf(LF, 0);
        if (nl === -1) {
            this.keep(buf, 0, length);
            return;
        }
        if (this.seenBytes > 0) {
            this.keep(buf, 0, nl);
            this.flushPending(true);
            start = nl + 1;
            nl = buf.indexOf(LF, start);
        }
        const onLine = this.onLine;
        const max = this.maxLineBytes;
        while (nl !== -1) {
            let end = nl;
            const crlf = end > start && buf[end - 1] === CR;
            if (crlf)
                end--;
            if (end - start > max)
                end = start + max;
            onLine(buf.toString('utf8', start, end), crlf ? '\r\n' : '\n');
            start = nl + 1;
            nl = buf.indexOf(LF, start);
        }
        if (start < length)
            this.keep(buf, start, length);
    }
    /** End of input: a last line without a newline is delivered (an empty remainder is not). */
    end() {
        if (this.seenBytes > 0)
            this.flushPending(false);
    }
    /**
     * Copies part of a chunk into the unfinished line: the caller may reuse its
     * buffer, and a small tail must not pin a large chunk in memory.
     */
    keep(buf, from, to) {
        if (to <= from)
            return;
        this.seenBytes += to - from;
        this.lastCR = buf[to - 1] === CR;
        const take = Math.min(to - from, this.maxLineBytes - this.pendingBytes);
        if (take <= 0)
            return;
        this.pending.push(external_node_buffer_namespaceObject.Buffer.from(buf.subarray(from, from + take)));
        this.pendingBytes += take;
    }
    /** Emits the unfinished line; `emitEmpty` is false at end of input. */
    flushPending(emitEmpty) {
        const pieces = this.pending;
        const line = pieces.length === 1 ? pieces[0] : external_node_buffer_namespaceObject.Buffer.concat(pieces, this.pendingBytes);
        let end = this.pendingBytes;
        const cr = this.lastCR;
        // Drop a CR that ends the line, unless it lies in the part cut off.
        if (cr && end === this.seenBytes)
            end--;
        this.pending = [];
        this.pendingBytes = 0;
        this.seenBytes = 0;
        this.lastCR = false;
        if (end > 0 || emitEmpty)
            this.onLine(line.toString('utf8', 0, end), emitEmpty ? (cr ? '\r\n' : '\n') : cr ? '\r' : '');
    }
}

;// CONCATENATED MODULE: ./src/stream/run-state.ts
// Folds stream events into what the run knows so far, announcing each change
// to the caller. Pure: time comes from an injected clock (replay passes none,
// so durations stay unknown).
//
// Memory: nothing grows per line except the tool list and the subagents (plus
// API errors and retries, which are few). A finished call's `output` is
// released once its 'tool-end' change was emitted (renderers read it during
// that callback, and must copy what they want to keep), so a 500 MB transcript
// of big tool results is not held. Changes and snapshots hand out the live
// ToolCall and Subagent objects: read them, do not change them.
/** Tools whose call starts a subagent; its messages carry the call's id as parent_tool_use_id. */
const AGENT_TOOLS = new Set(['Task', 'Agent']);
/**
 * Bound of a tool call's one-line summary, kept for every call of the run.
 * Renderers redact secrets and then cut to what they show (at most 160
 * characters); this bound stays well past that, so a cut here, before
 * redaction, never leaves a visible start of a secret that no longer matches.
 */
const TOOL_SUMMARY_MAX = 400;
const SUMMARY_MAX = TOOL_SUMMARY_MAX;
/** Input fields that best say what a call does, most telling first. */
const SUMMARY_KEYS = ['command', 'file_path', 'notebook_path', 'pattern', 'url', 'query', 'path', 'description', 'prompt', 'skill'];
function zeroUsage() {
    return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
}
function addUsage(into, u, sign) {
    into.inputTokens += sign * u.inputTokens;
    into.outputTokens += sign * u.outputTokens;
    into.cacheReadTokens += sign * u.cacheReadTokens;
    into.cacheWriteTokens += sign * u.cacheWriteTokens;
}
const NON_SPACE = /\S/;
/** One line that says what a tool call does: its command, path, pattern, ... bounded to ~120 chars. */
function toolSummary(input) {
    if (typeof input === 'string')
        return oneLine(input);
    if (typeof input !== 'object' || input === null || Array.isArray(input))
        return '';
    const fields = input;
    for (const key of SUMMARY_KEYS) {
        const v = fields[key];
        if (typeof v === 'string' && NON_SPACE.test(v))
            return oneLine(v);
    }
    for (const key of Object.keys(fields)) {
        const v = fields[key];
        if (typeof v === 'string' && NON_SPACE.test(v))
            return oneLine(v);
    }
    return '';
}
/** Whitespace that oneLine would change: any but single inner spaces. */
const NEEDS_CLEANING = /[\t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]| {2}|^ | $/;
/** First non-blank line, whitespace collapsed, cut with an ellipsis when longer or followed by more lines. */
function oneLine(s) {
    if (s.length <= SUMMARY_MAX && !NEEDS_CLEANING.test(s))
        return s; // the common case
    let start = 0;
    let nl = s.indexOf('\n');
    // Skip leading blank lines without touching the rest of a long value.
    while (nl !== -1 && !NON_SPACE.test(s.slice(start, nl))) {
        start = nl + 1;
        nl = s.indexOf('\n', start);
    }
    const end = nl === -1 ? s.length : nl;
    let more = nl !== -1 && NON_SPACE.test(s.slice(nl + 1, nl + 1 + 4096));
    // Collapse only a bounded prefix: the first line of a value can be megabytes.
    const window = Math.min(end, start + SUMMARY_MAX * 4);
    if (window < end)
        more = true;
    let line = s.slice(start, window).replace(/\s+/g, ' ').trim();
    if (line.length > SUMMARY_MAX || (more && line.length > SUMMARY_MAX - 1)) {
        let cut = SUMMARY_MAX - 1;
        const c = line.charCodeAt(cut - 1);
        if (c >= 0xd800 && c <= 0xdbff)
            cut--; // do not split a surrogate pair
        line = line.slice(0, cut).trimEnd();
        more = true;
    }
    return more ? `${line}…` : line;
}
const PERSISTED_TAG = '<persisted-output>';
/** Whether a tool_result's content is Claude Code's preview of an output it saved to a file (the tag comes first). */
function isPersistedPreview(content) {
    let i = 0;
    while (i < 64 && i < content.length && content.charCodeAt(i) <= 0x20)
        i++;
    return content.startsWith(PERSISTED_TAG, i);
}
/** The fuller output a tool_use_result may hold: a string, or Bash's stdout and stderr. */
function fullerOutput(toolUseResult) {
    if (typeof toolUseResult === 'string')
        return toolUseResult;
    if (typeof toolUseResult !== 'object' || toolUseResult === null)
        return undefined;
    const r = toolUseResult;
    const stdout = typeof r.stdout === 'string' ? r.stdout : undefined;
    const stderr = typeof r.stderr === 'string' ? r.stderr : undefined;
    if (stdout === undefined && stderr === undefined)
        return undefined;
    if (stdout && stderr)
        return `${stdout}\n${stderr}`;
    return stdout || stderr || '';
}
class RunState {
    now;
    inits = [];
    results = [];
    tools = [];
    toolsById = new Map();
    /** Per tool name, in first-seen order. */
    toolStats = new Map();
    seq = 0;
    agents = [];
    agentsByToolUseId = new Map();
    agentsByTaskId = new Map();
    retries = [];
    permissionDenials = [];
    deniedIds = new Set();
    compactions = 0;
    /** Usage counted once per message id: the sum, and each thread's open message ('' = main thread). */
    usageSum = zeroUsage();
    openMessages = new Map();
    lastThread;
    lastOpen;
    modelsSeen = new Set();
    lastModel = '';
    apiErrors = [];
    /** Main-thread assistant text since the last main-thread tool_use (the answer being written). */
    mainTail = [];
    /** That text as it stood when the last result arrived. */
    tailAtLastResult = '';
    textLines = 0;
    constructor(options = {}) {
        this.now = options.now ?? (() => undefined);
    }
    apply(event, emit) {
        switch (event.kind) {
            case 'init':
                this.inits.push(event);
                this.noteModel(event.model);
                // A new init starts a new turn: its answer starts afresh.
                this.mainTail = [];
                emit({ type: 'session', init: event, index: this.inits.length - 1 });
                return;
            case 'assistant':
                this.assistant(event, emit);
                return;
            case 'user':
                this.user(event, emit);
                return;
            case 'task':
                this.task(event, emit);
                return;
            case 'api_retry':
                this.retries.push(event);
                emit({ type: 'retry', retry: event });
                return;
            case 'compact_boundary':
                this.compactions++;
                emit({ type: 'compaction', trigger: event.trigger, preTokens: event.preTokens });
                return;
            case 'permission_denied':
                this.denied(event.toolName, event.toolUseId, event.message, emit);
                return;
            case 'hook':
                emit({ type: 'hook', hook: event });
                return;
            case 'result':
                this.result(event, emit);
                return;
            case 'text':
                // Blank lines between JSON lines carry nothing.
                if (!NON_SPACE.test(event.text))
                    return;
                this.textLines++;
                emit({ type: 'text', text: event.text });
                return;
            case 'stream_event':
            case 'system':
            case 'unknown':
                return;
        }
    }
    stderrLine(text, emit) {
        emit({ type: 'stderr', text });
    }
    snapshot() {
        const last = this.results.at(-1);
        let usage;
        let models;
        if (last && last.modelUsage.length > 0) {
            usage = zeroUsage();
            for (const m of last.modelUsage)
                addUsage(usage, m, 1);
            models = last.modelUsage.map((m) => m.model);
        }
        else {
            usage = { ...this.usageSum };
            models = [...this.modelsSeen];
        }
        let costUsd;
        for (let i = this.results.length - 1; i >= 0 && costUsd === undefined; i--)
            costUsd = this.results[i]?.totalCostUsd;
        // Unlike cost and modelUsage, num_turns counts one query's turns (measured with 2.1.330: a late
        // background-agent result says 1 after a main result of 2): the session's turns are their sum.
        let numTurns;
        for (const r of this.results)
            if (r.numTurns !== undefined)
                numTurns = (numTurns ?? 0) + r.numTurns;
        // duration_ms is per query too (the late result covers only its own short query).
        let durationMs;
        for (const r of this.results)
            if (r.durationMs !== undefined)
                durationMs = (durationMs ?? 0) + r.durationMs;
        const resultText = last?.result ?? '';
        const rebuilt = last ? this.tailAtLastResult : this.mainTail.join('\n\n');
        const finalText = rebuilt.length > resultText.length ? rebuilt : resultText;
        const errors = [...this.apiErrors];
        for (const e of last?.errors ?? [])
            if (!errors.includes(e))
                errors.push(e);
        let sessionId = last?.sessionId || undefined;
        let claudeCodeVersion;
        for (let i = this.inits.length - 1; i >= 0; i--) {
            const init = this.inits[i];
            sessionId ||= init.sessionId || undefined;
            claudeCodeVersion ||= init.claudeCodeVersion || undefined;
        }
        return {
            inits: [...this.inits],
            results: [...this.results],
            lastResult: last,
            tools: [...this.tools],
            inFlight: this.tools.filter((t) => !t.done),
            toolStats: [...this.toolStats.values()].map((s) => ({ ...s })),
            subagents: this.agents.map((r) => r.agent),
            retries: [...this.retries],
            permissionDenials: [...this.permissionDenials],
            compactions: this.compactions,
            usage,
            models,
            costUsd,
            numTurns,
            durationMs,
            finalText,
            errors,
            sessionId,
            claudeCodeVersion,
            structuredOutput: last?.structuredOutput,
            textLines: this.textLines,
        };
    }
    // -------------------------------------------------------------------------
    noteModel(model) {
        if (model === this.lastModel)
            return; // skip hashing the same name on every line
        this.lastModel = model;
        if (model !== '' && model !== '<synthetic>')
            this.modelsSeen.add(model);
    }
    assistant(event, emit) {
        this.noteModel(event.model);
        if (event.usage)
            this.countUsage(event.parentToolUseId, event.messageId, event.usage);
        const parent = event.parentToolUseId;
        const agentLabel = this.labelOf(parent, emit);
        if (event.error !== undefined) {
            // A synthetic message that reports an API error: its text is the error, not narration.
            const texts = [];
            for (const b of event.blocks)
                if (b.type === 'text' && NON_SPACE.test(b.text))
                    texts.push(b.text);
            const message = texts.length > 0 ? texts.join('\n') : `API error: ${event.error}`;
            this.apiErrors.push(message);
            emit({ type: 'api-error', message });
        }
        for (const block of event.blocks) {
            switch (block.type) {
                case 'text':
                    if (event.error !== undefined || !NON_SPACE.test(block.text))
                        break;
                    if (parent === null)
                        this.mainTail.push(block.text);
                    emit({ type: 'narration', text: block.text, parentToolUseId: parent, agentLabel });
                    break;
                case 'thinking':
                    if (NON_SPACE.test(block.thinking))
                        emit({ type: 'thinking', text: block.thinking, parentToolUseId: parent, agentLabel });
                    break;
                case 'tool_use':
                    if (parent === null)
                        this.mainTail = [];
                    this.startTool(block.id, block.name, block.input, parent, agentLabel, emit);
                    break;
                case 'other':
                    break;
            }
        }
    }
    /**
     * While streaming, several lines share a message id, each with the usage so
     * far: the last one seen for an id counts, once. The lines of one message come
     * in a row within their thread (main or one subagent), though threads may
     * interleave; so only each thread's open message is kept, and a new id on a
     * thread closes the previous one, whose last usage stays in the sum.
     */
    countUsage(parent, messageId, usage) {
        if (messageId === '') {
            addUsage(this.usageSum, usage, 1);
            return;
        }
        const thread = parent ?? '';
        let open = thread === this.lastThread ? this.lastOpen : this.openMessages.get(thread);
        if (!open) {
            open = { id: messageId, usage: { ...usage } };
            this.openMessages.set(thread, open);
        }
        else {
            if (open.id === messageId)
                addUsage(this.usageSum, open.usage, -1);
            else
                open.id = messageId;
            const u = open.usage;
            u.inputTokens = usage.inputTokens;
            u.outputTokens = usage.outputTokens;
            u.cacheReadTokens = usage.cacheReadTokens;
            u.cacheWriteTokens = usage.cacheWriteTokens;
        }
        addUsage(this.usageSum, open.usage, 1);
        this.lastThread = thread;
        this.lastOpen = open;
    }
    startTool(id, name, input, parent, agentLabel, emit) {
        if (id !== '' && this.toolsById.get(id) !== undefined)
            return undefined; // the same block sent twice
        const call = {
            id,
            name,
            input,
            summary: toolSummary(input),
            parentToolUseId: parent,
            seq: ++this.seq,
            agentLabel,
            startedAt: this.now(),
            endedAt: undefined,
            done: false,
            isError: false,
            output: '',
        };
        this.tools.push(call);
        if (id !== '')
            this.toolsById.set(id, call);
        this.statsOf(name).calls++;
        emit({ type: 'tool-start', call });
        if (AGENT_TOOLS.has(name) && id !== '' && !this.agentsByToolUseId.has(id)) {
            const fields = typeof input === 'object' && input !== null ? input : {};
            this.addAgent(id, typeof fields.description === 'string' ? fields.description : '', typeof fields.subagent_type === 'string' ? fields.subagent_type : '', fields.run_in_background === true, emit);
        }
        return call;
    }
    statsOf(name) {
        let s = this.toolStats.get(name);
        if (!s) {
            s = { name, calls: 0, errors: 0, totalMs: 0 };
            this.toolStats.set(name, s);
        }
        return s;
    }
    user(event, emit) {
        if (event.toolResults.length === 0) {
            // A new prompt on the main thread (such as a task notification): a new answer follows.
            if (event.parentToolUseId === null && NON_SPACE.test(event.text))
                this.mainTail = [];
            return;
        }
        // tool_use_result belongs to the line: only unambiguous with one result in it.
        const fuller = event.toolResults.length === 1 ? fullerOutput(event.toolUseResult) : undefined;
        for (const block of event.toolResults)
            this.endTool(block, event.parentToolUseId, fuller, event.toolUseResult, emit);
    }
    endTool(block, parent, fuller, toolUseResult, emit) {
        let call = block.toolUseId === '' ? undefined : this.toolsById.get(block.toolUseId);
        if (!call) {
            // A result whose call we never saw (a cut transcript): keep it under a neutral name.
            call = this.startTool(block.toolUseId, 'unknown', {}, parent, this.labelOf(parent, emit), emit);
            if (!call)
                return;
        }
        if (call.done)
            return; // the same result sent twice
        let output = block.content;
        if (fuller !== undefined && (fuller.length > output.length || isPersistedPreview(output)))
            output = fuller;
        call.done = true;
        call.isError = block.isError;
        call.endedAt = this.now();
        call.output = output;
        const stats = this.statsOf(call.name);
        if (call.isError)
            stats.errors++;
        if (call.startedAt !== undefined && call.endedAt !== undefined)
            stats.totalMs += Math.max(0, call.endedAt - call.startedAt);
        emit({ type: 'tool-end', call });
        // Released once renderers have seen it: see the note at the top of this file.
        // The input goes too (Edit and Write carry whole files): only the tool-end render reads it.
        call.output = '';
        call.input = undefined;
        if (AGENT_TOOLS.has(call.name))
            this.agentToolEnded(call, toolUseResult, emit);
    }
    /** The Task/Agent call returned: the subagent is done, unless it was launched in the background. */
    agentToolEnded(call, toolUseResult, emit) {
        const record = this.agentsByToolUseId.get(call.id);
        if (!record || record.finished)
            return;
        const agent = record.agent;
        const status = typeof toolUseResult === 'object' && toolUseResult !== null ? toolUseResult.status : undefined;
        if (status === 'async_launched' || status === 'remote_launched') {
            agent.background = true;
            emit({ type: 'subagent', agent, event: 'updated', summary: undefined });
            return;
        }
        if (!call.isError && status !== 'completed' && agent.background)
            return;
        agent.status = call.isError ? 'failed' : 'completed';
        record.finished = true;
        emit({ type: 'subagent', agent, event: 'finished', summary: undefined });
    }
    addAgent(toolUseId, description, subagentType, background, emit) {
        const agent = {
            toolUseId,
            index: this.agents.length + 1,
            description,
            subagentType,
            taskId: undefined,
            status: 'running',
            background,
        };
        const record = { agent, label: agentLabel(agent), finished: false };
        this.agents.push(record);
        this.agentsByToolUseId.set(toolUseId, record);
        emit({ type: 'subagent', agent, event: 'started', summary: undefined });
        return record;
    }
    /** '' for the main thread; else the subagent's label, registering a subagent we had not heard of. */
    labelOf(parent, emit) {
        if (parent === null)
            return '';
        const record = this.agentsByToolUseId.get(parent) ?? this.addAgent(parent, '', '', false, emit);
        return record.label;
    }
    task(event, emit) {
        let record = event.toolUseId !== undefined ? this.agentsByToolUseId.get(event.toolUseId) : undefined;
        if (!record && event.taskId !== '')
            record = this.agentsByTaskId.get(event.taskId);
        let created = false;
        if (!record) {
            // Background shells report task events too: not a subagent.
            if (event.toolUseId !== undefined && this.toolsById.has(event.toolUseId))
                return;
            if (event.subtype !== 'task_started')
                return;
            record = this.addAgent(event.toolUseId ?? `task:${event.taskId}`, event.description ?? '', event.subagentType ?? '', false, emit);
            created = true;
        }
        const agent = record.agent;
        if (event.taskId !== '' && agent.taskId === undefined) {
            agent.taskId = event.taskId;
            this.agentsByTaskId.set(event.taskId, record);
        }
        if (event.description && agent.description === '') {
            agent.description = event.description;
            record.label = agentLabel(agent);
        }
        if (event.subagentType && agent.subagentType === '')
            agent.subagentType = event.subagentType;
        if (event.status !== undefined)
            agent.status = event.status;
        else if (event.subtype === 'task_notification')
            agent.status = 'completed';
        if (created)
            return;
        // The notification is the task's closing bookend and carries its summary; a
        // task_updated with an end status comes just before it and only updates.
        if (event.subtype === 'task_notification' && !record.finished) {
            record.finished = true;
            emit({ type: 'subagent', agent, event: 'finished', summary: event.summary });
        }
        else {
            emit({ type: 'subagent', agent, event: 'updated', summary: event.summary });
        }
    }
    denied(toolName, toolUseId, message, emit) {
        if (toolUseId !== '') {
            if (this.deniedIds.has(toolUseId))
                return;
            this.deniedIds.add(toolUseId);
        }
        this.permissionDenials.push({ toolName, toolUseId, message });
        emit({ type: 'permission-denied', toolName, toolUseId, message });
    }
    result(event, emit) {
        for (const d of event.permissionDenials)
            this.denied(d.toolName, d.toolUseId, '', emit);
        this.results.push(event);
        this.tailAtLastResult = this.mainTail.join('\n\n');
        this.mainTail = [];
        emit({ type: 'result', result: event, index: this.results.length - 1 });
    }
}
function agentLabel(agent) {
    const what = oneLine(agent.description) || agent.subagentType;
    return what ? `agent ${agent.index}: ${what}` : `agent ${agent.index}`;
}

;// CONCATENATED MODULE: ./src/report/annotations.ts
// The words of annotations: `::warning::`, `::error::`, `::notice::` and
// core.setFailed (an error annotation). An annotation is shown on the run's
// page apart from the log, in the action's own voice, so its words are fixed
// here and never taken from untrusted text (Claude's answer or errors, a
// tool, the machine, a repository, an event). The details go to the log, as
// untrusted text inside the stop-commands window; the annotation points there.
// Pure: no I/O.
/** The one warning for API retries (annotations are limited per step; every retry has its log line). */
const RETRY_ANNOTATION = "Claude's API requests are being retried; see the log for the details. Further retries are in the log only.";
/** The notice for a run that was refused (actor check): who and why are in the log. */
const SKIPPED_ANNOTATION = 'Claude was not started: this event may not start a run. The log says why.';
const CONCLUSIONS = new Set(['success', 'failure', 'cancelled', 'timed-out', 'no-result']);
const CREDENTIAL_INPUTS = new Set(['anthropic-api-key', 'claude-code-oauth-token']);
const WHERE = "The reason is at the end of the log and in the job summary.";
// Reasons that decideOutcome words itself (src/stream/outcome.ts), kept as they are.
const FIXED_REASONS = new Set([
    'the workflow run was cancelled',
    'the run reached timeout-minutes and was stopped',
    'no output for idle-timeout-minutes while no tool was running; the run was stopped',
    'the machine ran out of memory (OOM); choose a larger fly-vm-size or fly-vm-memory-mb',
    'Claude reached the maximum number of turns (max-turns)',
    'Claude reached the budget limit (max-budget-usd)',
    'Claude Code failed during execution',
    'Claude could not produce output matching the JSON schema',
]);
/**
 * The message for core.setFailed (or core.warning with fail-on-error false):
 * `Claude on Fly: <conclusion> — <fixed words>`. The reason is matched
 * against what decideOutcome writes; whatever else it holds (Claude's error
 * line, the machine's setup error, an exception's message) is never copied:
 * it is at the end of the log (the ■ line) and in the job summary.
 */
function failureAnnotation(outcome) {
    const conclusion = CONCLUSIONS.has(outcome.conclusion) ? outcome.conclusion : 'failure';
    return `Claude on Fly: ${conclusion} — ${failureWords(conclusion, String(outcome.reason ?? ''), exitNote(outcome.exitCode))}`;
}
function exitNote(code) {
    return typeof code === 'number' && Number.isSafeInteger(code) ? ` (exit code ${code})` : '';
}
const DEFAULT_WORDS = {
    success: 'Claude finished the task.',
    failure: 'the run failed.',
    cancelled: 'the run was cancelled.',
    'timed-out': 'the run was stopped: it took too long.',
    'no-result': 'Claude Code ended without a result.',
};
function failureWords(conclusion, reason, exit) {
    for (const fixed of FIXED_REASONS) {
        // A note may follow (the machine's account of how Claude ended): it is in the log, not here.
        if (reason === fixed)
            return `${fixed}.`;
        if (reason.startsWith(`${fixed}: `))
            return `${fixed}. ${WHERE}`;
    }
    if (/^Claude Code reported an error\b/.test(reason))
        return `Claude Code reported an error${exit}. Its message is in the log and in the job summary.`;
    if (/^Claude Code ended without a result\b/.test(reason))
        return `Claude Code ended without a result${exit}. ${WHERE}`;
    if (/^Claude Code failed\b/.test(reason))
        return `Claude Code failed${exit}. ${WHERE}`;
    const refused = /^([\w-]+) was refused by the Anthropic API( \(authentication or billing error\))?/.exec(reason);
    if (refused) {
        // The input's name only when it is one of the action's own: the rest of the line is the API's.
        const credential = CREDENTIAL_INPUTS.has(refused[1]) ? refused[1] : 'the Anthropic credential';
        return refused[2]
            ? `${credential} was refused by the Anthropic API (authentication or billing error); the run was stopped at the first refusal.`
            : `${credential} was refused by the Anthropic API. ${WHERE}`;
    }
    return `${DEFAULT_WORDS[conclusion]} ${WHERE}`;
}

;// CONCATENATED MODULE: ./src/report/log.ts
// The live workflow log: what a person reads in the Actions UI while Claude
// works. Renders RunChanges through the LogWriter (so everything is redacted
// and no untrusted text can become a workflow command).
//
// Layout:
// - one group for the session (a short one for a later session);
// - the main thread's narration outside any group, subagent narration
//   prefixed with its label;
// - a start marker line per tool call when it arrives, then ONE group per tool
//   call when it ends (input and output inside, bounded by toolOutput);
//   with toolOutput 'none' the end is a single status line, no group;
// - retries, compaction, permission denials, subagents, hooks, API errors and
//   results as single lines; stderr lines prefixed `stderr │ `;
// - finish(): the final line, then the writer is closed.
// Groups are written whole inside one call, so none is ever left open between
// changes, and they never nest.
/** Below this a tool call's duration is within the transport's batching and is not shown. */
const MIN_SHOWN_DURATION_MS = 1000;


const DEFAULT_MAX_LINES = 200;
const DEFAULT_MAX_BYTES = 20 * 1024;
/** Longest single line we build from an untrusted value (hook output, summaries, ...). */
const SHORT = 300;
const STDERR_PREFIX = 'stderr │ ';
function isRecord(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function prefixLines(text, prefix) {
    return text
        .split(/\r\n|\r|\n/)
        .map((l) => prefix + l)
        .join('\n');
}
class LogRenderer {
    w;
    mode;
    maxLines;
    maxBytes;
    retryWarned = false;
    finished = false;
    constructor(writer, options) {
        this.w = writer;
        this.mode = options.toolOutput;
        this.maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
        this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    }
    change(c) {
        switch (c.type) {
            case 'session':
                this.session(c.init, c.index);
                return;
            case 'narration':
                if (c.text.trim() === '')
                    return;
                this.w.text(c.agentLabel ? prefixLines(c.text, `[${this.oneLine(c.agentLabel, 80)}] `) : c.text);
                return;
            case 'thinking':
                // One dim line: enough to show Claude is thinking, not the whole monologue.
                if (c.text.trim() === '')
                    return;
                this.w.text(`\u001b[2m∴ ${c.agentLabel ? `[${this.oneLine(c.agentLabel, 80)}] ` : ''}thinking: ${this.oneLine(c.text, 160)}\u001b[0m`);
                return;
            case 'tool-start':
                this.w.text(`▸ ${this.callHead(c.call)}`);
                return;
            case 'tool-end':
                this.toolEnd(c.call);
                return;
            case 'subagent':
                this.w.text(this.subagentLine(c));
                return;
            case 'retry':
                this.retry(c.retry);
                return;
            case 'compaction':
                this.w.text(`⟳ context compacted (${c.trigger || 'unknown trigger'}${c.preTokens !== undefined ? `, ${formatTokens(c.preTokens)} tokens before` : ''})`);
                return;
            case 'permission-denied':
                this.w.text(`⛔ permission denied: ${this.oneLine(c.toolName)}${c.message ? ` — ${this.oneLine(c.message)}` : ''}`);
                return;
            case 'hook': {
                const h = c.hook;
                const what = [h.hookEvent, h.hookName].filter(Boolean).join(' ');
                const out = h.output.trim() ? `: ${this.oneLine(h.output, 200)}` : '';
                this.w.text(`↪ hook ${this.oneLine(what) || '(unnamed)'} ${h.subtype.replace(/^hook_/, '')}${h.outcome ? ` (${this.oneLine(h.outcome, 40)})` : ''}${out}`);
                return;
            }
            case 'api-error':
                this.w.text(`✗ API error: ${this.oneLine(c.message, 1000)}`);
                return;
            case 'result':
                this.w.text(this.resultLine(c.result, c.index));
                return;
            case 'text':
                this.w.text(c.text);
                return;
            case 'stderr':
                this.w.text(prefixLines(c.text, STDERR_PREFIX));
                return;
            default:
                return;
        }
    }
    /** The final line; then the writer is closed (any group ends, commands are re-enabled). */
    finish(s, outcome) {
        if (this.finished)
            return;
        this.finished = true;
        this.w.endGroup();
        const reason = outcome.reason ? ` (${this.oneLine(outcome.reason, 500)})` : '';
        const parts = [];
        if (s.numTurns !== undefined)
            parts.push(`${s.numTurns} turn${s.numTurns === 1 ? '' : 's'}`);
        if (s.durationMs !== undefined)
            parts.push(formatDuration(s.durationMs));
        parts.push(`cost ${formatUsd(s.costUsd)} (Claude's estimate)`);
        const u = s.usage;
        parts.push(`tokens in ${formatTokens(u.inputTokens)} / out ${formatTokens(u.outputTokens)} / cache read ${formatTokens(u.cacheReadTokens)} / cache write ${formatTokens(u.cacheWriteTokens)}`);
        if (s.results.length === 0) {
            this.w.text(`■ Claude Code ended without a result: ${this.oneLine(outcome.conclusion, 80)}${reason} · ${parts.join(' · ')}`);
        }
        else {
            const note = s.results.length > 1 ? ` · ${s.results.length} results (totals from the last)` : '';
            this.w.text(`■ Claude Code ${this.oneLine(outcome.conclusion, 80)}${reason} · ${parts.join(' · ')}${note}`);
        }
        this.w.close();
    }
    // --- pieces ---
    /** One line of untrusted text: masked first (so a cut never shows part of a secret), blanks collapsed, bounded. */
    oneLine(s, max = SHORT) {
        const raw = String(s ?? '');
        // Bounded work: far more than fits in max characters is never read.
        const masked = raw.length > max * 4 ? this.w.redactPrefix(raw, max * 4) : this.w.redact(raw);
        return clip(masked.replace(/\s+/g, ' ').trim(), max);
    }
    session(init, index) {
        const sid = init.sessionId ? `session ${init.sessionId.slice(0, 8)}` : 'session ?';
        const model = init.model || 'unknown model';
        if (index > 0) {
            this.w.group(`Claude Code session ${index + 1} · ${model} · ${sid}`, (w) => {
                w.text(`A further session started (usually a background agent that finished after the main turn).`);
                w.text(`model: ${model}\ncwd: ${init.cwd}`);
            });
            return;
        }
        const version = init.claudeCodeVersion ? ` ${init.claudeCodeVersion}` : '';
        this.w.group(`Claude Code${version} · ${model} · ${sid}`, (w) => {
            const mcp = init.mcpServers.length
                ? init.mcpServers.map((m) => `${m.name}: ${m.status}`).join(', ')
                : '(none)';
            const lines = [
                `session:         ${init.sessionId}`,
                `model:           ${model}`,
                `cwd:             ${init.cwd}`,
                `permission mode: ${init.permissionMode || 'default'}`,
                `API key source:  ${init.apiKeySource || 'unknown'}`,
                `tools:           ${init.tools.length ? `${init.tools.join(', ')} (${init.tools.length})` : '(none)'}`,
                `MCP servers:     ${mcp}`,
                `agents:          ${init.agents.join(', ') || '(none)'}`,
            ];
            w.text(lines.join('\n'));
        });
    }
    /** `[3] Bash: npm test` or `[agent 2: explore deps · 5] Read: src/x.ts`. */
    callHead(call) {
        const where = call.agentLabel ? `${this.oneLine(call.agentLabel, 80)} · ${call.seq}` : `${call.seq}`;
        const summary = call.summary ? `: ${this.oneLine(call.summary, 160)}` : '';
        return `[${where}] ${this.oneLine(call.name, 80) || 'tool'}${summary}`;
    }
    toolEnd(call) {
        const status = call.isError ? '✗' : '✓';
        const ms = call.startedAt !== undefined && call.endedAt !== undefined ? call.endedAt - call.startedAt : undefined;
        // Output arrives in reads about a second apart, so shorter durations are not measured: say nothing.
        const duration = ms !== undefined && ms >= MIN_SHOWN_DURATION_MS ? ` (${formatDuration(ms)})` : '';
        const title = `${status} ${this.callHead(call)}${duration}`;
        if (this.mode === 'none') {
            this.w.text(title);
            return;
        }
        this.w.group(title, () => {
            this.w.text('── input ──');
            this.input(call);
            this.w.text(call.isError ? '── output (error) ──' : '── output ──');
            if (call.output === '')
                this.w.text('(no output)');
            else
                this.section(call.output);
        });
    }
    input(call) {
        const input = call.input;
        if (!isRecord(input)) {
            this.section(input === undefined ? '(none)' : this.json(input));
            return;
        }
        const str = (k) => (typeof input[k] === 'string' ? input[k] : undefined);
        const name = call.name;
        if (name === 'Bash' && str('command') !== undefined) {
            const extra = [];
            if (str('description'))
                extra.push(`# ${this.oneLine(str('description'))}`);
            if (input['run_in_background'] === true)
                extra.push('# (in background)');
            if (extra.length)
                this.w.text(extra.join('\n'));
            this.section(`$ ${str('command')}`);
            return;
        }
        if ((name === 'Edit' || name === 'Write') && str('file_path') !== undefined) {
            this.w.text(`file: ${str('file_path')}${input['replace_all'] === true ? ' (replace all)' : ''}`);
            for (const key of ['old_string', 'new_string', 'content']) {
                const v = str(key);
                if (v === undefined)
                    continue;
                this.w.text(`${key}:`);
                this.section(v);
            }
            return;
        }
        this.section(this.json(input));
    }
    /** Pretty JSON; in 'truncated' mode long strings are cut first so the work stays bounded. */
    json(value) {
        const limit = this.mode === 'full' ? Infinity : this.maxBytes;
        const bound = (v, depth) => {
            if (typeof v === 'string') {
                return v.length > limit ? `${this.w.redactPrefix(v, limit)}… (${formatBytes(Buffer.byteLength(v))})` : v;
            }
            if (depth > 20 || typeof v !== 'object' || v === null)
                return v;
            if (Array.isArray(v)) {
                const items = v.length > this.maxLines && limit !== Infinity ? v.slice(0, this.maxLines) : v;
                const out = items.map((x) => bound(x, depth + 1));
                if (items.length < v.length)
                    out.push(`… ${v.length - items.length} more items`);
                return out;
            }
            const out = {};
            for (const [k, x] of Object.entries(v))
                out[k] = bound(x, depth + 1);
            return out;
        };
        try {
            return JSON.stringify(bound(value, 0), null, 2) ?? String(value);
        }
        catch {
            return String(value);
        }
    }
    /** A block of untrusted text, bounded in 'truncated' mode with a note on what was left out. */
    section(text) {
        if (this.mode === 'full') {
            this.w.text(text);
            return;
        }
        const t = truncateLines(text, this.maxLines, this.maxBytes);
        if (t.omittedLines === 0 && t.omittedChars === 0) {
            this.w.text(text);
            return;
        }
        // Cut the raw text, then mask: a secret running past the cut is masked whole.
        this.w.text(this.w.redactPrefix(text, t.text.length));
        this.w.text(`… ${formatCount(t.omittedLines)}${t.omittedLinesExact ? '' : '+'} more line${t.omittedLines === 1 && t.omittedLinesExact ? '' : 's'} (${formatCount(t.omittedChars)} characters) not shown`);
    }
    subagentLine(c) {
        const a = c.agent;
        const label = `agent ${a.index}`;
        const desc = a.description ? `: ${this.oneLine(a.description, 120)}` : '';
        if (c.event === 'started') {
            const kind = [a.subagentType, a.background ? 'background' : ''].filter(Boolean).join(', ');
            return `⇢ ${label} started${desc}${kind ? ` (${this.oneLine(kind, 80)})` : ''}`;
        }
        const summary = c.summary ? ` — ${this.oneLine(c.summary)}` : '';
        if (c.event === 'finished')
            return `⇠ ${label} finished (${this.oneLine(a.status || 'done', 40)})${desc}${summary}`;
        return `· ${label} ${this.oneLine(a.status || 'updated', 40)}${desc}${summary}`;
    }
    retry(r) {
        const http = r.errorStatus !== null ? ` (HTTP ${r.errorStatus})` : '';
        const next = Number.isFinite(r.retryDelayMs) ? `, next attempt in ${formatDuration(r.retryDelayMs)}` : '';
        const line = `API retry ${r.attempt}/${r.maxRetries}: ${this.oneLine(r.error || 'unknown', 80)}${http}${next}`;
        this.w.text(`⚠ ${line}`);
        // Annotations are limited per step: one for the first retry, the rest are log lines. Its words
        // are fixed: the error text is Claude Code's (or whoever answered the API), so it stays in the log line.
        if (!this.retryWarned) {
            this.retryWarned = true;
            this.w.warning(RETRY_ANNOTATION);
        }
    }
    resultLine(r, index) {
        const parts = [`${r.subtype || 'unknown'}${r.isError ? ' (is_error)' : ''}`];
        if (r.numTurns !== undefined)
            parts.push(`${r.numTurns} turn${r.numTurns === 1 ? '' : 's'}`);
        if (r.durationMs !== undefined)
            parts.push(formatDuration(r.durationMs));
        if (index === 0) {
            parts.push(`cost ${formatUsd(r.totalCostUsd)} (Claude's estimate)`);
            if (r.errors.length)
                parts.push(`errors: ${this.oneLine(r.errors.join('; '), 500)}`);
            return `result ${index + 1}: ${parts.join(' · ')}`;
        }
        // A later result (a background agent finished after the main turn) is cumulative: say so, do not add it up.
        parts.push(`session cost so far ${formatUsd(r.totalCostUsd)} (cumulative: includes the earlier result, not added to it)`);
        if (r.errors.length)
            parts.push(`errors: ${this.oneLine(r.errors.join('; '), 500)}`);
        return `result ${index + 1}: ${parts.join(' · ')} — a further result after a late background agent; this is normal`;
    }
}

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./src/report/log-writer.ts
// The ONLY place that writes workflow commands to the log.
//
// The runner executes a line as a command when its trimmed start is
// `::name ...::` or when it holds `##[name ...]` anywhere, on stdout and stderr,
// and it splits lines at LF, CR and CRLF. Untrusted text (anything Claude, a
// tool, a repo or the machine wrote) is therefore always printed inside a
// `::stop-commands::TOKEN` ... `::TOKEN::` window, with a random token made
// here (crypto, 32 hex characters, one per writer = one per run; the runner
// masks tokens over 6 characters, so the token never shows in the log and is
// registered with its masker once). The window stays open across consecutive
// untrusted writes and is closed right before a trusted command (group,
// endgroup, annotation) and by close(): few stop/resume lines, none between
// narration lines.
//
// What goes into a trusted command's own data (group titles, annotation
// messages) is escaped as the toolkit does (% CR LF; properties also : ,), so it
// stays one line and cannot end the command early.
//
// Groups do not nest in the Actions UI: startGroup() closes an open group
// first, and close() closes whatever is open.
//
// Not covered by stop-commands: problem matchers that other steps registered
// still see our lines (as they see any step's output).


/** Longest group title, in characters (the UI shows one line). */
const MAX_TITLE_LENGTH = 200;
/** Longest annotation message, in characters. */
const MAX_ANNOTATION_LENGTH = 4000;
// Names the runner registers; a token equal to one would be refused.
const RESERVED_TOKENS = new Set([
    'set-env', 'set-output', 'save-state', 'add-path', 'add-mask', 'add-matcher', 'remove-matcher',
    'warning', 'error', 'notice', 'debug', 'group', 'endgroup', 'echo', 'stop-commands',
    'internal-set-repo-path', 'pause-logging',
]);
function defaultToken() {
    return (0,external_node_crypto_namespaceObject.randomBytes)(16).toString('hex');
}
/** A token is safe when it cannot be refused, split, or mistaken: word characters only, long. */
function checkToken(token) {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{16,}$/.test(token) || RESERVED_TOKENS.has(token.toLowerCase())) {
        throw new Error('LogWriter: the stop-commands token must be at least 16 characters of [A-Za-z0-9_-]');
    }
    return token;
}
/** Toolkit escaping of command data. */
function escapeData(s) {
    return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
/** Toolkit escaping of command properties. */
function escapeProperty(s) {
    return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
// Line breaks as the runner reads them (StreamReader.ReadLine).
const LINE_BREAK = /\r\n|\r|\n/;
// Controls (except tab), DEL, C1 and the Unicode line/paragraph separators.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
/** `##[` where the UI would take it as one of its own markers (line start, after blanks). */
const LEADING_MARKER = /^(\s*)##\[/;
class LogWriter {
    write;
    redactor;
    token;
    tokenPattern;
    stopped = false;
    groupOpen = false;
    constructor(write, options = {}) {
        this.write = write;
        this.redactor = options.redactor;
        const make = options.newToken ?? defaultToken;
        let token = checkToken(make());
        // The raw stream should not hold a known secret even inside the token (the runner masks the token anyway).
        for (let i = 0; i < 5 && this.redactor && this.redactor.redact(token) !== token; i++)
            token = checkToken(make());
        this.token = token;
        this.tokenPattern = new RegExp(this.token.replace(/-/g, '\\-'), 'gi');
    }
    /** True while a group is open. */
    get inGroup() {
        return this.groupOpen;
    }
    /** Secret values replaced by ***; also used by callers that cut text, so a cut never shows part of a secret. */
    redact(text) {
        const redacted = this.redactor ? this.redactor.redact(text) : text;
        // The token can only be known from our own output; never echo it back (the resume match is case-insensitive).
        return redacted.replace(this.tokenPattern, '***');
    }
    /** redact(text.slice(0, end)), except that a secret running past the cut is masked whole, never shown in part. */
    redactPrefix(text, end) {
        const cut = this.redactor ? this.redactor.redactPrefix(text, end) : text.slice(0, end);
        return cut.replace(this.tokenPattern, '***');
    }
    /**
     * Prints untrusted text verbatim (after redaction), line by line, with
     * command processing stopped. Bare CR counts as a line break, as it does for
     * the runner. An empty string prints one empty line.
     */
    text(untrusted) {
        const text = this.redact(String(untrusted));
        let out = this.stopped ? '' : this.stopLine();
        if (!text.includes('\r') && !text.includes('##[')) {
            // The common case: LF-only text with nothing to defuse is written as it is.
            out += `${text}\n`;
        }
        else {
            for (const line of text.split(LINE_BREAK)) {
                out += (LEADING_MARKER.test(line) ? line.replace(LEADING_MARKER, '$1##［') : line) + '\n';
            }
        }
        this.write(out);
    }
    /** Opens a group (closing an open one first: groups do not nest). */
    startGroup(title) {
        this.endGroup();
        this.command(`::group::${escapeData(this.title(title))}`);
        this.groupOpen = true;
    }
    /** Closes the open group; does nothing when none is open. */
    endGroup() {
        if (!this.groupOpen)
            return;
        this.command('::endgroup::');
        this.groupOpen = false;
    }
    /** A group around body, closed even when body throws. */
    group(title, body) {
        this.startGroup(title);
        try {
            body(this);
        }
        finally {
            this.endGroup();
        }
    }
    warning(message, properties) {
        this.annotation('warning', message, properties);
    }
    notice(message, properties) {
        this.annotation('notice', message, properties);
    }
    error(message, properties) {
        this.annotation('error', message, properties);
    }
    /**
     * Registers a secret with the runner's masker (`::add-mask::`) and with our
     * redactor. Use this instead of core.setSecret once the writer has printed
     * anything: an add-mask inside a stop-commands window would be ignored.
     */
    addMask(secret) {
        if (typeof secret !== 'string' || secret.trim() === '')
            return;
        this.redactor?.add(secret);
        this.command(`::add-mask::${escapeData(secret)}`);
    }
    /** Closes any group and re-enables commands. Safe to call more than once; later text() opens a new window. */
    close() {
        this.endGroup();
        this.resume();
    }
    // --- internals ---
    stopLine() {
        this.stopped = true;
        return `::stop-commands::${this.token}\n`;
    }
    resume() {
        if (!this.stopped)
            return;
        this.stopped = false;
        this.write(`::${this.token}::\n`);
    }
    command(line) {
        this.resume();
        this.write(`${line}\n`);
    }
    annotation(kind, message, properties) {
        const props = [];
        if (properties) {
            for (const [key, value] of Object.entries(properties)) {
                if (value === undefined || value === null || value === '')
                    continue;
                const text = key === 'title' ? this.title(String(value)) : this.redact(String(value));
                props.push(`${key}=${escapeProperty(text)}`);
            }
        }
        // Multi-line messages are fine in an annotation: keep LF (escaped below), make CR a line break too.
        const body = clip(this.redact(String(message)).replace(/\r\n?/g, '\n').replace(CONTROL, ' '), MAX_ANNOTATION_LENGTH);
        const head = props.length ? `${kind} ${props.join(',')}` : kind;
        this.command(`::${head}::${escapeData(body)}`);
    }
    /** One line of untrusted title text: redacted, blanks collapsed, no marker, bounded. */
    title(untrusted) {
        const oneLine = this.redact(String(untrusted))
            .replace(CONTROL, ' ')
            .replace(/[\s\u0085]+/g, ' ')
            .trim()
            .replace(/##\[/g, '##［');
        return clip(oneLine, MAX_TITLE_LENGTH) || '(untitled)';
    }
}

;// CONCATENATED MODULE: ./src/report/pipeline.ts
// The whole pure pipeline in one object: bytes of Claude's stdout and stderr
// in, workflow-log text out (through the injection-safe writer), run state
// kept. The action feeds it from the machine; replay feeds it from a file.
// It lives with the renderer it joins to the stream layer, which knows
// nothing of reports.






class Pipeline {
    state;
    writer;
    log;
    redactor;
    stdoutLines;
    stderrLines;
    emit;
    finished = false;
    constructor(options) {
        this.redactor = options.redactor ?? new Redactor([]);
        this.state = new RunState(options.now ? { now: options.now } : {});
        this.writer = new LogWriter(options.write, { redactor: this.redactor });
        this.log = new LogRenderer(this.writer, { toolOutput: options.toolOutput ?? 'truncated' });
        const onChange = options.onChange;
        this.emit = (change) => {
            this.log.change(change);
            onChange?.(change, this.state);
        };
        const transcript = options.onTranscriptLine;
        this.stdoutLines = new LineSplitter((line, ending) => {
            transcript?.(this.redactor.redact(line), ending);
            if (line.trim() === '')
                return;
            this.state.apply(parseEventLine(line), this.emit);
        });
        this.stderrLines = new LineSplitter((line) => this.state.stderrLine(line, this.emit));
    }
    stdout(chunk) {
        this.stdoutLines.push(chunk);
    }
    stderr(chunk) {
        this.stderrLines.push(chunk);
    }
    /** Flushes last lines without a newline; call once both streams have ended. */
    endStreams() {
        this.stdoutLines.end();
        this.stderrLines.end();
        return this.state.snapshot();
    }
    /** Writes the final line and closes the log (re-enables workflow commands). Idempotent. */
    finish(outcome) {
        const snapshot = this.endStreams();
        if (!this.finished) {
            this.finished = true;
            this.log.finish(snapshot, { conclusion: outcome.conclusion, reason: outcome.reason });
        }
        return snapshot;
    }
}

;// CONCATENATED MODULE: ./src/replay.ts
// `npm run replay -- FILE` (or `-` for stdin): prints exactly what the action
// prints into the workflow log for a saved transcript, streaming in constant
// memory, and writes the job summary to $GITHUB_STEP_SUMMARY when it is set.





const USAGE = 'usage: replay [--tool-output none|truncated|full] FILE   (FILE "-" reads standard input)';
async function replay(argv) {
    let toolOutput = 'truncated';
    const files = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--tool-output') {
            const mode = argv[++i];
            if (mode !== 'none' && mode !== 'truncated' && mode !== 'full') {
                process.stderr.write(`--tool-output must be none, truncated or full\n${USAGE}\n`);
                return 2;
            }
            toolOutput = mode;
        }
        else if (arg === '-h' || arg === '--help') {
            process.stdout.write(`${USAGE}\n`);
            return 0;
        }
        else
            files.push(arg);
    }
    if (files.length !== 1) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
    }
    const file = files[0];
    const redactor = new Redactor([]);
    const pipeline = new Pipeline({ write: (text) => process.stdout.write(text), redactor, toolOutput });
    const input = file === '-' ? process.stdin : (0,external_node_fs_namespaceObject.createReadStream)(file, { highWaterMark: 64 * 1024 });
    try {
        for await (const chunk of input)
            pipeline.stdout(chunk);
    }
    catch (err) {
        process.stderr.write(`replay: cannot read ${file}: ${err.message}\n`);
        return 1;
    }
    const outcome = decideOutcome({ snapshot: pipeline.endStreams() });
    const snapshot = pipeline.finish(outcome);
    const summaryFile = process.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) {
        (0,external_node_fs_namespaceObject.appendFileSync)(summaryFile, `${renderSummary({ snapshot, outcome, redactor, transcriptFile: file === '-' ? undefined : file })}\n`);
    }
    return 0;
}
replay(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
}, (err) => {
    process.stderr.write(`replay: ${err.message}\n`);
    process.exitCode = 1;
});

var __webpack_exports__replay = __webpack_exports__.e;
export { __webpack_exports__replay as replay };
