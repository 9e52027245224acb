// The 14 step outputs, end to end: the bundled action on an emulated Fly
// machine with the real Claude Code CLI. Expected values come from what the
// run itself produced (the transcript's stream-json, the emulator's machine),
// never from constants.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepResult } from '../harness/runner.ts';
import { addScenarios, runBundledAction, startWorld, type World } from './world.ts';

const OUTPUTS = [
  'conclusion',
  'exit-code',
  'result',
  'cost-usd',
  'machine-cost-usd',
  'num-turns',
  'duration-ms',
  'input-tokens',
  'output-tokens',
  'session-id',
  'machine-id',
  'transcript-file',
  'comment-url',
  'structured-output',
];

const SCHEMA = {
  type: 'object',
  properties: { verdict: { type: 'string', enum: ['safe', 'risky'] }, score: { type: 'number' }, notes: { type: 'array', items: { type: 'string' } } },
  required: ['verdict', 'score'],
};
const STRUCTURED = { verdict: 'risky', score: 0.25, notes: ['touches auth', 'no tests'] };

/** Scenarios of this file only (the shared ones stay loaded). */
const SCENARIOS = [
  {
    name: 'outputs-structured',
    match: 'Classify the risk of the greeting change',
    steps: [
      { text: 'Reading the change.', tools: [{ name: 'Read', input: { file_path: 'greet.js' } }] },
      { tools: [{ name: 'StructuredOutput', input: STRUCTURED }] },
    ],
  },
  {
    name: 'outputs-slow',
    match: 'Think about the greeting for a long time',
    steps: [{ text: 'Thinking it over.', tools: [{ name: 'Read', input: { file_path: 'greet.js' } }] }, { delayMs: 30000, text: 'Too late.' }],
  },
];

type Line = Record<string, unknown>;

function transcript(main: StepResult): Line[] {
  const file = main.outputs['transcript-file'] ?? '';
  expect(existsSync(file)).toBe(true);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);
}

function results(lines: Line[]): Line[] {
  return lines.filter((l) => l.type === 'result');
}

/** Input/output tokens of every model (subagents included) as the session's last result counts them. */
function modelTokens(result: Line): { input: number; output: number } {
  const usage = Object.values((result.modelUsage ?? {}) as Record<string, { inputTokens: number; outputTokens: number }>);
  return { input: usage.reduce((n, u) => n + u.inputTokens, 0), output: usage.reduce((n, u) => n + u.outputTokens, 0) };
}

function expectAllOutputs(main: StepResult): void {
  for (const name of OUTPUTS) expect(main.outputs, `output ${name}`).toHaveProperty(name);
  // Plain decimals, never exponent notation.
  for (const name of ['cost-usd', 'machine-cost-usd', 'num-turns', 'duration-ms', 'input-tokens', 'output-tokens', 'exit-code']) {
    expect(main.outputs[name], name).toMatch(/^(\d+(\.\d+)?)?$/);
  }
}

/** Outputs that follow from the transcript's last result and the machine, whatever the conclusion. */
function expectFiguresFromResult(main: StepResult, world: World, lines: Line[]): Line {
  const last = results(lines).at(-1)!;
  expect(last).toBeDefined();
  expect(Number(main.outputs['cost-usd'])).toBeCloseTo(last.total_cost_usd as number, 10);
  // Cost and modelUsage are session totals in every result; num_turns counts one query's turns (a late
  // background-agent result counts its own), so the session's turns are the sum.
  const turns = results(lines).reduce((n, r) => n + (r.num_turns as number), 0);
  expect(main.outputs['num-turns']).toBe(String(turns));
  expect(main.outputs['session-id']).toBe(last.session_id);
  const init = lines.find((l) => l.type === 'system' && l.subtype === 'init');
  expect(main.outputs['session-id']).toBe(init?.session_id);
  const tokens = modelTokens(last);
  expect(Number(main.outputs['input-tokens'])).toBe(tokens.input);
  expect(Number(main.outputs['output-tokens'])).toBe(tokens.output);
  // The machine the emulator ran, and an estimate of its cost.
  const ids = world.fly.machines().map((m) => m.id);
  expect(ids).toContain(main.outputs['machine-id']);
  expect(Number(main.outputs['machine-cost-usd'])).toBeGreaterThan(0);
  // Wall time as the action saw it: at least Claude Code's own duration.
  expect(Number(main.outputs['duration-ms'])).toBeGreaterThanOrEqual(last.duration_ms as number);
  return last;
}

describe('end to end: step outputs (real Claude Code)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ claude: 'real' });
    await addScenarios(world, SCENARIOS);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('success: all 14 outputs, each matching the run', async () => {
    const { main } = await runBundledAction(world);
    expect(main.failed).toBe(false);
    expectAllOutputs(main);
    const lines = transcript(main);
    const last = expectFiguresFromResult(main, world, lines);
    expect(main.outputs.conclusion).toBe('success');
    expect(main.outputs['exit-code']).toBe('0');
    expect(main.outputs.result).toBe(last.result);
    expect(main.outputs.result).toContain('Fixed the typo in greet.js');
    expect(main.outputs['comment-url']).toBe(''); // a push: no PR to comment on
    expect(main.outputs['structured-output']).toBe('');
    expect(results(lines)).toHaveLength(1);
    expect(world.fly.liveMachineCount()).toBe(0);
  });

  it('failure: error_max_turns sets conclusion failure, the exit code, and the figures', async () => {
    const { main } = await runBundledAction(world, { prompt: 'Keep checking the build until it is green', inputs: { 'max-turns': '2', 'fail-on-error': 'false' } });
    expect(main.failed).toBe(false); // fail-on-error false: a warning, not a failed step
    expectAllOutputs(main);
    const lines = transcript(main);
    const last = expectFiguresFromResult(main, world, lines);
    expect(last.subtype).toBe('error_max_turns');
    expect(main.outputs.conclusion).toBe('failure');
    expect(main.outputs['exit-code']).toMatch(/^[1-9]\d*$/);
    expect(main.annotations.some((a) => a.level === 'warning' && /failure/.test(a.message))).toBe(true);
  });

  it('failure: error_max_budget_usd fails the step (fail-on-error default) and still sets every output', async () => {
    const { main } = await runBundledAction(world, { prompt: 'Run the expensive analysis', inputs: { 'max-budget-usd': '0.01' } });
    expect(main.failed).toBe(true);
    expectAllOutputs(main);
    const lines = transcript(main);
    const last = expectFiguresFromResult(main, world, lines);
    expect(last.subtype).toBe('error_max_budget_usd');
    expect(main.outputs.conclusion).toBe('failure');
    expect(Number(main.outputs['cost-usd'])).toBeGreaterThan(0.01);
  });

  it('two results (a background agent finishing late): the last result counts, its cost once', async () => {
    const { main } = await runBundledAction(world, { prompt: 'Audit the repository in the background' });
    expect(main.failed).toBe(false);
    expectAllOutputs(main);
    const lines = transcript(main);
    const all = results(lines);
    expect(all.length).toBe(2);
    const last = expectFiguresFromResult(main, world, lines);
    // Cost: the session total of the last result, not the sum of both.
    const sum = all.reduce((n, r) => n + (r.total_cost_usd as number), 0);
    expect(Number(main.outputs['cost-usd'])).toBeLessThan(sum);
    expect(Number(main.outputs['num-turns'])).toBeGreaterThan(last.num_turns as number);
    expect(main.outputs.conclusion).toBe('success');
    expect(main.outputs.result).toBe(last.result);
  });

  it('structured output: a --json-schema run answers through the StructuredOutput tool', async () => {
    const { main } = await runBundledAction(world, {
      prompt: 'Classify the risk of the greeting change',
      inputs: { 'json-schema': JSON.stringify(SCHEMA) },
    });
    expect(main.failed).toBe(false);
    expectAllOutputs(main);
    // The CLI offered the tool, with our schema as its input schema.
    const asked = world.standin.requests.filter((r) => r.kind === 'scenario' && r.scenario === 'outputs-structured');
    const tools = (asked[0]?.body as { tools?: { name: string; input_schema?: unknown }[] }).tools ?? [];
    expect(tools.find((t) => t.name === 'StructuredOutput')?.input_schema).toEqual(SCHEMA);
    const lines = transcript(main);
    const last = expectFiguresFromResult(main, world, lines);
    expect(last.structured_output).toEqual(STRUCTURED);
    expect(JSON.parse(main.outputs['structured-output'] ?? '')).toEqual(STRUCTURED);
    expect(main.outputs.conclusion).toBe('success');
    expect(main.summary).toContain('Structured output');
  });

  it('timed out before any result: conclusion timed-out, no result, no Claude figures', async () => {
    const { main } = await runBundledAction(world, {
      prompt: 'Think about the greeting for a long time',
      inputs: { 'timeout-minutes': '0.03', 'fail-on-error': 'false' },
    });
    expectAllOutputs(main);
    const lines = transcript(main);
    expect(results(lines)).toHaveLength(0);
    expect(main.outputs.conclusion).toBe('timed-out');
    expect(main.outputs.result).toBe('');
    expect(main.outputs['cost-usd']).toBe('');
    expect(main.outputs['num-turns']).toBe('');
    expect(main.outputs['structured-output']).toBe('');
    expect(main.outputs['machine-id']).toMatch(/\w+/);
    expect(Number(main.outputs['duration-ms'])).toBeGreaterThan(0);
    expect(world.fly.liveMachineCount()).toBe(0);
  });
});

describe('end to end: step outputs when Claude Code ends without a result (scripted claude)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ claude: 'fake' });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('no result: conclusion no-result, the exit code, what the run saw', async () => {
    const plan = join(world.root, 'no-result.plan');
    const init = { type: 'system', subtype: 'init', session_id: 'sess-no-result-1', model: 'claude-test', tools: [], cwd: '/w', claude_code_version: '2.1.330' };
    const assistant = {
      type: 'assistant',
      session_id: 'sess-no-result-1',
      message: { id: 'msg_1', role: 'assistant', model: 'claude-test', content: [{ type: 'text', text: 'Half way there.' }], usage: { input_tokens: 321, output_tokens: 12 } },
    };
    writeFileSync(plan, [`out ${JSON.stringify(init)}`, `out ${JSON.stringify(assistant)}`, 'err fatal: the process ran out of luck', 'exit 3', ''].join('\n'));
    const { main } = await runBundledAction(world, { inputs: { env: `FAKE_CLAUDE_PLAN=${plan}`, 'fail-on-error': 'false' } });
    expectAllOutputs(main);
    expect(main.outputs.conclusion).toBe('no-result');
    expect(main.outputs['exit-code']).toBe('3');
    expect(main.outputs['session-id']).toBe('sess-no-result-1');
    // What Claude said last is in the summary, labelled; it is not an answer.
    expect(main.outputs.result).toBe('');
    expect(main.summary).toContain('Half way there.');
    expect(main.outputs['input-tokens']).toBe('321');
    expect(main.outputs['output-tokens']).toBe('12');
    expect(main.outputs['cost-usd']).toBe('');
    expect(main.outputs['num-turns']).toBe('');
    expect(main.outputs['structured-output']).toBe('');
    expect(main.summary).toContain('No result');
    expect(world.fly.liveMachineCount()).toBe(0);
  });
});
