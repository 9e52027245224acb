import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_ACTIONS_BOT } from '../github/fake.ts';
import { runBundledAction, startWorld, TOKENS, type World } from './world.ts';

describe('explore', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ claude: 'real' });
    world.github.setUser(TOKENS.github, { ...GITHUB_ACTIONS_BOT, installation: true });
  });
  afterAll(async () => {
    await world?.close();
  });
  it('pr', async () => {
    world.github.addPull('octo/app', { number: 7, state: 'open', headSha: world.repo.main, headRef: 'fix', headRepo: 'octo/app' });
    const { main, post } = await runBundledAction(world, {
      prompt: 'Say hello once the API recovers',
      event: { name: 'pull_request', payload: { number: 7, pull_request: { number: 7, head: { sha: world.repo.main, ref: 'fix', repo: { full_name: 'octo/app' } }, base: { ref: 'main', sha: world.repo.main, repo: { full_name: 'octo/app' } } } } },
    });
    console.log(main.stdout.slice(-3000));
    console.log(JSON.stringify(world.github.requests.map((r) => ({ m: r.method, p: r.path, s: r.status, b: r.body })), null, 1));
    console.log(main.outputs, main.state, post?.stdout);
    expect(main.failed).toBe(false);
  });
});
