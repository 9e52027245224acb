// `npm run local`'s settings: a `.env` file (KEY=VALUE lines, # comments),
// parsed by hand, and the check that says exactly which keys are missing.
// Pure: text in, values or a message out.

export const DEFAULT_FLY_API_URL = 'https://api.machines.dev';
export const DEFAULT_REPOS = 'octocat/Hello-World';
export const DEFAULT_PROMPT =
  'Look around this repository: list its top-level files and say in two sentences what it is. Do not change, commit or push anything.';

/** Keys of the .env file, with what each is for (the order of the help text). */
export const REQUIRED_KEYS = ['FLY_API_TOKEN', 'FLY_APP'] as const;
export const ANTHROPIC_KEYS = ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN'] as const;
export const OPTIONAL_KEYS: Readonly<Record<string, string>> = {
  FLY_REGION: 'Fly region(s), e.g. "iad" or "iad, ord" (default: Fly chooses)',
  FLY_API_URL: `Machines API base URL (default: ${DEFAULT_FLY_API_URL})`,
  ANTHROPIC_BASE_URL: "Anthropic API base URL, for a gateway (default: Anthropic's own)",
  IMAGE: "machine image (default: this version's published image)",
  GITHUB_TOKEN: 'token for private repos and the gh CLI on the machine (default: none)',
  REPOS: `repositories to clone (default: ${DEFAULT_REPOS})`,
  PROMPT: 'the task (default: a short read-only look around)',
};

export interface DotEnv {
  values: Record<string, string>;
  /** Lines that are neither KEY=VALUE, a comment nor blank (1-based line numbers). */
  ignored: number[];
}

/**
 * KEY=VALUE per line; blank lines and lines starting with # are skipped; an
 * optional `export ` prefix; values in "double" quotes (\n, \" and \\ escapes)
 * or 'single' quotes (verbatim); unquoted values end at ` #` (a comment) and
 * are trimmed. A later line wins.
 */
export function parseDotEnv(text: string): DotEnv {
  const values: Record<string, string> = {};
  const ignored: number[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      ignored.push(i + 1);
      return;
    }
    values[match[1]!] = parseValue(match[2]!);
  });
  return { values, ignored };
}

function parseValue(rest: string): string {
  const double = /^"((?:[^"\\]|\\.)*)"(?:\s+#.*)?\s*$/.exec(rest);
  if (double) return double[1]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  const single = /^'([^']*)'(?:\s+#.*)?\s*$/.exec(rest);
  if (single) return single[1]!;
  return rest.replace(/(^|\s+)#.*$/, '').trim();
}

export interface LocalConfig {
  flyApiToken: string;
  flyApp: string;
  /** The action input that carries the Anthropic credential, and its value. */
  anthropic: { input: 'anthropic-api-key' | 'claude-code-oauth-token'; key: (typeof ANTHROPIC_KEYS)[number]; value: string };
  flyRegion: string | undefined;
  flyApiUrl: string;
  anthropicBaseUrl: string | undefined;
  image: string | undefined;
  githubToken: string | undefined;
  repos: string;
  prompt: string;
}

export type ConfigCheck = { ok: true; config: LocalConfig } | { ok: false; problems: string[] };

/** The settings from the .env values, or every problem with them (missing keys by name). */
export function checkLocalConfig(values: Record<string, string>): ConfigCheck {
  const get = (key: string): string | undefined => {
    const v = values[key]?.trim();
    return v ? v : undefined;
  };
  const problems: string[] = [];
  for (const key of REQUIRED_KEYS) if (!get(key)) problems.push(`${key} is missing`);
  const anthropic = ANTHROPIC_KEYS.filter((k) => get(k));
  if (anthropic.length === 0) problems.push(`${ANTHROPIC_KEYS.join(' or ')} is missing (one of the two)`);
  if (anthropic.length === 2) problems.push(`${ANTHROPIC_KEYS.join(' and ')} are both set: keep one`);
  if (problems.length > 0) return { ok: false, problems };
  const key = anthropic[0]!;
  return {
    ok: true,
    config: {
      flyApiToken: get('FLY_API_TOKEN')!,
      flyApp: get('FLY_APP')!,
      anthropic: { input: key === 'ANTHROPIC_API_KEY' ? 'anthropic-api-key' : 'claude-code-oauth-token', key, value: get(key)! },
      flyRegion: get('FLY_REGION'),
      flyApiUrl: get('FLY_API_URL') ?? DEFAULT_FLY_API_URL,
      anthropicBaseUrl: get('ANTHROPIC_BASE_URL'),
      image: get('IMAGE'),
      githubToken: get('GITHUB_TOKEN'),
      repos: get('REPOS') ?? DEFAULT_REPOS,
      prompt: get('PROMPT') ?? DEFAULT_PROMPT,
    },
  };
}

/** What to print when the run cannot start: which file, what is wrong, and the keys it takes. */
export function configHelp(envPath: string, problems: readonly string[], fileMissing = false): string {
  return [
    `npm run local cannot start: ${envPath} ${fileMissing ? 'does not exist' : 'is incomplete'}.`,
    ...problems.map((p) => `  - ${p}`),
    '',
    'Required:',
    ...REQUIRED_KEYS.map((k) => `  ${k}=...`),
    `  ${ANTHROPIC_KEYS[0]}=...   or   ${ANTHROPIC_KEYS[1]}=...`,
    'Optional:',
    ...Object.entries(OPTIONAL_KEYS).map(([k, why]) => `  ${k.padEnd(12)} ${why}`),
    '',
    'Nothing was contacted. The run starts a real Fly machine and uses the Anthropic API: it costs a little money.',
  ].join('\n');
}

/** owner/name of the first repository in a REPOS value (for GITHUB_REPOSITORY), if it names one. */
export function firstRepository(repos: string): string | undefined {
  const first = repos.split(/[\n,]/).map((s) => s.trim()).find((s) => s !== '');
  if (!first) return undefined;
  const path = first.replace(/^https?:\/\/[^/]+\//, '').replace(/\.git$/, '').replace(/@.*$/, '');
  return /^[\w.-]+\/[\w.-]+$/.test(path) ? path : undefined;
}
