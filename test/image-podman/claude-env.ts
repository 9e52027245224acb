// What the real Claude Code in the image needs to run against the Messages API
// stand-in on the host: the stand-in's URL and the switches that keep the CLI
// off the network, taken from the host runs' isolation (test/anthropic/claude-cli.ts).
// HOME, PATH and the rest are the machine's own.
import { claudeEnv } from '../anthropic/claude-cli.ts';

const TRAVELS = /^(ANTHROPIC_BASE_URL|DISABLE_\w+|CLAUDE_CODE_DISABLE_\w+|CLAUDE_CODE_IDE_SKIP_AUTO_INSTALL|NO_PROXY|no_proxy)$/;

/** The handover `env` (or the action's `env` input) for Claude in the image. */
export function imageClaudeEnv(baseUrl: string): Record<string, string> {
  return Object.fromEntries(Object.entries(claudeEnv({ baseUrl, home: '/nonexistent' })).filter(([name]) => TRAVELS.test(name)));
}

/** The same as the action's `env` input: NAME=value per line. The URL is not among them: the action sets it from anthropic-base-url. */
export function imageClaudeEnvInput(baseUrl: string): string {
  return Object.entries(imageClaudeEnv(baseUrl))
    .filter(([name]) => name !== 'ANTHROPIC_BASE_URL')
    .map(([name, value]) => `${name}=${value}`)
    .join('\n');
}
