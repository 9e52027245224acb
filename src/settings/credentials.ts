// The run's credentials: Anthropic's (one of two kinds), Fly's, and GitHub's.
// Their values are never quoted in a problem.
import { trimmed, type Problems } from './parse.ts';
import type { AnthropicCredential, InputReader, Settings } from './types.ts';

export type CredentialsSection = Pick<Settings, 'anthropic' | 'githubToken' | 'machineGithubToken'> & { flyToken: string };

const TOKEN_INPUTS = ['anthropic-api-key', 'claude-code-oauth-token', 'fly-api-token', 'github-token', 'machine-github-token'];

/** fromFork: the run comes from a fork's pull request, which is why a required secret can be empty. */
export function readCredentials(input: InputReader, problems: Problems, fromFork: boolean): CredentialsSection {
  const get = trimmed(input);
  const forkHint = fromFork
    ? ' This run comes from a pull request from a fork: GitHub does not give repository secrets to such runs (see the README, "Fork pull requests").'
    : '';
  const anthropic = readAnthropicCredential(input, problems, forkHint);
  const flyToken = get('fly-api-token');
  if (!flyToken) problems.add(`fly-api-token is required and is empty.${forkHint}`);
  const githubToken = get('github-token');
  const machineGithubToken = get('machine-github-token') || githubToken;
  for (const name of TOKEN_INPUTS) {
    // A line break would end an HTTP header (or start a workflow command) wherever the token is sent.
    if (/[\x00-\x1f\x7f]/.test(get(name))) problems.add(`${name} holds a line break or another control character; give the token on one line.`);
  }
  return { anthropic, flyToken, githubToken, machineGithubToken };
}

/** Exactly one of anthropic-api-key and claude-code-oauth-token. */
function readAnthropicCredential(input: InputReader, problems: Problems, forkHint: string): AnthropicCredential {
  const apiKey = input('anthropic-api-key').trim();
  const oauth = input('claude-code-oauth-token').trim();
  if (apiKey && oauth) problems.add('anthropic-api-key and claude-code-oauth-token are both set; give one of them.');
  else if (apiKey) return { kind: 'api-key', value: apiKey, input: 'anthropic-api-key' };
  else if (oauth) return { kind: 'oauth-token', value: oauth, input: 'claude-code-oauth-token' };
  else problems.add(`anthropic-api-key or claude-code-oauth-token is required and both are empty.${forkHint}`);
  return { kind: 'api-key', value: '', input: 'anthropic-api-key' };
}
