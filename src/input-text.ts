// Text helpers for input values: how a value is quoted in a problem, and how
// a list or a command line given as one input is split. Pure.

/** A value in a problem: JSON-quoted (line breaks show as \n), and clipped (a huge value must not flood the log). */
export function quote(value: string): string {
  const max = 200;
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

export function quoteList(values: string[]): string {
  const shown = values.slice(0, 3).map(quote).join(', ');
  return values.length > 3 ? `${shown} (and ${values.length - 3} more)` : shown;
}

export function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`;
}

/** Splits a list given one per line and/or separated by commas; blank items and # comments dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !s.startsWith('#'));
}

/** Tool rules, one per line or comma-separated; a comma inside parentheses (Bash(a,b)) stays. */
export function splitToolList(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let item = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if ((ch === ',' && depth === 0) || ch === '\n') {
      items.push(item);
      item = '';
    } else item += ch;
  }
  items.push(item);
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Splits a command line into words the way a POSIX shell would quote them, without expanding anything. */
export function splitArgs(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string)) word += text[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}
