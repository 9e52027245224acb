// Checks the Anthropic credential from the runner before any machine exists,
// so a refused key fails at once and costs no VM time. Only a clear refusal
// (401/403) fails; anything else (network, an API that has no such endpoint,
// an OAuth token we cannot check) lets the run go on.
import { fetch } from 'undici';
import type { AnthropicCredential } from '../settings.ts';

export const DEFAULT_ANTHROPIC_URL = 'https://api.anthropic.com';

export type CredentialVerdict =
  | { status: 'accepted' }
  | { status: 'refused'; message: string }
  | { status: 'unchecked'; why: string };

export async function checkAnthropicCredential(
  credential: AnthropicCredential,
  options: { baseUrl?: string; timeoutMs?: number } = {},
): Promise<CredentialVerdict> {
  if (credential.kind !== 'api-key') {
    return { status: 'unchecked', why: 'OAuth tokens cannot be checked without spending tokens' };
  }
  const base = (options.baseUrl || DEFAULT_ANTHROPIC_URL).replace(/\/+$/, '');
  try {
    const response = await fetch(`${base}/v1/models?limit=1`, {
      headers: { 'x-api-key': credential.value, 'anthropic-version': '2023-06-01' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    if (response.ok) return { status: 'accepted' };
    if (response.status === 401 || response.status === 403) {
      let message = `HTTP ${response.status}`;
      try {
        const body = JSON.parse(text) as { error?: { type?: string; message?: string } };
        if (body.error?.message) message = `${body.error.type ?? 'error'}: ${body.error.message}`;
      } catch {
        // not JSON: keep the status
      }
      return { status: 'refused', message };
    }
    return { status: 'unchecked', why: `the check answered HTTP ${response.status}` };
  } catch (err) {
    return { status: 'unchecked', why: `the check failed: ${(err as Error).message}` };
  }
}
