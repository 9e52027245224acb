// The env input: NAME=value lines for Claude's environment on the machine.
// Names the machine sets itself, and names that would move Claude's requests
// or configuration somewhere the action does not choose, are refused.
import { quoteList } from '../input-text.ts';
import type { Problems } from './parse.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `env` names whose values are treated as secrets. */
const SECRET_ENV_NAME = /TOKEN|KEY|SECRET|PASSWORD|CREDENTIAL/i;
/** `env` names the machine sets for Claude itself, and the input that sets each where there is one. */
const RESERVED_ENV: Record<string, string> = {
  ANTHROPIC_API_KEY: 'anthropic-api-key',
  CLAUDE_CODE_OAUTH_TOKEN: 'claude-code-oauth-token',
  GH_TOKEN: 'machine-github-token',
  GITHUB_TOKEN: 'machine-github-token',
  GH_ENTERPRISE_TOKEN: 'machine-github-token',
  GH_HOST: '',
  HOME: '',
  PATH: '',
  USER: '',
  LOGNAME: '',
};
const RESERVED_ENV_PREFIX = /^(CFA_|GIT_CONFIG_(COUNT$|KEY_|VALUE_))/;
/**
 * `env` names that would move Claude's requests (and the credential with them) or its configuration
 * somewhere the action does not choose: a cloned repository must never be able to steer these either.
 */
const ENDPOINT_ENV =
  /^(ANTHROPIC_BASE_URL|ANTHROPIC_AUTH_TOKEN|ANTHROPIC_CUSTOM_HEADERS|ANTHROPIC_\w*_BASE_URL|CLAUDE_CODE_USE_\w+|CLAUDE_CONFIG_DIR|CLAUDE_CODE_ADDITIONAL_DIRECTORIES_CLAUDE_MD)$/;

/** The variables of `text` in their order; everything wrong with it as one problem. */
export function readEnv(text: string, problems: Problems): Record<string, string> {
  const env: Record<string, string> = {};
  const badEnvLines: string[] = [];
  const reservedEnv: string[] = [];
  const endpointEnv: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    const name = eq > 0 ? trimmed.slice(0, eq).trim() : '';
    if (!ENV_NAME.test(name)) badEnvLines.push(trimmed);
    else if (name in RESERVED_ENV || RESERVED_ENV_PREFIX.test(name)) reservedEnv.push(name);
    else if (ENDPOINT_ENV.test(name)) endpointEnv.push(name);
    else env[name] = trimmed.slice(eq + 1);
  }
  const envProblems = [badLinesProblem(badEnvLines), reservedProblem(reservedEnv), endpointProblem(endpointEnv)].filter((p) => p !== undefined);
  if (envProblems.length > 0) problems.add(`${envProblems.join('; ')}.`);
  return env;
}

/** Values of `env` whose names say they are credentials: secrets too, masked and redacted everywhere. */
export function envSecrets(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([name]) => SECRET_ENV_NAME.test(name))
    .map(([, value]) => value);
}

function badLinesProblem(lines: string[]): string | undefined {
  if (lines.length === 0) return undefined;
  return `env ${lines.length === 1 ? 'line' : 'lines'} ${quoteList(lines)} ${lines.length === 1 ? 'is' : 'are'} not NAME=value with a variable name of letters, digits and _`;
}

function reservedProblem(names: string[]): string | undefined {
  if (names.length === 0) return undefined;
  const use = [...new Set(names.map((n) => RESERVED_ENV[n]).filter(Boolean))];
  return `env may not set ${names.join(', ')}: the machine sets ${names.length === 1 ? 'it' : 'them'} for Claude${use.length > 0 ? ` (give ${use.join(', ')} instead)` : ''}`;
}

function endpointProblem(names: string[]): string | undefined {
  if (names.length === 0) return undefined;
  return `env may not set ${names.join(', ')}: ${names.length === 1 ? 'it chooses' : 'they choose'} where Claude sends its requests and credential, or where its configuration comes from (give anthropic-base-url for a gateway)`;
}
