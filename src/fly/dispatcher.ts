// Which undici dispatcher carries the requests: the runner's proxy when the
// usual variables name one (self-hosted runners behind a proxy), else a
// plain keep-alive agent.

import { Agent, EnvHttpProxyAgent } from 'undici';
import type { Dispatcher } from 'undici';

export interface DispatcherChoice {
  kind: 'proxy' | 'direct';
  dispatcher: Dispatcher;
}

function envValue(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name] ?? env[name.toLowerCase()];
  return value && value.trim() !== '' ? value.trim() : undefined;
}

export function chooseDispatcher(env: Record<string, string | undefined>): DispatcherChoice {
  const httpsProxy = envValue(env, 'HTTPS_PROXY');
  const httpProxy = envValue(env, 'HTTP_PROXY');
  if (httpsProxy || httpProxy) {
    const noProxy = envValue(env, 'NO_PROXY');
    return {
      kind: 'proxy',
      // Pass all three, '' for unset, so that undici does not read
      // process.env behind the back of the env we were given.
      dispatcher: new EnvHttpProxyAgent({ httpProxy: httpProxy ?? '', httpsProxy: httpsProxy ?? '', noProxy: noProxy ?? '' }),
    };
  }
  return { kind: 'direct', dispatcher: new Agent({ keepAliveTimeout: 10_000 }) };
}
