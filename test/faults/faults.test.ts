// The fault suite's own parts (the verdicts can fail; scenarios are seeded and
// cover every fault), and a short deterministic subset of `npm run faults`
// through the bundled action, the harness and the emulator.
import { afterAll, describe, expect, it } from 'vitest';
import { CALLS, CLAUDE_BEHAVIOURS, describeScenario, expectedConclusion, PHASES, scenarioOf, scenarios, type Scenario } from './scenario.ts';
import { failed, runScenarios, tally, tallyLine } from './run.ts';
import { findSecrets, judgeTranscript, redactAll, withoutMaskCommands } from './verdict.ts';
import type { ScenarioResult } from './driver.ts';

const SECRET = 'sk-ant-secret-123';
const machine = `{"a":1}\n{"key":"${SECRET}"}\n{"b":2}\n`;
const runner = `{"a":1}\n{"key":"***"}\n{"b":2}\n`;

describe('judgeTranscript', () => {
  it('equal once the secrets are replaced: nothing lost or duplicated', () => {
    expect(judgeTranscript(machine, runner, [SECRET], true)).toEqual({ lost: false, duplicated: false, detail: undefined });
  });

  it('a prefix is a loss only when the run read to the end', () => {
    const cut = runner.slice(0, 20);
    expect(judgeTranscript(machine, cut, [SECRET], false).lost).toBe(false);
    const verdict = judgeTranscript(machine, cut, [SECRET], true);
    expect(verdict.lost).toBe(true);
    expect(verdict.detail).toMatch(/has 20 of the machine's \d+ characters/);
  });

  it('a line read twice is a duplicate', () => {
    const verdict = judgeTranscript(machine, `{"a":1}\n{"a":1}\n{"key":"***"}\n{"b":2}\n`, [SECRET], true);
    expect(verdict).toMatchObject({ lost: false, duplicated: true });
  });

  it('a line missing from the middle, an unreplaced secret or a newline added to a cut line is a loss', () => {
    expect(judgeTranscript(machine, `{"a":1}\n{"b":2}\n`, [SECRET], false).lost).toBe(true);
    expect(judgeTranscript(machine, machine, [SECRET], true).lost).toBe(true);
    expect(judgeTranscript('{"a":1}\n{"cut', '{"a":1}\n{"cut\n', [], true).lost).toBe(true);
  });

  it('replaces the longest secret first', () => {
    expect(redactAll('token abc123 and abc', ['abc', 'abc123'])).toBe('token *** and ***');
  });
});

describe('findSecrets', () => {
  it('names where each secret was found, ignoring the add-mask commands', () => {
    const stdout = `::add-mask::${SECRET}\nhello\n`;
    expect(findSecrets([{ where: 'stdout', text: withoutMaskCommands(stdout) }], [SECRET])).toEqual([]);
    expect(findSecrets([{ where: 'stdout', text: `${stdout}the key: ${SECRET}\n` }, { where: 'summary', text: 'clean' }], ['x-none', SECRET])).toEqual(['stdout (secret #1)']);
  });
});

describe('scenarios', () => {
  it('are reproducible from their seed', () => {
    expect(scenarios(7, 30)).toEqual(scenarios(7, 30));
    const list = scenarios(7, 30);
    expect(scenarioOf(list[12]!.seed)).toEqual(list[12]);
  });

  it('200 of them cover every call, fault, Claude behaviour, machine fault, and every phase with every signal', () => {
    const list = scenarios(1, 200);
    const faults = list.flatMap((s) => s.apiFaults);
    expect(new Set(faults.map((f) => f.call))).toEqual(new Set(CALLS));
    expect(new Set(faults.map((f) => f.fault.kind))).toEqual(new Set(['status', 'reset', 'lose-response', 'delay']));
    expect(new Set(faults.flatMap((f) => (f.fault.kind === 'status' ? [f.fault.status] : [])))).toEqual(new Set([408, 429, 500, 502, 503]));
    expect(faults.some((f) => f.always)).toBe(true);
    expect(new Set(list.map((s) => s.claude))).toEqual(new Set(CLAUDE_BEHAVIOURS));
    expect(new Set(list.map((s) => s.machine))).toEqual(new Set(['none', 'fail-start', 'dies', 'oom']));
    const kills = list.flatMap((s) => (s.kill ? [s.kill] : []));
    const pairs = new Set(kills.map((k) => `${k.phase} ${k.signal}`));
    expect(pairs).toEqual(new Set(PHASES.flatMap((p) => ['SIGINT', 'SIGTERM', 'SIGKILL'].map((signal) => `${p} ${signal}`))));
    expect(kills.filter((k) => k.phase === 'final-drain').length).toBeGreaterThan(0);
    expect(new Set(kills.map((k) => k.post))).toEqual(new Set(['runs', 'never', 'killed']));
    expect(list.some((s) => s.pullRequest)).toBe(true);
  });

  it('expect the conclusion from what was done to the run', () => {
    const base = scenarioOf(1);
    const plain: Scenario = { ...base, claude: 'success', machine: 'none', apiFaults: [], kill: undefined };
    expect(expectedConclusion(plain, undefined)).toBe('success');
    expect(expectedConclusion(plain, 'SIGINT')).toBe('cancelled');
    expect(expectedConclusion(plain, 'SIGTERM')).toBe('cancelled');
    expect(expectedConclusion(plain, 'SIGKILL')).toBeUndefined();
    expect(expectedConclusion({ ...plain, claude: 'crash' }, undefined)).toBe('no-result');
    expect(expectedConclusion({ ...plain, claude: 'silent' }, undefined)).toBe('timed-out');
    expect(expectedConclusion({ ...plain, claude: 'error-result' }, undefined)).toBe('failure');
    expect(expectedConclusion({ ...plain, machine: 'oom' }, undefined)).toBe('no-result');
    expect(expectedConclusion({ ...plain, machine: 'fail-start' }, undefined)).toBe('failure');
    const down = { call: 'handover' as const, fault: { kind: 'status' as const, status: 503 }, nth: 1, count: 1, always: true };
    expect(expectedConclusion({ ...plain, apiFaults: [down] }, undefined)).toBe('failure');
  });
});

describe('the tally', () => {
  const result = (flags: Partial<ScenarioResult>): ScenarioResult =>
    ({ leaked: false, lost: false, duplicated: false, wrongConclusion: false, secretsLeaked: false, ...flags }) as ScenarioResult;

  it('prints the one line and fails on any count but the first', () => {
    const t = tally([result({}), result({ lost: true }), result({ secretsLeaked: true, leaked: true })]);
    expect(tallyLine(t)).toBe('faults: scenarios: 3, leaked: 1, lost: 1, duplicated: 0, wrong-conclusion: 0, secrets-leaked: 1');
    expect(failed(t)).toBe(true);
    expect(failed(tally([result({}), result({})]))).toBe(false);
  });
});

// One of each kind of trouble, written out (not drawn) so the subset stays the same when the generator changes.
const status = (call: (typeof CALLS)[number], code: number, nth = 1, count = 1) => ({ call, fault: { kind: 'status' as const, status: code }, nth, count, always: false });
const SUBSET: Scenario[] = [
  { seed: 9001, claude: 'success', machine: 'none', apiFaults: [{ call: 'create', fault: { kind: 'lose-response' }, nth: 1, count: 1, always: false }, status('read', 429, 2, 2)], kill: undefined, pullRequest: true, bigClone: false },
  { seed: 9002, claude: 'crash', machine: 'none', apiFaults: [{ call: 'read', fault: { kind: 'reset' }, nth: 1, count: 1, always: false }, status('destroy', 500)], kill: undefined, pullRequest: false, bigClone: false },
  { seed: 9003, claude: 'silent', machine: 'oom', apiFaults: [status('wait', 408)], kill: undefined, pullRequest: false, bigClone: false },
  { seed: 9004, claude: 'success', machine: 'none', apiFaults: [{ call: 'handover', fault: { kind: 'status', status: 503 }, nth: 1, count: 1, always: true }], kill: undefined, pullRequest: false, bigClone: false },
  { seed: 9005, claude: 'success', machine: 'none', apiFaults: [], kill: { phase: 'before-create', signal: 'SIGINT', post: 'runs', postKillMs: 0, afterMs: 150 }, pullRequest: false, bigClone: false },
  { seed: 9006, claude: 'success', machine: 'none', apiFaults: [status('get', 500)], kill: { phase: 'cloning', signal: 'SIGINT', post: 'runs', postKillMs: 0, afterMs: 0 }, pullRequest: false, bigClone: true },
  { seed: 9007, claude: 'big-output', machine: 'none', apiFaults: [], kill: { phase: 'final-drain', signal: 'SIGTERM', post: 'runs', postKillMs: 0, afterMs: 0 }, pullRequest: true, bigClone: false },
  { seed: 9008, claude: 'success', machine: 'none', apiFaults: [{ call: 'list', fault: { kind: 'reset' }, nth: 1, count: 1, always: false }], kill: { phase: 'during-destroy', signal: 'SIGTERM', post: 'runs', postKillMs: 0, afterMs: 100 }, pullRequest: false, bigClone: false },
  { seed: 9009, claude: 'success', machine: 'none', apiFaults: [], kill: { phase: 'streaming', signal: 'SIGKILL', post: 'never', postKillMs: 0, afterMs: 300 }, pullRequest: false, bigClone: false },
  { seed: 9010, claude: 'success', machine: 'none', apiFaults: [], kill: { phase: 'cloning', signal: 'SIGKILL', post: 'killed', postKillMs: 0, afterMs: 0 }, pullRequest: false, bigClone: true },
];

describe('npm run faults, a deterministic subset', () => {
  let results: ScenarioResult[] = [];
  afterAll(() => {
    for (const r of results) if (r.problems.length) console.log(describeScenario(r.scenario), r.problems);
  });

  it('every fault: nothing leaked, lost or duplicated, the true conclusion, no secret anywhere', { timeout: 300_000 }, async () => {
    results = await runScenarios(SUBSET, 3, () => undefined);
    expect(results).toHaveLength(SUBSET.length);
    for (const r of results) expect(r.problems, describeScenario(r.scenario)).toEqual([]);
    expect(tallyLine(tally(results))).toBe(`faults: scenarios: ${SUBSET.length}, leaked: 0, lost: 0, duplicated: 0, wrong-conclusion: 0, secrets-leaked: 0`);
    // The kills really landed (else the subset would test less than it says).
    const bySeed = new Map(results.map((r) => [r.scenario.seed, r]));
    expect(bySeed.get(9005)?.killSent).toBe('SIGINT');
    expect(bySeed.get(9006)?.killSent).toBe('SIGINT');
    expect(bySeed.get(9007)?.killSent).toBe('SIGTERM');
    expect(bySeed.get(9008)?.killSent).toBe('SIGTERM');
    expect(bySeed.get(9009)?.killSent).toBe('SIGKILL');
    expect(bySeed.get(9010)?.killSent).toBe('SIGKILL');
    expect(bySeed.get(9003)?.conclusion).toBe('no-result');
  });
});
