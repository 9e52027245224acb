// HTTP fault rules: which request gets which fault. Matching only; the server
// carries the faults out. Pure.
import type { FaultRule, FaultRuleSpec, HttpFault } from './types.ts';

/** `*` = one path segment, `**` = anything; the whole path must match. */
export function pathPattern(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return pattern;
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

class Rule implements FaultRule {
  readonly spec: FaultRuleSpec;
  seen = 0;
  applied = 0;
  removed = false;
  private readonly regex: RegExp;
  private readonly onRemove: (rule: Rule) => void;

  constructor(spec: FaultRuleSpec, onRemove: (rule: Rule) => void) {
    this.spec = spec;
    this.regex = pathPattern(spec.path);
    this.onRemove = onRemove;
  }

  remove(): void {
    this.removed = true;
    this.onRemove(this);
  }

  /** Count the request if it matches; answer the fault when this one is to be faulted. */
  consider(method: string, path: string, body: unknown): HttpFault | undefined {
    if (this.spec.method && this.spec.method.toUpperCase() !== method.toUpperCase()) return undefined;
    if (!this.regex.test(path)) return undefined;
    if (this.spec.body && !this.spec.body(body)) return undefined;
    this.seen += 1;
    const nth = this.spec.nth ?? 1;
    if (this.seen < nth) return undefined;
    if (!this.spec.always && this.seen >= nth + (this.spec.count ?? 1)) return undefined;
    return this.spec.fault;
  }
}

export class FaultRules {
  private list: Rule[] = [];

  add(spec: FaultRuleSpec): FaultRule {
    const rule = new Rule(spec, (r) => {
      this.list = this.list.filter((x) => x !== r);
    });
    this.list.push(rule);
    return rule;
  }

  clear(): void {
    this.list = [];
  }

  rules(): FaultRule[] {
    return [...this.list];
  }

  /** Every rule sees the request (so counts stay true); the first rule that fires wins. */
  match(method: string, path: string, body: unknown): HttpFault | undefined {
    let hit: HttpFault | undefined;
    for (const rule of this.list) {
      const fault = rule.consider(method, path, body);
      if (fault && !hit) {
        hit = fault;
        rule.applied += 1;
      }
    }
    return hit;
  }
}

/** Default `error` text of a faulted status. */
export function defaultFaultError(status: number): string {
  switch (status) {
    case 408:
      return 'request timed out';
    case 429:
      return 'rate limit exceeded';
    case 500:
      return 'internal server error';
    case 502:
      return 'bad gateway';
    case 503:
      return 'service unavailable';
    default:
      return `error ${status}`;
  }
}
