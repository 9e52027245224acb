// Replaces known secret values by *** in everything the action writes (log,
// transcript, summary, comment, outputs): core.setSecret only masks the log.
// Besides the raw value it also masks the forms a secret commonly takes in
// tool output: JSON-string escaped, URL-encoded and base64 (at each of the
// three byte alignments, as the runner's own masker does).

export const MASK = '***';

/** Values shorter than this are ignored: masking them would destroy ordinary text. */
export const MIN_SECRET_LENGTH = 4;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** base64 of the value as it appears inside a longer base64 text, for a given byte offset. */
function base64Variant(value: string, shift: number): string {
  const bytes = Buffer.concat([Buffer.alloc(shift), Buffer.from(value, 'utf8')]);
  const b64 = bytes.toString('base64').replace(/=+$/, '');
  // Leading characters hold bits of the padding bytes; trailing ones depend on what follows.
  const start = shift === 0 ? 0 : shift === 1 ? 2 : 3;
  const rest = bytes.length % 3;
  const end = rest === 0 ? b64.length : b64.length - 1;
  return b64.slice(start, end);
}

/** The forms of one secret that are worth masking. */
export function secretVariants(secret: string): string[] {
  const variants = new Set<string>([secret]);
  const json = JSON.stringify(secret).slice(1, -1);
  variants.add(json);
  try {
    variants.add(encodeURIComponent(secret));
  } catch {
    // lone surrogate: no URL form
  }
  for (let shift = 0; shift < 3; shift++) variants.add(base64Variant(secret, shift));
  return [...variants].filter((v) => v.length >= MIN_SECRET_LENGTH);
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly variants = new Set<string>();
  private pattern: RegExp | undefined;
  private dirty = false;
  private longest = 0;

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Registers a secret; blank values and values under 4 characters are ignored. */
  add(secret: string): void {
    if (typeof secret !== 'string' || secret.trim() === '' || secret.length < MIN_SECRET_LENGTH) return;
    if (this.secrets.has(secret)) return;
    this.secrets.add(secret);
    // A multi-line secret also leaks line by line (logs are read per line).
    const parts = [secret, ...secret.split(/\r\n|\r|\n/).map((l) => l.trim())];
    for (const part of parts) {
      if (part.length < MIN_SECRET_LENGTH) continue;
      for (const v of secretVariants(part)) {
        if (!this.variants.has(v)) {
          this.variants.add(v);
          this.dirty = true;
        }
      }
    }
  }

  get size(): number {
    return this.secrets.size;
  }

  /** Length of the longest form masked: a text cut anywhere needs this much look-ahead to be masked safely. */
  get maxLength(): number {
    this.compile();
    return this.longest;
  }

  private compile(): RegExp | undefined {
    if (this.dirty) {
      const sorted = [...this.variants].sort((a, b) => b.length - a.length);
      this.longest = sorted[0]?.length ?? 0;
      // Longest first: the alternation takes the first branch that matches at a position.
      this.pattern = sorted.length ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined;
      this.dirty = false;
    }
    return this.pattern;
  }

  redact(text: string): string {
    if (this.variants.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    const pattern = this.compile();
    if (!pattern) return text;
    pattern.lastIndex = 0;
    // One left-to-right pass; replace() returns the same string when nothing matched.
    return text.replace(pattern, MASK);
  }

  /**
   * redact(text) cut at `end` (an offset in the raw text) without ever showing
   * part of a secret: a secret that starts before the cut is masked whole, even
   * when it runs past it. Reads at most end + maxLength characters.
   */
  redactPrefix(text: string, end: number): string {
    const cutAt = Math.max(0, Math.min(end, text.length));
    const pattern = this.variants.size ? this.compile() : undefined;
    if (!pattern) return text.slice(0, cutAt);
    const window = text.slice(0, cutAt + this.longest);
    let out = '';
    let last = 0;
    for (const m of window.matchAll(pattern)) {
      if (m.index >= cutAt) break;
      out += window.slice(last, m.index) + MASK;
      last = m.index + m[0].length;
    }
    if (last < cutAt) out += window.slice(last, cutAt);
    return out;
  }
}
