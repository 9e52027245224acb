// Runs one fault scenario for real: the bundled action (dist/main, then
// dist/post as the runner would) through the runner harness, against the Fly
// emulator whose machines run the image's scripts and the scripted claude.
// The faults go in through the emulator's fault rules and machine plans, the
// kill through the harness; then the verdicts (verdict.ts) judge what is left.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONCLUSION_TITLE, type Conclusion } from '../../src/stream/outcome.ts';
import { execCommand } from '../e2e/requests.ts';
import { fakePlan } from '../e2e/scripted-claude.ts';
import { prPayload, runBundledAction, startWorld, TOKENS, type World } from '../e2e/world.ts';
import type { FaultRuleSpec, HttpFault } from '../fly/emulator.ts';
import { GITHUB_ACTIONS_BOT } from '../github/fake.ts';
import type { ActionResult, CancelOptions } from '../harness/runner.ts';
import { git, makeRepo, runDir } from '../image/harness.ts';
import { claudeSteps } from './claude-plan.ts';
import { describeScenario, expectedConclusion, type ApiFault, type Call, type KillSignal, type Scenario } from './scenario.ts';
import { findSecrets, judgeTranscript, withoutMaskCommands, type Text } from './verdict.ts';

/**
 * The image's own durations, shortened as its Dockerfile ENV would be: the
 * machine lingers 10 s after the last read, waits 8 s for a handover, and
 * ends on its own 3 s past the run's end (CFA_DEADLINE).
 */
export const IMAGE_ENV = {
  CFA_LINGER_SECONDS: '10',
  CFA_HANDOVER_TIMEOUT: '8',
  CFA_DEADLINE_GRACE_SECONDS: '3',
  CFA_KILL_GRACE_SECONDS: '1',
};
/** The users' own knobs, fractional: the run ends after 1 minute, or 9 s without output. */
export const RUN_INPUTS = { 'timeout-minutes': '1', 'idle-timeout-minutes': '0.15' };
const REPO = 'octo/app';
const BIG_REPO = 'octo/big';

export interface FaultWorld {
  world: World;
  nextPr: number;
  close(): Promise<void>;
}

export async function startFaultWorld(): Promise<FaultWorld> {
  const world = await startWorld({ claude: 'fake', emulator: { imageEnv: IMAGE_ENV } });
  world.github.setUser(TOKENS.github, { ...GITHUB_ACTIONS_BOT, installation: true });
  addBigRepo(world);
  return { world, nextPr: 1, close: () => world.close() };
}

/** octo/big: 16 MiB that does not compress, so a clone takes long enough to be killed in. */
function addBigRepo(world: World): void {
  const gitBase = fileURLToPath(world.serverUrl);
  makeRepo(gitBase, 'octo', 'big', 1);
  const work = join(world.root, 'big-work');
  git(world.root, ['clone', '-q', join(gitBase, 'octo', 'big.git'), work]);
  writeFileSync(join(work, 'big.bin'), randomBytes(16 * 1024 * 1024));
  git(work, ['add', 'big.bin']);
  git(work, ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'big']);
  git(work, ['push', '-q', 'origin', 'HEAD:main']);
}

const EXEC = '/v1/apps/*/machines/*/exec';
const CALL_RULE: Record<Call, Omit<FaultRuleSpec, 'fault'>> = {
  create: { method: 'POST', path: '/v1/apps/*/machines' },
  wait: { method: 'GET', path: '/v1/apps/*/machines/*/wait' },
  get: { method: 'GET', path: '/v1/apps/*/machines/*' },
  handover: { method: 'POST', path: EXEC, body: (b) => execCommand(b)[0] === 'cfa-handover' },
  read: { method: 'POST', path: EXEC, body: (b) => execCommand(b)[0] === 'cfa-read' },
  destroy: { method: 'DELETE', path: '/v1/apps/*/machines/*' },
  list: { method: 'GET', path: '/v1/apps/*/machines' },
};

function ruleOf(f: ApiFault): FaultRuleSpec {
  const fault: HttpFault = f.fault.kind === 'delay' ? { kind: 'delay', ms: f.fault.ms, phase: f.fault.phase } : f.fault;
  return { ...CALL_RULE[f.call], nth: f.nth, count: f.count, always: f.always, fault };
}

export interface ScenarioResult {
  scenario: Scenario;
  description: string;
  leaked: boolean;
  lost: boolean;
  duplicated: boolean;
  wrongConclusion: boolean;
  secretsLeaked: boolean;
  /** What went wrong, one line each (empty when all is well). */
  problems: string[];
  killSent: KillSignal | undefined;
  conclusion: string | undefined;
  durationMs: number;
}

interface MachineView {
  id: string;
  root: string;
  state: string;
  runEnd: number;
}

/** A file of the machine's supervisor (run/cfa/...), '' while it does not exist. */
function machineFile(root: string, name: string): string {
  try {
    return readFileSync(join(runDir(root), name), 'utf8');
  } catch {
    return '';
  }
}

/** Bytes of a channel so far (a stat: polled every 10 ms, and the channel may hold megabytes). */
function channelSize(root: string, name: string): number {
  try {
    return statSync(join(runDir(root), 'channels', name)).size;
  } catch {
    return 0;
  }
}

/** A trigger that holds once `condition` has held for `afterMs`. */
function after(condition: () => boolean, afterMs: number): () => boolean {
  let since: number | undefined;
  return () => {
    if (since === undefined && condition()) since = Date.now();
    return since !== undefined && Date.now() - since >= afterMs;
  };
}

/** The runner's transcript file of a job directory ('' when main never wrote one). */
function runnerTranscript(workDir: string): { text: string; path: string | undefined } {
  const temp = join(workDir, '_temp');
  const dir = existsSync(temp) ? readdirSync(temp).find((d) => d.startsWith('claude-fly-action-')) : undefined;
  const path = dir ? join(temp, dir, 'transcript.jsonl') : undefined;
  return { text: path && existsSync(path) ? readFileSync(path, 'utf8') : '', path };
}

export async function runScenario(fw: FaultWorld, s: Scenario): Promise<ScenarioResult> {
  const { world } = fw;
  const started = Date.now();
  const firstSeq = world.fly.requests.at(-1)?.seq ?? 0;
  const known = new Set(world.fly.machines().map((m) => m.id));
  const ours = (): MachineView[] =>
    world.fly
      .machines()
      .filter((m) => !known.has(m.id))
      .map((m) => ({ id: m.id, root: m.root, state: m.state, runEnd: Number((m.requestedConfig.env as Record<string, string> | undefined)?.CFA_DEADLINE) }));
  const newRequests = () => world.fly.requests.filter((r) => r.seq > firstSeq);
  const serviceSecret = `svc-${randomBytes(12).toString('hex')}`;
  const secrets = [TOKENS.anthropic, TOKENS.github, world.fly.token, serviceSecret];
  const problems: string[] = [];

  world.fly.faults.clear();
  for (const f of s.apiFaults) world.fly.faults.add(ruleOf(f));
  if (s.machine === 'fail-start') world.fly.faults.nextMachines({ failStart: { exitCode: 1 } });

  // The kill: a trigger for its phase (and, where a phase is too short to hit, a slow answer to stretch it).
  let cancel: CancelOptions | undefined;
  if (s.kill) {
    const k = s.kill;
    const machineIs = (state: string) => () => ours().some((m) => machineFile(m.root, 'state').trim() === state);
    const seen = (test: (method: string, path: string) => boolean) => () => newRequests().some((r) => test(r.method, r.path));
    switch (k.phase) {
      case 'before-create':
        cancel = { afterMs: k.afterMs };
        break;
      case 'during-create':
        world.fly.faults.add({ ...CALL_RULE.create, fault: { kind: 'delay', ms: 2000, phase: 'after' } });
        cancel = { poll: after(seen((m, p) => m === 'POST' && /\/machines$/.test(p)), k.afterMs) };
        break;
      case 'cloning':
        cancel = { poll: after(machineIs('setup'), k.afterMs) };
        break;
      case 'streaming':
        cancel = { poll: after(() => ours().some((m) => channelSize(m.root, 'out') > 0), k.afterMs) };
        break;
      case 'final-drain':
        cancel = { poll: after(machineIs('exited'), k.afterMs) };
        break;
      case 'during-destroy':
        world.fly.faults.add({ ...CALL_RULE.destroy, fault: { kind: 'delay', ms: 2000, phase: 'before' } });
        cancel = { poll: after(seen((m) => m === 'DELETE'), k.afterMs) };
        break;
    }
    cancel = { ...cancel, signal: k.signal };
  }

  // A machine that dies (or runs out of memory) once Claude has started writing.
  let killedMachine: string | undefined;
  const deathWatch =
    s.machine === 'dies' || s.machine === 'oom'
      ? setInterval(() => {
          const m = ours().find((v) => channelSize(v.root, 'out') > 0);
          if (!m || killedMachine) return;
          killedMachine = m.id;
          world.fly.faults.kill(m.id, { oom: s.machine === 'oom' });
        }, 10)
      : undefined;

  const pr = fw.nextPr++;
  if (s.pullRequest) world.github.addPull(REPO, { number: pr, state: 'open', headSha: world.repo.main, headRef: `feature-${pr}`, headRepo: REPO });
  const plan = fakePlan(world, claudeSteps(s.seed, s.claude, secrets));
  const workDir = join(world.root, `job-${s.seed}`);
  let run: ActionResult;
  // When the step wrote its last log line (the ■ line, printed once the conclusion is decided), in ms
  // after the call: a kill sent after that cannot change the conclusion.
  const calledAt = Date.now();
  let mainStdout = '';
  let concludedAtMs: number | undefined;
  try {
    run = await runBundledAction(world, {
      workDir,
      onStdout: (chunk: string) => {
        mainStdout += chunk;
        if (concludedAtMs === undefined && mainStdout.includes('■ Claude Code')) concludedAtMs = Date.now() - calledAt;
      },
      inputs: {
        ...RUN_INPUTS,
        env: `${plan.env}\nSERVICE_TOKEN=${serviceSecret}`,
        ...(s.bigClone ? { repos: BIG_REPO } : {}),
      },
      ...(s.pullRequest ? { event: { name: 'pull_request', payload: prPayload(pr, world.repo.main) } } : {}),
      ...(cancel ? { cancel } : {}),
      mainOnly: s.kill?.post === 'never',
      ...(s.kill?.post === 'killed' ? { post: { cancel: { afterMs: s.kill.postKillMs, signal: 'SIGKILL' as const } } } : {}),
    });
  } finally {
    if (deathWatch) clearInterval(deathWatch);
  }
  const killSent = run.main.signalsSent[0]?.signal;
  // A kill sent after the conclusion was written (the run ended sooner than its phase) changes nothing:
  // the step reports what happened. The harness spawns after calledAt, so the comparison is conservative.
  const killedAfterConclusion = killSent !== undefined && concludedAtMs !== undefined && concludedAtMs < (run.main.signalsSent[0]?.atMs ?? 0);

  // Leaks: after post, nothing of this run may live; with no post, each machine must end by its own deadline.
  const postFinished = run.post !== null && run.post.signalsSent.length === 0;
  for (const m of ours()) {
    const graceMs = (Number(IMAGE_ENV.CFA_DEADLINE_GRACE_SECONDS) + Number(IMAGE_ENV.CFA_KILL_GRACE_SECONDS) + 5) * 1000;
    const waitMs = postFinished ? 3000 : Math.max(0, m.runEnd * 1000 + graceMs - Date.now());
    const ended = await world.fly.waitForState(m.id, 'destroyed', waitMs).then(
      () => true,
      () => false,
    );
    if (!ended) problems.push(`leaked: machine ${m.id} is ${world.fly.machine(m.id).state}${postFinished ? ' after post' : ' past its deadline'}`);
  }
  const leaked = problems.length > 0;

  // Lost and duplicated bytes: the runner's transcript against the machine's own.
  const machines = ours();
  const written = machines.map((m) => machineFile(m.root, join('channels', 'out')));
  const runner = runnerTranscript(workDir);
  const wroteOutput = written.filter((t) => t !== '');
  // Read to the end unless the run was cut: a kill, or a machine that died under the reader.
  const complete = killSent === undefined && s.machine !== 'dies' && s.machine !== 'oom';
  const verdict =
    wroteOutput.length > 1
      ? { lost: false, duplicated: true, detail: `${wroteOutput.length} machines ran Claude for one run` }
      : judgeTranscript(wroteOutput[0] ?? '', runner.text, secrets, complete);
  const { lost, duplicated } = verdict;
  if (verdict.detail) problems.push(`${lost ? 'lost' : 'duplicated'}: ${verdict.detail}`);

  // The conclusion the outputs and the summary state, against what was done to the run.
  // A signal that came while Node was still starting, before any of the action's code could catch it,
  // ends the process as a SIGKILL would: it dies of the signal, having written nothing.
  const diedBeforeCode = killSent !== undefined && run.main.signal === killSent && run.main.stdout === '';
  const expected = expectedConclusion(s, diedBeforeCode ? 'SIGKILL' : killedAfterConclusion ? undefined : killSent);
  const conclusion = run.main.outputs.conclusion;
  let wrongConclusion = false;
  if (conclusion !== expected) {
    wrongConclusion = true;
    problems.push(`wrong conclusion: ${conclusion ?? '(none)'}, expected ${expected ?? '(none: killed outright)'}`);
  } else if (expected !== undefined && !run.main.summaryRaw.includes(`Claude Code: ${CONCLUSION_TITLE[expected as Conclusion]}`)) {
    wrongConclusion = true;
    problems.push(`wrong conclusion: the summary does not say ${CONCLUSION_TITLE[expected as Conclusion]}`);
  } else if (expected === undefined && run.main.summaryRaw.includes('Claude Code:')) {
    wrongConclusion = true;
    problems.push('wrong conclusion: a main step killed outright left a summary claiming a conclusion');
  }

  // Secrets: nowhere the action writes, nor in any machine config or other request sent to Fly.
  const texts: Text[] = [];
  for (const [name, step] of [['main', run.main], ['post', run.post]] as const) {
    if (!step) continue;
    texts.push(
      { where: `${name} stdout`, text: withoutMaskCommands(step.stdout) },
      { where: `${name} stderr`, text: step.stderr },
      { where: `${name} summary`, text: step.summaryRaw },
      { where: `${name} outputs`, text: JSON.stringify(step.outputs) },
      { where: `${name} state`, text: JSON.stringify(step.state) },
    );
  }
  texts.push({ where: 'runner transcript', text: runner.text });
  for (const r of newRequests()) {
    if (execCommand(r.body)[0] === 'cfa-handover') continue; // the handover is how credentials reach the machine
    texts.push({ where: `Fly ${r.method} ${r.path}`, text: r.bodyText });
  }
  for (const m of machines) texts.push({ where: `machine ${m.id} config`, text: JSON.stringify(world.fly.machine(m.id).config) });
  if (s.pullRequest) for (const c of world.github.comments.list(REPO, pr)) texts.push({ where: `comment ${c.id}`, text: c.body });
  const leaks = findSecrets(texts, secrets);
  for (const where of leaks) problems.push(`secret leaked: ${where}`);

  world.fly.faults.clear();
  return {
    scenario: s,
    description: describeScenario(s),
    leaked,
    lost,
    duplicated,
    wrongConclusion,
    secretsLeaked: leaks.length > 0,
    problems,
    killSent,
    conclusion,
    durationMs: Date.now() - started,
  };
}
