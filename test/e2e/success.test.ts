import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runnerCommands } from '../oracle/runner-commands.ts';
import { isCreate } from './requests.ts';
import { runBundledAction, startWorld, TOKENS, type World } from './world.ts';

describe('end to end: a real Claude Code run on an emulated Fly machine', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ claude: 'real' });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('runs, streams grouped output, reports, and leaves no machine', async () => {
    const { main, post } = await runBundledAction(world);
    if (main.failed) console.log(main.stdout, main.stderr);
    expect(main.failed).toBe(false);
    expect(main.outputs.conclusion).toBe('success');
    expect(main.outputs['exit-code']).toBe('0');
    expect(Number(main.outputs['cost-usd'])).toBeGreaterThan(0);
    expect(main.outputs['machine-id']).toMatch(/\w+/);
    // One group per tool call: Read, Bash, Edit.
    const groups = runnerCommands(main.stdout).filter((c) => c.command === 'group').map((c) => c.data);
    expect(groups.filter((t) => /^✓ \[\d\] (Read|Bash|Edit)/.test(t))).toHaveLength(3);
    expect(main.stdout).toContain('Fixed the typo in greet.js');
    expect(main.summary).toContain('Success');
    // The transcript on the runner is the real stream-json.
    const transcript = readFileSync(main.outputs['transcript-file'] as string, 'utf8');
    expect(transcript.trim().split('\n').map((l) => JSON.parse(l).type)).toContain('result');
    // Nothing secret in the machine's config.
    const create = world.fly.requests.find(isCreate);
    expect(JSON.stringify(create?.body)).not.toContain(TOKENS.anthropic);
    expect(JSON.stringify(create?.body)).not.toContain(TOKENS.github);
    expect(world.fly.liveMachineCount()).toBe(0);
    expect(post?.failed).toBe(false);
  });
});
