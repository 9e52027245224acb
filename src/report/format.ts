// Small formatting helpers shared by the log, the job summary and the PR comment.
// Pure: no I/O.

function isNumber(n: number | undefined | null): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/** 850 ms, 12.3 s, 3m 04s, 1h 02m; 'unknown' without a value. */
export function formatDuration(ms: number | undefined | null): string {
  if (!isNumber(ms) || ms < 0) return 'unknown';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 59.95) return `${seconds.toFixed(1)} s`;
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
export function formatUsd(n: number | undefined | null): string {
  if (!isNumber(n) || n < 0) return 'unknown';
  if (n === 0) return '$0.0000';
  if (n < 0.0001) return '<$0.0001';
  if (n < 1) return `$${n.toFixed(4)}`;
  const [whole = '0', cents = '00'] = n.toFixed(2).split('.');
  return `$${groupDigits(whole)}.${cents}`;
}

/** 12,345 below a million, then 1.2M / 3.4B; 'unknown' without a value. */
export function formatTokens(n: number | undefined | null): string {
  if (!isNumber(n) || n < 0) return 'unknown';
  if (n < 1_000_000) return formatCount(n);
  if (n < 1_000_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  return `${(n / 1_000_000_000).toFixed(1)}B`;
}

/** 512 B, 5.1 KB, 1.2 MB (powers of 1024). */
export function formatBytes(n: number): string {
  if (!isNumber(n) || n < 0) return 'unknown';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

export interface Truncated {
  text: string;
  /** Lines (or the rest of a cut line) not shown; a lower bound when omittedLinesExact is false. */
  omittedLines: number;
  /** False when the rest was too long to count its lines (see COUNT_LINES_WITHIN). */
  omittedLinesExact: boolean;
  /**
   * Characters (UTF-16 code units) not shown. Not bytes: counting the bytes of
   * a multi-MB output would read all of it again just for a note.
   */
  omittedChars: number;
}

/** Cuts a string to at most max characters (not inside a surrogate pair), with an ellipsis when cut. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = Math.max(0, max - 1);
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${s.slice(0, cut)}…`;
}

/** A count with thousands separators: 4,930,200 (toLocaleString is slow on a hot path). */
export function formatCount(n: number): string {
  return groupDigits(String(Math.round(n)));
}

function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Omitted lines are counted within this many characters; past it the count is a lower bound. */
export const COUNT_LINES_WITHIN = 256 * 1024;

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Number of lines in text from `from`: a last line without newline counts, a final newline opens
 * none. Counts within `within` characters only, so a note never costs a pass over megabytes.
 */
function countLines(text: string, from: number, within: number): { count: number; exact: boolean } {
  if (from >= text.length) return { count: 0, exact: true };
  const stop = Math.min(text.length, from + within);
  let count = 0;
  let at = text.indexOf('\n', from);
  while (at >= 0 && at < stop) {
    count++;
    at = text.indexOf('\n', at + 1);
  }
  if (stop < text.length) return { count: Math.max(count, 1), exact: false };
  return { count: text.endsWith('\n') ? count : count + 1, exact: true };
}

/**
 * The first lines of text within maxLines and maxBytes (UTF-8). Work is bounded
 * by what is kept: the rest is only counted (native indexOf).
 * A line longer than the byte budget is cut (never inside a surrogate pair).
 * The kept text has no trailing newline.
 */
export function truncateLines(text: string, maxLines: number, maxBytes: number): Truncated {
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
          const code = text.codePointAt(cut)!;
          const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
          if (used + size > budget) break;
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
