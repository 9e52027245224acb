// Issue 13: a cloned repository's own Claude Code configuration. The real entrypoint
// runs the real pinned CLI against the Messages API stand-in on a repository whose
// committed settings redirect the API to a recording listener, run a SessionStart
// hook and an .mcp.json server (each writes a marker), offer a skill and add
// instructions. What reaches the model is read from the stand-in's recorded
// requests (system prompt, messages, tools), what ran from the marker files.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../anthropic/scenario.ts';
import { startMessagesStandIn, type StandIn } from '../anthropic/standin.ts';
import { startGitHttpServer, type GitHttpServer } from './git-http-server.ts';
import { drain, handover, handoverDoc, removeTempDirs, startEntrypoint, tempDir, waitForState } from './harness.ts';
import {
  agentUser,
  makeConfigRepo,
  markerDir,
  startRecordingProxy,
  writeHomeKeepingWrapper,
  writeMcpServer,
  type ConfigRepo,
  type RecordingProxy,
} from './repo-config.ts';

const PROMPT = 'Check the repository configuration and answer briefly.';
// A user of this file's own: a supervisor ending its run kills every process of its
// agent user (kill -1), so runs that share one user (other test files, other
// checkouts on this host) would kill each other's Claude.
const agent = agentUser('cfa-test-rcfg');

let standin: StandIn;
let listener: RecordingProxy;
let gitServer: GitHttpServer;
let marks: string;
let ids: ConfigRepo;
let wrapper: string;

beforeAll(async () => {
  const scenario = parseScenario({ name: 'repo-config', match: PROMPT, steps: [{ text: 'Checked.' }] }, 'repo-config');
  standin = await startMessagesStandIn({ scenarios: [scenario] });
  listener = await startRecordingProxy(standin.url);
  const fixtures = tempDir('repo-config');
  marks = markerDir();
  const base = path.join(fixtures, 'git');
  ids = makeConfigRepo(base, { marks, listener: listener.url, mcpServer: writeMcpServer(path.join(fixtures, 'bin')) });
  gitServer = await startGitHttpServer(base);
  wrapper = writeHomeKeepingWrapper(path.join(fixtures, 'claude-bin'), standin.url);
});

afterAll(async () => {
  await gitServer?.close();
  await listener?.close();
  await standin?.close();
  removeTempDirs();
});

interface Observed {
  /** Every request body the stand-in received, as one JSON text. */
  seenByModel: string;
  /** Marker files written by hooks and MCP servers. */
  markers: string[];
  /** Requests that reached the listener the repository's settings point at. */
  redirected: RecordingProxy['seen'];
  setup: string;
}

/** One run through the entrypoint, with a clean slate of markers and recordings. */
async function runWith(repo: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Observed> {
  for (const file of readdirSync(marks)) rmSync(path.join(marks, file));
  standin.requests.length = 0;
  listener.seen.length = 0;
  const root = path.join(tempDir('repo-config-run'), 'root');
  const machine = startEntrypoint(root, { CFA_CLAUDE: wrapper, CFA_AGENT_USER: agent?.name ?? '' });
  await waitForState(root, 'waiting');
  const doc = handoverDoc({
    prompt: PROMPT,
    github_server_url: gitServer.url,
    fetch_depth: 1,
    repos: [{ repo: 'octo/app', ...repo }],
    ...extra,
  });
  expect((await handover(root, doc)).code).toBe(0);
  const drained = await drain(root, { waitMs: 2000 });
  await machine.ended;
  const setup = drained.channels.setup.toString();
  expect(drained.last, setup + drained.channels.err.toString()).toMatchObject({ state: 'exited', reason: 'exited', exit_code: 0 });
  const observed: Observed = {
    seenByModel: JSON.stringify(standin.requests.map((r) => r.body)),
    markers: readdirSync(marks).sort(),
    redirected: [...listener.seen],
    setup,
  };
  expect(standin.requests.filter((r) => r.kind === 'scenario').length).toBeGreaterThan(0);
  return observed;
}

const phrases = (text: string): string[] => [...new Set(text.match(/PHRASE-[A-Z-]+/g) ?? [])].sort();

describe('a cloned repository\'s Claude Code configuration (real CLI, issue 13)', () => {
  it('by default (no trusted commit) nothing of it takes effect: no redirect, hook, MCP server, skill or instructions', async () => {
    const seen = await runWith({ ref: ids.head });
    expect(seen.redirected).toEqual([]);
    expect(seen.markers).toEqual([]);
    expect(phrases(seen.seenByModel)).toEqual([]);
  });

  it('repo_settings none: instructions come from the trusted commit only, never from the head; no settings', async () => {
    const seen = await runWith({ ref: ids.head, trusted_ref: ids.trusted }, { repo_settings: 'none' });
    expect(phrases(seen.seenByModel)).toEqual(['PHRASE-BASE-CLAUDE-MD', 'PHRASE-BASE-DOT-CLAUDE-MD', 'PHRASE-BASE-RULE']);
    expect(seen.seenByModel).toContain(ids.trusted); // each part names the commit it came from
    expect(seen.redirected).toEqual([]);
    expect(seen.markers).toEqual([]);
  });

  it('repo_settings base: the trusted commit\'s settings, hooks, MCP servers and skills apply; the head\'s do not', async () => {
    const seen = await runWith({ ref: ids.head, trusted_ref: ids.trusted }, { repo_settings: 'base' });
    expect(seen.markers).toEqual(['hook-base', 'mcp-base']);
    expect(seen.redirected.length).toBeGreaterThan(0);
    expect(seen.redirected.every((r) => r.path.startsWith('/base/') && r.hadKey)).toBe(true);
    expect(phrases(seen.seenByModel)).toEqual(['PHRASE-BASE-CLAUDE-MD', 'PHRASE-BASE-DOT-CLAUDE-MD', 'PHRASE-BASE-RULE', 'PHRASE-BASE-SKILL']);
    expect(seen.seenByModel).toContain('mcp__basemcp__marker_tool');
    expect(seen.seenByModel).not.toContain('mcp__headmcp__');
  });

  it('repo_settings base with a trusted commit that has no configuration: the head\'s configuration still does not apply', async () => {
    const seen = await runWith({ ref: ids.head, trusted_ref: ids.plain }, { repo_settings: 'base' });
    expect(seen.redirected).toEqual([]);
    expect(seen.markers).toEqual([]);
    expect(phrases(seen.seenByModel)).toEqual([]);
  });
});
