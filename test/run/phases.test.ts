// Each phase of a run on its own, with its collaborators replaced by the
// project's stand-ins: the Fly emulator (its machines run the image's scripts
// and the scripted claude), the GitHub fake. Each phase has its part of the
// guarantee that a run never leaves a machine behind; one test per phase fails
// when the phase skips that part.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../src/action-state.ts';
import { FlyClient } from '../../src/fly/client.ts';
import { describeEvent } from '../../src/github/event.ts';
import { buildHandover } from '../../src/machine/handover.ts';
import type { CloneTarget } from '../../src/run/checks.ts';
import { destroyCreated } from '../../src/run/end-machine.ts';
import { handOver, HandoverError } from '../../src/run/hand-over.ts';
import { launchMachine } from '../../src/run/launch-machine.ts';
import { reportRun } from '../../src/run/report-run.ts';
import { openRun, type RunContext } from '../../src/run/run-context.ts';
import { streamOutput } from '../../src/run/stream-output.ts';
import { readSettings } from '../../src/settings.ts';
import { FAKE_CLAUDE } from '../e2e/world.ts';
import { startFlyEmulator, type FlyEmulator } from '../fly/emulator.ts';
import { eventInput } from '../github/event-input.ts';
import { git, makeRepo, writePlan } from '../image/harness.ts';

const APP = 'cfa-phases';

describe('the phases of a run', () => {
  let fly: FlyEmulator;
  let client: FlyClient;
  let work: string;
  let serverUrl: string;
  let sha: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cfa-phases-'));
    fly = await startFlyEmulator({ claudeDir: join(FAKE_CLAUDE), agentUser: '', workDir: join(work, 'machines'), apps: [APP], imageEnv: { CFA_LINGER_SECONDS: '2' } });
    client = new FlyClient({ token: fly.token, baseUrl: fly.url });
    const gitBase = join(work, 'git');
    makeRepo(gitBase, 'octo', 'app');
    serverUrl = `file://${gitBase}`;
    sha = git(join(gitBase, 'octo', 'app.git'), ['rev-parse', 'main']);
  });
  afterAll(async () => {
    await client?.close();
    await fly?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** A run's context against the emulator, with action state kept in a map. */
  function context(options: { inputs?: Record<string, string>; cancel?: AbortSignal } = {}): { ctx: RunContext; state: Map<string, string>; log: string[] } {
    const inputs: Record<string, string> = { prompt: 'x', 'anthropic-api-key': 'sk-ant-phases-0123456789', 'fly-api-token': fly.token, 'fly-app': APP, 'fly-api-url': fly.url, image: 'registry.example/cfa:test', ...options.inputs };
    const event = describeEvent(eventInput('push', {}, { sha, serverUrl }));
    const settings = readSettings((n) => inputs[n] ?? '', { defaultRepo: event.defaultRepo, fromFork: false, defaultImage: 'img', promptFileDirs: [work], readFile: () => ({ kind: 'missing' }) });
    const state = new Map<string, string>();
    const store: StateStore = { save: (k, v) => void state.set(k, v), get: (k) => state.get(k) ?? '' };
    const log: string[] = [];
    const ctx = openRun({
      settings,
      event,
      fly: client,
      github: undefined,
      state: store,
      remoteRefs: async () => ({ head: undefined, refs: new Map() }),
      write: (text) => void log.push(text),
      now: Date.now,
      cancel: options.cancel ?? new AbortController().signal,
      transcriptPath: join(mkdtempSync(join(work, 'run-')), 'transcript.jsonl'),
      jobIndex: '',
      workflowToken: false,
    });
    return { ctx, state, log };
  }

  const clones = (): CloneTarget[] => [{ repo: 'octo/app', sha, baseRef: undefined, trustedSha: undefined, what: 'the event\'s commit' }];
  const launchOf = (ctx: RunContext) =>
    launchMachine({ fly: client, settings: ctx.settings, event: ctx.event, state: ctx.deps.state, now: Date.now, signal: ctx.stop.signal, onCreated: (m) => (ctx.record.createdId = m.id) });
  const handOverPlan = (ctx: RunContext, machineId: string, plan: string[]) =>
    handOver({
      fly: client,
      app: APP,
      machineId,
      handover: { ...buildHandover(ctx.settings, serverUrl, clones()), env: { FAKE_CLAUDE_PLAN: writePlan(work, plan) } },
    });

  describe('launch', () => {
    it('tells the run and action state the machine the moment it is created, even when the start is then cancelled', async () => {
      const cancel = new AbortController();
      const { ctx, state } = context({ cancel: cancel.signal });
      const launching = launchMachine({
        fly: client,
        settings: ctx.settings,
        event: ctx.event,
        state: ctx.deps.state,
        now: Date.now,
        signal: ctx.stop.signal,
        onCreated: (m) => {
          ctx.record.createdId = m.id;
          cancel.abort(); // the job is cancelled between the create answer and the start
        },
      });
      await expect(launching).rejects.toThrow();
      expect(ctx.record.createdId).toMatch(/^[0-9a-f]+$/);
      expect(state.get('machine-id')).toBe(ctx.record.createdId);
      expect(state.get('nonce')).toMatch(/^[0-9a-f]{24}$/);
      await destroyCreated(ctx);
      expect(fly.machine(ctx.record.createdId!).state).toBe('destroyed');
    });
  });

  describe('hand over', () => {
    it('a handover that keeps failing throws, so the run goes on to destroy instead of waiting on the machine', async () => {
      const { ctx } = context();
      const launched = await launchOf(ctx);
      const rule = fly.faults.add({ method: 'POST', path: `/v1/apps/${APP}/machines/${launched.machine.id}/exec`, always: true, fault: { kind: 'status', status: 503 } });
      try {
        await expect(handOverPlan(ctx, launched.machine.id, ['out x'])).rejects.toBeInstanceOf(HandoverError);
      } finally {
        rule.remove();
      }
      await destroyCreated(ctx);
      expect(fly.machine(launched.machine.id).state).toBe('destroyed');
    });
  });

  describe('stream', () => {
    it('reads to the end: the exit code and reason the machine recorded', async () => {
      const { ctx, log } = context();
      const launched = await launchOf(ctx);
      await handOverPlan(ctx, launched.machine.id, ['out {"type":"system","subtype":"init","session_id":"s"}', 'exit 3']);
      const end = await streamOutput(ctx, launched.machine.id);
      expect(end).toMatchObject({ exitCode: 3, endReason: 'exited', machineGone: false, setupError: undefined });
      expect(log.join('')).toContain('setup │ cfa: claude exited with code 3');
      await destroyCreated(ctx);
    });

    it('stops reading when the run stops (timeout), so the machine is destroyed at once, not after its run', async () => {
      const { ctx, log } = context();
      const launched = await launchOf(ctx);
      await handOverPlan(ctx, launched.machine.id, ['out started', 'hang']);
      setTimeout(() => ctx.stop.request('timeout'), 500);
      const end = await streamOutput(ctx, launched.machine.id);
      expect(end).toMatchObject({ exitCode: null, endReason: null });
      expect(log.join('')).toContain('Stopping: timeout-minutes reached.');
      expect(fly.machine(launched.machine.id).state).toBe('started');
      await destroyCreated(ctx);
      expect(fly.machine(launched.machine.id).state).toBe('destroyed');
    });
  });

  describe('destroy', () => {
    it('destroys the machine the run created and records it for post; with none created it asks Fly nothing', async () => {
      const { ctx, state } = context();
      const launched = await launchOf(ctx);
      const end = await destroyCreated(ctx);
      expect(fly.machine(launched.machine.id).state).toBe('destroyed');
      expect(state.get('machine-destroyed')).toBe('true');
      expect(end?.events?.length).toBeGreaterThan(0);
      const none = context();
      const before = fly.requests.length;
      expect(await destroyCreated(none.ctx)).toBeUndefined();
      expect(fly.requests.length).toBe(before);
    });
  });

  describe('report', () => {
    it('ends the log (workflow commands back on), closes the transcript, and concludes a cancel as cancelled', async () => {
      const cancel = new AbortController();
      const { ctx, log } = context({ cancel: cancel.signal });
      ctx.pipeline.stdout(Buffer.from('{"type":"system","subtype":"init","session_id":"s1"}\n'));
      cancel.abort();
      const result = await reportRun(ctx, {});
      expect(result.report?.outcome.conclusion).toBe('cancelled');
      expect(result.failed).toBe(true);
      const text = log.join('');
      const token = /::stop-commands::([0-9a-f]{32})/.exec(text)?.[1];
      expect(token).toBeDefined();
      expect(text.trimEnd().endsWith(`::${token}::`)).toBe(true);
      expect(readFileSync(ctx.deps.transcriptPath, 'utf8')).toContain('"session_id":"s1"');
    });
  });
});
