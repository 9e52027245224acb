// Bad inputs end the step at once with ONE clear error that names the input,
// before anything is spent: not a single request to Fly (main or post), nor
// to the Anthropic API.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundledAction, startWorld, TOKENS, type World } from './world.ts';

describe('end to end: bad inputs', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ claude: 'fake' });
  });
  afterAll(async () => {
    await world?.close();
  });

  const cases: { name: string; input: string; inputs: (w: World) => Record<string, string> }[] = [
    { name: 'missing fly-api-token', input: 'fly-api-token', inputs: () => ({ 'fly-api-token': '' }) },
    { name: 'an unknown machine size', input: 'fly-vm-size', inputs: () => ({ 'fly-vm-size': 'huge-9x' }) },
    { name: 'a negative timeout', input: 'timeout-minutes', inputs: () => ({ 'timeout-minutes': '-5' }) },
    { name: 'a malformed repository', input: 'repos', inputs: () => ({ repos: 'octo/app/extra path' }) },
    {
      name: 'both prompt and prompt-file',
      input: 'prompt-file',
      inputs: (w) => {
        const file = join(w.root, 'prompt.md');
        writeFileSync(file, 'Fix it\n');
        return { 'prompt-file': file };
      },
    },
    { name: 'json-schema that is not JSON', input: 'json-schema', inputs: () => ({ 'json-schema': '{type: object' }) },
    { name: 'json-schema with a misspelt type', input: 'json-schema', inputs: () => ({ 'json-schema': '{"type":"objekt"}' }) },
  ];

  for (const c of cases) {
    it(`${c.name}: one error naming ${c.input}, step failed, no request anywhere`, async () => {
      const flyBefore = world.fly.requests.length;
      const anthropicBefore = world.standin.requests.length;
      const { main, post } = await runBundledAction(world, { inputs: c.inputs(world) });
      expect(main.failed).toBe(true);
      const errors = main.annotations.filter((a) => a.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toContain(c.input);
      expect(errors[0]?.message).toMatch(/^Invalid input/);
      // Nothing was asked of Fly, by main or by post, nor of the Anthropic API.
      expect(world.fly.requests.slice(flyBefore)).toEqual([]);
      expect(world.standin.requests.slice(anthropicBefore)).toEqual([]);
      expect(post?.failed).toBe(false);
      expect(post?.annotations.filter((a) => a.level !== 'notice')).toEqual([]);
      // The secret never shows, even in the error.
      expect(main.log).not.toContain(TOKENS.anthropic);
    });
  }

  it('several bad inputs at once are listed together in one error', async () => {
    const before = world.fly.requests.length;
    const { main } = await runBundledAction(world, { inputs: { 'fly-vm-size': 'tiny', 'idle-timeout-minutes': 'soon' } });
    const errors = main.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('fly-vm-size');
    expect(errors[0]?.message).toContain('idle-timeout-minutes');
    expect(world.fly.requests.length).toBe(before);
  });
});
