// The runner's secret masker, reimplemented from actions/runner
// (src/Sdk/DTLogging/Logging/SecretMasker.cs, ValueSecret.cs, ValueEncoders.cs and
// the encoder list registered in src/Runner.Common/HostContext.cs).
//
// A registered value is masked together with the encoded forms the runner adds
// (base64 at three byte offsets, JSON / URI / XML escaping, ...). Masking finds
// every occurrence of every secret (overlapping ones too), merges ranges that
// overlap or touch, and replaces each merged range with `***`.

type ValueEncoder = (value: string) => string;

function base64Utf8(value: string, shift = 0): string {
  const bytes = Buffer.from(value, 'utf8');
  return (bytes.length > shift ? bytes.subarray(shift) : bytes).toString('base64');
}

/** Uri.EscapeDataString: everything but RFC 3986 unreserved characters, upper-case hex. */
function uriDataEscape(value: string): string {
  try {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    return ''; // lone surrogate: .NET would substitute; the encoded form is not worth guessing
  }
}

/** Newtonsoft JsonConvert.ToString without the surrounding quotes (default escape handling). */
function jsonStringEscape(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\r':
        out += '\\r';
        break;
      default:
        out += code < 0x20 || code === 0x85 || code === 0x2028 || code === 0x2029 ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
    }
  }
  return out;
}

/** SecurityElement.Escape. */
function xmlDataEscape(value: string): string {
  const table: Record<string, string> = { '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '&': '&amp;' };
  return value.replace(/[<>"'&]/g, (c) => table[c]!);
}

function trimDoubleQuotes(value: string): string {
  return value.length > 8 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : '';
}

function powerShellPreAmpersand(value: string): string {
  if (!value.includes('&')) return '';
  const section = value.includes('&+')
    ? value.slice(0, value.indexOf('&+') + 2)
    : value.slice(0, value.lastIndexOf('&') + 1);
  return section.length >= 6 ? section : '';
}

function powerShellPostAmpersand(value: string): string {
  if (!value.includes('&')) return '';
  let section = '';
  if (value.includes('&+')) {
    const at = value.indexOf('&+') + 2;
    if (value.length > at + 1) section = value.slice(at + 1);
  } else {
    section = value.slice(value.lastIndexOf('&') + 1);
  }
  return section.length >= 6 ? section : '';
}

const VALUE_ENCODERS: readonly ValueEncoder[] = [
  (v) => base64Utf8(v),
  (v) => base64Utf8(v, 1),
  (v) => base64Utf8(v, 2),
  (v) => v.replaceAll('"', '\\"'), // CommandLineArgumentEscape
  (v) => v.replaceAll("'", "''"), // ExpressionStringEscape
  jsonStringEscape,
  uriDataEscape,
  xmlDataEscape,
  trimDoubleQuotes,
  powerShellPreAmpersand,
  powerShellPostAmpersand,
];

export class SecretMasker {
  private readonly originals = new Set<string>();
  private readonly values = new Set<string>();

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /** SecretMasker.AddValue: the value and its encoded forms; empty values are ignored. */
  add(value: string): void {
    if (value === '' || this.originals.has(value)) return;
    this.originals.add(value);
    this.values.add(value);
    for (const encode of VALUE_ENCODERS) {
      const encoded = encode(value);
      if (encoded !== '') this.values.add(encoded);
    }
  }

  /** The values registered with add (not their encodings). */
  get secrets(): string[] {
    return [...this.originals];
  }

  clone(): SecretMasker {
    return new SecretMasker(this.originals);
  }

  mask(input: string): string {
    if (input === '' || this.values.size === 0) return input;
    const ranges: [number, number][] = [];
    for (const value of this.values) {
      for (let at = input.indexOf(value); at >= 0; at = input.indexOf(value, at + 1)) {
        ranges.push([at, at + value.length]);
      }
    }
    if (ranges.length === 0) return input;
    ranges.sort((a, b) => a[0] - b[0]);
    let out = '';
    let cursor = 0;
    let current: [number, number] | undefined;
    const flush = (): void => {
      if (!current) return;
      out += input.slice(cursor, current[0]) + '***';
      cursor = current[1];
    };
    for (const range of ranges) {
      if (current && range[0] <= current[1]) current[1] = Math.max(current[1], range[1]);
      else {
        flush();
        current = [range[0], range[1]];
      }
    }
    flush();
    return out + input.slice(cursor);
  }
}
