// Runs of the scripted claude (test/image/fake-claude): stream-json lines as
// Claude Code writes them (only the fields the action reads) and the plan
// that plays them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { World } from './world.ts';

const SESSION = 'sess-e2e';

export const init = () => ({ type: 'system', subtype: 'init', session_id: SESSION, model: 'claude-test', tools: ['Bash'], cwd: '/w', permissionMode: 'bypassPermissions' });
export const say = (text: string, n = 1) => ({
  type: 'assistant',
  message: { id: `msg_${n}`, type: 'message', role: 'assistant', model: 'claude-test', content: [{ type: 'text', text }], stop_reason: null, usage: { input_tokens: 10, output_tokens: 5 } },
  parent_tool_use_id: null,
  session_id: SESSION,
});
export const toolUse = (id: string, command: string) => ({
  type: 'assistant',
  message: { id: `msg_${id}`, type: 'message', role: 'assistant', model: 'claude-test', content: [{ type: 'tool_use', id, name: 'Bash', input: { command } }], stop_reason: 'tool_use', usage: { input_tokens: 10, output_tokens: 5 } },
  parent_tool_use_id: null,
  session_id: SESSION,
});
export const toolResult = (id: string, content: string) => ({
  type: 'user',
  message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content, is_error: false }] },
  parent_tool_use_id: null,
  session_id: SESSION,
});
export const result = (fields: Record<string, unknown> = {}) => ({
  type: 'result', subtype: 'success', is_error: false, duration_ms: 20, num_turns: 1, session_id: SESSION, total_cost_usd: 0.01,
  usage: { input_tokens: 10, output_tokens: 5 }, result: 'Done.', ...fields,
});

let planCount = 0;
/** A plan for the scripted claude; `{lines}` steps are replaced by a `cat` of those stream-json lines. */
export function fakePlan(world: World, steps: (string | object[])[]): Record<string, string> {
  const n = ++planCount;
  const text = steps.map((step, i) => {
    if (typeof step === 'string') return step;
    const file = join(world.root, `plan-${n}-${i}.jsonl`);
    writeFileSync(file, step.map((l) => `${JSON.stringify(l)}\n`).join(''));
    return `cat ${file}`;
  });
  const plan = join(world.root, `plan-${n}`);
  writeFileSync(plan, `${text.join('\n')}\n`);
  return { env: `FAKE_CLAUDE_PLAN=${plan}` };
}
