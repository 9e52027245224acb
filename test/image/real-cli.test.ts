// The real Claude Code CLI (node_modules/.bin/claude) under the real entrypoint,
// through CFA_CLAUDE. No network: only what the CLI does before calling the API.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  drain,
  handover,
  handoverDoc,
  removeTempDirs,
  repoRoot,
  startEntrypoint,
  tempDir,
  waitForState,
} from './harness.ts';

afterAll(removeTempDirs);

const realClaude = path.join(repoRoot, 'node_modules', '.bin', 'claude');
const isRoot = process.getuid?.() === 0;

async function runReal(claudeArgs: string[]): Promise<Awaited<ReturnType<typeof drain>>> {
  const root = path.join(tempDir('real'), 'root');
  const machine = startEntrypoint(root, { CFA_CLAUDE: realClaude });
  await waitForState(root, 'waiting');
  // A closed loopback port as the API: with a key and no network, the CLI would
  // otherwise spend many seconds in DNS before it gets to refuse.
  const env = { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' };
  expect((await handover(root, handoverDoc({ claude_args: claudeArgs, env }))).code).toBe(0);
  const drained = await drain(root);
  await machine.ended;
  return drained;
}

describe('the real claude CLI through CFA_CLAUDE', () => {
  it('runs it with the supervisor\'s arguments (--version answers without the network)', async () => {
    const drained = await runReal(['--version']);
    expect(drained.channels.out.toString()).toMatch(/^\d+\.\d+\.\d+ \(Claude Code\)\n$/);
    expect(drained.last).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
  });

  it.skipIf(!isRoot)('records its refusal to skip permissions as root as a clear error', async () => {
    const drained = await runReal(['--dangerously-skip-permissions']);
    expect(drained.channels.out.length).toBe(0);
    expect(drained.channels.err.toString()).toMatch(/cannot be used with root/);
    expect(drained.last).toMatchObject({ state: 'exited', reason: 'claude-failed', exit_code: 1 });
    expect(drained.channels.setup.toString()).toMatch(/^cfa: error: claude exited with code 1 without any output/m);
  });
});
