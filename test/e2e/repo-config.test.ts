// A pull request whose repository carries Claude Code configuration, end to
// end: the bundled action through the runner harness, the Fly emulator whose
// machine runs the real supervisor, and the REAL Claude Code CLI against the
// Messages API stand-in. The PR head's settings point ANTHROPIC_BASE_URL at an
// attacker's listener, run a SessionStart hook and an .mcp.json server (each
// writes a marker), offer a skill and bring instructions; the base has its own.
// What reached the model is read from the stand-in's requests, what ran from
// the markers, what was redirected from the listener.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../anthropic/scenario.ts';
import { makeConfigRepo, markerDir, startRecordingProxy, writeHomeKeepingWrapper, writeMcpServer, type ConfigRepo, type RecordingProxy } from '../image/repo-config.ts';
import { prPayload, runBundledAction, startWorld, TOKENS, type World } from './world.ts';

const PROMPT = 'Review the configuration of this pull request, briefly.';
const REPO = 'octo/cfg';

const phrases = (text: string): string[] => [...new Set(text.match(/PHRASE-[A-Z-]+/g) ?? [])].sort();

describe('end to end: a repository\'s Claude configuration never comes from the PR head (real CLI)', () => {
  let world: World;
  let listener: RecordingProxy;
  let marks: string;
  let ids: ConfigRepo;

  beforeAll(async () => {
    world = await startWorld({ claude: 'real', scenarios: [parseScenario({ name: 'repo-config-e2e', match: PROMPT, steps: [{ text: 'Reviewed.' }] }, 'inline')] });
    world.github.setUser(TOKENS.github, { login: 'github-actions[bot]', id: 41898282, type: 'Bot', installation: true });
    listener = await startRecordingProxy(world.standin.url);
    marks = markerDir();
    ids = makeConfigRepo(world.serverUrl.replace(/^file:\/\//, ''), { marks, listener: listener.url, mcpServer: writeMcpServer(join(world.root, 'mcp-bin')), name: 'cfg' });
    // The machine's claude keeps the HOME the supervisor gives it: its user scope is where trusted material goes.
    writeHomeKeepingWrapper(join(world.root, 'claude-bin'), world.standin.url, { sandbox: process.getuid?.() === 0 });
  });
  afterAll(async () => {
    await listener?.close();
    await world?.close();
  });

  /** A same-repository pull request of octo/cfg: head `head`, base `base`. */
  async function runPr(head: string, base: string, inputs: Record<string, string> = {}) {
    for (const file of readdirSync(marks)) rmSync(join(marks, file));
    listener.seen.length = 0;
    const from = world.standin.requests.length;
    const payload = prPayload(40, head, REPO);
    payload.pull_request.base = { ...payload.pull_request.base, sha: base, repo: { full_name: REPO } };
    const { main } = await runBundledAction(world, {
      prompt: PROMPT,
      event: { name: 'pull_request', payload },
      github: { repository: REPO, sha: head },
      inputs: { comment: 'off', 'fetch-depth': '0', ...inputs },
    });
    expect(main.outputs.conclusion, main.stdout).toBe('success');
    const bodies = world.standin.requests.slice(from).map((r) => r.body);
    return { main, seenByModel: JSON.stringify(bodies), markers: readdirSync(marks).sort(), redirected: [...listener.seen] };
  }

  it('by default: no redirect, hook, MCP server or skill from the head; instructions only from the base', async () => {
    const seen = await runPr(ids.head, ids.trusted);
    expect(seen.redirected).toEqual([]);
    expect(seen.markers).toEqual([]);
    expect(phrases(seen.seenByModel)).toEqual(['PHRASE-BASE-CLAUDE-MD', 'PHRASE-BASE-DOT-CLAUDE-MD', 'PHRASE-BASE-RULE']);
    expect(seen.main.stdout).toContain(`Cloning ${REPO} at ${ids.head} (head of PR #40)`);
  });

  it('repo-settings: base with the files on the base: the base\'s settings apply, the head\'s never', async () => {
    const seen = await runPr(ids.head, ids.trusted, { 'repo-settings': 'base' });
    expect(seen.markers).toEqual(['hook-base', 'mcp-base']);
    expect(seen.redirected.length).toBeGreaterThan(0);
    expect(seen.redirected.every((r) => r.path.startsWith('/base/'))).toBe(true);
    expect(phrases(seen.seenByModel)).toEqual(['PHRASE-BASE-CLAUDE-MD', 'PHRASE-BASE-DOT-CLAUDE-MD', 'PHRASE-BASE-RULE', 'PHRASE-BASE-SKILL']);
  });

  it('repo-settings: base with the files only on the PR head: nothing of them applies', async () => {
    const seen = await runPr(ids.head, ids.plain, { 'repo-settings': 'base' });
    expect(seen.redirected).toEqual([]);
    expect(seen.markers).toEqual([]);
    expect(phrases(seen.seenByModel)).toEqual([]);
  });
});
