// ORACLE: which lines of an action's output the GitHub Actions runner executes
// as workflow commands. A TypeScript reimplementation (not a copy) of the
// runner's own logic, used by tests as the judge of what our log writer emits.
//
// Read from actions/runner at commit 258d6c857db3519913f7deb6004b60172f8043ae
// (2026-08-17):
//   src/Runner.Common/ActionCommand.cs          TryParseV2, TryParse (legacy), unescaping
//   src/Runner.Worker/ActionCommandManager.cs   registered names, stop-commands / resume,
//                                               token validation, echo
//   src/Runner.Common/ExtensionManager.cs       the command extensions that get registered
//   src/Runner.Worker/Handlers/OutputManager.cs every stdout/stderr line goes to
//                                               TryProcessCommand when it holds "##[" or "::"
//   src/Runner.Sdk/ProcessInvoker.cs            lines come from StreamReader.ReadLine: a line
//                                               ends at "\n", "\r" or "\r\n" (bare CR too)
//   src/Test/L0/Worker/ActionCommandL0.cs, ActionCommandManagerL0.cs (ported in the test)
//
// Two details of .NET that the C# code relies on implicitly:
// - String.TrimStart() trims char.IsWhiteSpace characters (the Unicode White_Space
//   set, which includes U+0085 but, unlike JavaScript's trimStart, not U+FEFF).
// - String.StartsWith(string) / IndexOf(string) are culture-sensitive; the runner
//   runs with ICU, where "completely ignorable" characters (NUL, other controls,
//   zero-width and format characters) are skipped while matching. Mode 'icu'
//   approximates that (the ignorable set below is a close subset of DUCET's);
//   mode 'ordinal' is the code read with ordinal comparisons. Tests should judge
//   with both: a line either one reads as a command must not come from untrusted text.

export interface RunnerCommand {
  command: string;
  data: string;
  properties: Record<string, string>;
}

export type MatchingMode = 'ordinal' | 'icu';

/** Commands registered by the runner's extensions (ExtensionManager), plus stop-commands. */
export const REGISTERED_COMMANDS: readonly string[] = [
  'set-env',
  'set-output',
  'save-state',
  'add-path',
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'warning',
  'error',
  'notice',
  'debug',
  'group',
  'endgroup',
  'echo',
  'stop-commands',
];

const STOP_COMMAND = 'stop-commands';

// --- .NET string semantics -------------------------------------------------

/** char.IsWhiteSpace: Unicode White_Space. */
function isDotnetWhiteSpace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

function dotnetTrimStart(s: string): string {
  let i = 0;
  while (i < s.length && isDotnetWhiteSpace(s.charCodeAt(i))) i++;
  return i === 0 ? s : s.slice(i);
}

function dotnetTrim(s: string): string {
  let end = s.length;
  while (end > 0 && isDotnetWhiteSpace(s.charCodeAt(end - 1))) end--;
  return dotnetTrimStart(s.slice(0, end));
}

/** Completely ignorable under ICU's root collation (approximation of DUCET [.0000.0000.0000]). */
export function isIcuIgnorable(code: number): boolean {
  return (
    (code >= 0x00 && code <= 0x08) ||
    (code >= 0x0e && code <= 0x1f) ||
    (code >= 0x7f && code <= 0x84) ||
    (code >= 0x86 && code <= 0x9f) ||
    code === 0xad ||
    code === 0x34f ||
    code === 0x61c ||
    (code >= 0x180b && code <= 0x180f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2064) ||
    (code >= 0x2066 && code <= 0x206f) ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    code === 0xfeff
  );
}

interface Matcher {
  startsWith(s: string, needle: string): boolean;
  indexOf(s: string, needle: string, from: number): number;
}

const ordinal: Matcher = {
  startsWith: (s, needle) => s.startsWith(needle),
  indexOf: (s, needle, from) => s.indexOf(needle, from),
};

/** Match `needle` (no ignorables in it) at `at`, skipping ignorables in `s`; returns the end or -1. */
function icuMatchAt(s: string, needle: string, at: number): number {
  let i = at;
  for (let k = 0; k < needle.length; k++) {
    while (k > 0 && i < s.length && isIcuIgnorable(s.charCodeAt(i))) i++;
    if (i >= s.length || s.charCodeAt(i) !== needle.charCodeAt(k)) return -1;
    i++;
  }
  return i;
}

const icu: Matcher = {
  startsWith(s, needle) {
    let i = 0;
    while (i < s.length && isIcuIgnorable(s.charCodeAt(i))) i++;
    return icuMatchAt(s, needle, i) >= 0;
  },
  indexOf(s, needle, from) {
    for (let i = from; i < s.length; i++) {
      if (isIcuIgnorable(s.charCodeAt(i))) continue;
      if (icuMatchAt(s, needle, i) >= 0) return i;
    }
    return -1;
  },
};

/**
 * String.Split(sep, count, RemoveEmptyEntries) as .NET (Core) does it: empty
 * pieces are dropped; once count-1 pieces are taken, the rest (after skipping
 * empty pieces) is the last one. count <= 0 means no limit.
 */
function splitRemoveEmpty(s: string, sep: string, count = 0): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    if (count > 0 && out.length === count - 1) {
      // Skip the empty entries that would come next, then the rest is one piece.
      while (s.startsWith(sep, start)) start += sep.length;
      break;
    }
    const at = s.indexOf(sep, start);
    if (at < 0) break;
    const piece = s.slice(start, at);
    if (piece !== '') out.push(piece);
    start = at + sep.length;
  }
  const last = s.slice(start);
  if (last !== '') out.push(last);
  return out;
}

function replaceAll(s: string, from: string, to: string): string {
  return s.split(from).join(to);
}

// Escape tables in the order the runner applies them when unescaping.
const LEGACY_ESCAPES: [string, string][] = [
  [';', '%3B'],
  ['\r', '%0D'],
  ['\n', '%0A'],
  [']', '%5D'],
  ['%', '%25'],
];
const DATA_ESCAPES: [string, string][] = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  ['%', '%25'],
];
const PROPERTY_ESCAPES: [string, string][] = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  [':', '%3A'],
  [',', '%2C'],
  ['%', '%25'],
];

function unescapeWith(table: [string, string][], s: string): string {
  let out = s;
  for (const [token, replacement] of table) out = replaceAll(out, replacement, token);
  return out;
}

// --- parsers ---------------------------------------------------------------

/** Case-insensitive set of command names, like HashSet(StringComparer.OrdinalIgnoreCase). */
export class CommandNames {
  private readonly names = new Set<string>();
  constructor(names: Iterable<string> = []) {
    for (const n of names) this.add(n);
  }
  // OrdinalIgnoreCase folds with invariant upper-casing.
  private static key(name: string): string {
    return name.toUpperCase();
  }
  has(name: string): boolean {
    return this.names.has(CommandNames.key(name));
  }
  add(name: string): void {
    this.names.add(CommandNames.key(name));
  }
  delete(name: string): void {
    this.names.delete(CommandNames.key(name));
  }
}

/** ActionCommand.TryParseV2: `::name k=v,k2=v2::data` at the start after trimming. */
export function parseV2(
  message: string,
  registered: CommandNames,
  mode: MatchingMode = 'ordinal',
): RunnerCommand | undefined {
  if (message === '') return undefined;
  const m = mode === 'icu' ? icu : ordinal;
  const key = '::';
  const msg = dotnetTrimStart(message);
  if (!m.startsWith(msg, key)) return undefined;
  const endIndex = m.indexOf(msg, key, key.length);
  if (endIndex < 0) return undefined;
  const cmdInfo = msg.slice(key.length, endIndex);
  const spaceIndex = cmdInfo.indexOf(' ');
  const name = spaceIndex < 0 ? cmdInfo : cmdInfo.slice(0, spaceIndex);
  if (!registered.has(name)) return undefined;
  const properties: Record<string, string> = {};
  if (spaceIndex > 0) {
    const propertiesStr = dotnetTrim(cmdInfo.slice(spaceIndex + 1));
    for (const propertyStr of splitRemoveEmpty(propertiesStr, ',')) {
      const pair = splitRemoveEmpty(propertyStr, '=', 2);
      if (pair.length === 2) setProperty(properties, pair[0]!, unescapeWith(PROPERTY_ESCAPES, pair[1]!));
    }
  }
  const data = unescapeWith(DATA_ESCAPES, msg.slice(endIndex + key.length));
  return { command: name, data, properties };
}

/** ActionCommand.TryParse (legacy): `##[name k=v;k2=v2]data` anywhere in the line. */
export function parseLegacy(
  message: string,
  registered: CommandNames,
  mode: MatchingMode = 'ordinal',
): RunnerCommand | undefined {
  if (message === '') return undefined;
  const m = mode === 'icu' ? icu : ordinal;
  const prefix = '##[';
  const prefixIndex = m.indexOf(message, prefix, 0);
  if (prefixIndex < 0) return undefined;
  const rbIndex = message.indexOf(']', prefixIndex);
  if (rbIndex < 0) return undefined;
  const cmdIndex = prefixIndex + prefix.length;
  if (rbIndex < cmdIndex) return undefined; // Substring would throw; TryParse catches it
  const cmdInfo = message.slice(cmdIndex, rbIndex);
  const spaceIndex = cmdInfo.indexOf(' ');
  const name = spaceIndex < 0 ? cmdInfo : cmdInfo.slice(0, spaceIndex);
  if (!registered.has(name)) return undefined;
  const properties: Record<string, string> = {};
  if (spaceIndex > 0) {
    for (const propertyStr of splitRemoveEmpty(cmdInfo.slice(spaceIndex + 1), ';')) {
      const pair = splitRemoveEmpty(propertyStr, '=', 2);
      if (pair.length === 2) setProperty(properties, pair[0]!, unescapeWith(LEGACY_ESCAPES, pair[1]!));
    }
  }
  const data = unescapeWith(LEGACY_ESCAPES, message.slice(rbIndex + 1));
  return { command: name, data, properties };
}

/** Properties are a case-insensitive dictionary: a later key replaces an earlier one that differs only in case. */
function setProperty(props: Record<string, string>, key: string, value: string): void {
  const upper = key.toUpperCase();
  for (const k of Object.keys(props)) {
    if (k.toUpperCase() === upper) {
      props[k] = value;
      return;
    }
  }
  props[key] = value;
}

// --- line splitting as StreamReader.ReadLine does it ------------------------

export function readLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) {
      lines.push(text.slice(start, i));
      if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
      start = i + 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

// --- the command manager ----------------------------------------------------

/**
 * The runner's ActionCommandManager for one step: feed it lines (stdout and
 * stderr share it), it returns the command each line executes, if any.
 * An invalid stop token makes the runner throw (the step fails): such a line is
 * returned as a 'stop-commands' command and does not stop anything, so that a
 * judge sees it.
 */
export class CommandManager {
  private readonly registered = new CommandNames(REGISTERED_COMMANDS);
  private stopped = false;
  private stopToken: string | undefined;
  private readonly mode: MatchingMode;

  constructor(mode: MatchingMode = 'ordinal') {
    this.mode = mode;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  processLine(line: string): RunnerCommand | undefined {
    if (line === '') return undefined;
    // OutputManager only hands over lines holding one of the two markers.
    const m = this.mode === 'icu' ? icu : ordinal;
    if (m.indexOf(line, '##[', 0) < 0 && m.indexOf(line, '::', 0) < 0) return undefined;
    const cmd = parseV2(line, this.registered, this.mode) ?? parseLegacy(line, this.registered, this.mode);
    if (cmd === undefined) return undefined;
    if (this.stopped) {
      if (this.stopToken && cmd.command.toUpperCase() === this.stopToken.toUpperCase()) {
        this.registered.delete(this.stopToken);
        this.stopped = false;
        this.stopToken = undefined;
        return cmd;
      }
      return undefined;
    }
    if (cmd.command.toUpperCase() === STOP_COMMAND.toUpperCase()) {
      const token = cmd.data;
      const invalid = token === '' || this.registered.has(token) || token.toUpperCase() === 'PAUSE-LOGGING';
      if (invalid) return cmd; // the runner throws: the command fails, nothing stops
      this.stopToken = token;
      this.stopped = true;
      this.registered.add(token);
      return cmd;
    }
    return cmd;
  }
}

/**
 * Every command the runner would execute for this output (stdout and stderr
 * are parsed the same way with one shared stop state; pass them concatenated
 * in the order the runner would read them), including stop-commands, the
 * resume (its command is the token) and group/endgroup.
 */
export function runnerCommands(output: string, options: { mode?: MatchingMode } = {}): RunnerCommand[] {
  const manager = new CommandManager(options.mode ?? 'ordinal');
  const out: RunnerCommand[] = [];
  for (const line of readLines(output)) {
    const cmd = manager.processLine(line);
    if (cmd) out.push(cmd);
  }
  return out;
}
