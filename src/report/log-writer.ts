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

import { randomBytes } from 'node:crypto';
import type { Redactor } from '../redact.ts';
import { clip } from './format.ts';

export interface LogWriterOptions {
  redactor?: Redactor;
  /** Source of the stop-commands token (tests); default: 16 random bytes as hex. */
  newToken?: () => string;
}

export interface AnnotationProperties {
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
}

/** Longest group title, in characters (the UI shows one line). */
export const MAX_TITLE_LENGTH = 200;
/** Longest annotation message, in characters. */
export const MAX_ANNOTATION_LENGTH = 4000;

// Names the runner registers; a token equal to one would be refused.
const RESERVED_TOKENS = new Set([
  'set-env', 'set-output', 'save-state', 'add-path', 'add-mask', 'add-matcher', 'remove-matcher',
  'warning', 'error', 'notice', 'debug', 'group', 'endgroup', 'echo', 'stop-commands',
  'internal-set-repo-path', 'pause-logging',
]);

function defaultToken(): string {
  return randomBytes(16).toString('hex');
}

/** A token is safe when it cannot be refused, split, or mistaken: word characters only, long. */
function checkToken(token: string): string {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{16,}$/.test(token) || RESERVED_TOKENS.has(token.toLowerCase())) {
    throw new Error('LogWriter: the stop-commands token must be at least 16 characters of [A-Za-z0-9_-]');
  }
  return token;
}

/** Toolkit escaping of command data. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Toolkit escaping of command properties. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

// Line breaks as the runner reads them (StreamReader.ReadLine).
const LINE_BREAK = /\r\n|\r|\n/;

// Controls (except tab), DEL, C1 and the Unicode line/paragraph separators.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `##[` where the UI would take it as one of its own markers (line start, after blanks). */
const LEADING_MARKER = /^(\s*)##\[/;

export class LogWriter {
  private readonly write: (text: string) => void;
  private readonly redactor: Redactor | undefined;
  private readonly token: string;
  private readonly tokenPattern: RegExp;
  private stopped = false;
  private groupOpen = false;

  constructor(write: (text: string) => void, options: LogWriterOptions = {}) {
    this.write = write;
    this.redactor = options.redactor;
    const make = options.newToken ?? defaultToken;
    let token = checkToken(make());
    // The raw stream should not hold a known secret even inside the token (the runner masks the token anyway).
    for (let i = 0; i < 5 && this.redactor && this.redactor.redact(token) !== token; i++) token = checkToken(make());
    this.token = token;
    this.tokenPattern = new RegExp(this.token.replace(/-/g, '\\-'), 'gi');
  }

  /** True while a group is open. */
  get inGroup(): boolean {
    return this.groupOpen;
  }

  /** Secret values replaced by ***; also used by callers that cut text, so a cut never shows part of a secret. */
  redact(text: string): string {
    const redacted = this.redactor ? this.redactor.redact(text) : text;
    // The token can only be known from our own output; never echo it back (the resume match is case-insensitive).
    return redacted.replace(this.tokenPattern, '***');
  }

  /** redact(text.slice(0, end)), except that a secret running past the cut is masked whole, never shown in part. */
  redactPrefix(text: string, end: number): string {
    const cut = this.redactor ? this.redactor.redactPrefix(text, end) : text.slice(0, end);
    return cut.replace(this.tokenPattern, '***');
  }

  /**
   * Prints untrusted text verbatim (after redaction), line by line, with
   * command processing stopped. Bare CR counts as a line break, as it does for
   * the runner. An empty string prints one empty line.
   */
  text(untrusted: string): void {
    const text = this.redact(String(untrusted));
    let out = this.stopped ? '' : this.stopLine();
    if (!text.includes('\r') && !text.includes('##[')) {
      // The common case: LF-only text with nothing to defuse is written as it is.
      out += `${text}\n`;
    } else {
      for (const line of text.split(LINE_BREAK)) {
        out += (LEADING_MARKER.test(line) ? line.replace(LEADING_MARKER, '$1##［') : line) + '\n';
      }
    }
    this.write(out);
  }

  /** Opens a group (closing an open one first: groups do not nest). */
  startGroup(title: string): void {
    this.endGroup();
    this.command(`::group::${escapeData(this.title(title))}`);
    this.groupOpen = true;
  }

  /** Closes the open group; does nothing when none is open. */
  endGroup(): void {
    if (!this.groupOpen) return;
    this.command('::endgroup::');
    this.groupOpen = false;
  }

  /** A group around body, closed even when body throws. */
  group(title: string, body: (w: LogWriter) => void): void {
    this.startGroup(title);
    try {
      body(this);
    } finally {
      this.endGroup();
    }
  }

  warning(message: string, properties?: AnnotationProperties): void {
    this.annotation('warning', message, properties);
  }

  notice(message: string, properties?: AnnotationProperties): void {
    this.annotation('notice', message, properties);
  }

  error(message: string, properties?: AnnotationProperties): void {
    this.annotation('error', message, properties);
  }

  /**
   * Registers a secret with the runner's masker (`::add-mask::`) and with our
   * redactor. Use this instead of core.setSecret once the writer has printed
   * anything: an add-mask inside a stop-commands window would be ignored.
   */
  addMask(secret: string): void {
    if (typeof secret !== 'string' || secret.trim() === '') return;
    this.redactor?.add(secret);
    this.command(`::add-mask::${escapeData(secret)}`);
  }

  /** Closes any group and re-enables commands. Safe to call more than once; later text() opens a new window. */
  close(): void {
    this.endGroup();
    this.resume();
  }

  // --- internals ---

  private stopLine(): string {
    this.stopped = true;
    return `::stop-commands::${this.token}\n`;
  }

  private resume(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.write(`::${this.token}::\n`);
  }

  private command(line: string): void {
    this.resume();
    this.write(`${line}\n`);
  }

  private annotation(kind: 'warning' | 'notice' | 'error', message: string, properties?: AnnotationProperties): void {
    const props: string[] = [];
    if (properties) {
      for (const [key, value] of Object.entries(properties)) {
        if (value === undefined || value === null || value === '') continue;
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
  private title(untrusted: string): string {
    const oneLine = this.redact(String(untrusted))
      .replace(CONTROL, ' ')
      .replace(/[\s\u0085]+/g, ' ')
      .trim()
      .replace(/##\[/g, '##［');
    return clip(oneLine, MAX_TITLE_LENGTH) || '(untitled)';
  }
}
