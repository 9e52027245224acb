// What the scripted claude does in a fault scenario: stream-json lines in
// bursts and quiet spells, with the run's secrets in its tool output and on
// stderr (the action must keep them out of everything it writes), ending the
// way the scenario says. Pure: steps for test/e2e/scripted-claude.ts fakePlan.
import { init, result, say, toolResult, toolUse } from '../e2e/scripted-claude.ts';
import type { ClaudeBehaviour } from './scenario.ts';

/** Bytes of the one big tool output of `big-output`: several 1 MiB reads to drain. */
export const BIG_OUTPUT_BYTES = 4 * 1024 * 1024;

export type PlanStep = string | object[];

/** The narration texts of a scenario (unique per seed, so the log can be searched for them). */
export function narration(seed: number, n: number): string {
  return `Scenario ${seed} step ${n}: looking at greet.js and the failing check.`;
}

export function claudeSteps(seed: number, behaviour: ClaudeBehaviour, secrets: readonly string[]): PlanStep[] {
  const leak = secrets.map((s, i) => `SECRET_${i}=${s}`).join('\n');
  const start: PlanStep[] = [
    [init(), say(narration(seed, 1), 1), toolUse('toolu_env', 'env'), toolResult('toolu_env', `PATH=/usr/bin\n${leak}\nHOME=/home/agent`)],
    `err warning: the key ${secrets[0] ?? ''} was printed on stderr`,
    'sleep 0.4',
    [say(narration(seed, 2), 2), toolUse('toolu_ls', 'ls -la'), toolResult('toolu_ls', Array.from({ length: 40 }, (_, i) => `-rw-r--r-- 1 agent agent ${i * 97} file-${i}.js`).join('\n'))],
  ];
  switch (behaviour) {
    case 'success':
      return [...start, 'sleep 0.8', [say(narration(seed, 3), 3), result({ result: `Done (scenario ${seed}).` })]];
    case 'error-result':
      return [
        ...start,
        'sleep 0.3',
        [result({ subtype: 'error_during_execution', is_error: true, result: '', errors: [`scenario ${seed}: the tool failed`] })],
        'exit 1',
      ];
    case 'crash':
      // Cut mid-line: the machine's transcript ends without a newline, and so must the runner's.
      return [...start, 'sleep 0.3', `partial {"type":"assistant","message":{"id":"msg_cut_${seed}","content":[{"type":"text","text":"cut`, 'crash'];
    case 'silent':
      return [...start, 'hang'];
    case 'big-output': {
      const line = 'x'.repeat(99);
      const body = Array.from({ length: Math.ceil(BIG_OUTPUT_BYTES / 100) }, (_, i) => `${i} ${line}`.slice(0, 99)).join('\n');
      return [...start, [toolUse('toolu_big', 'cat big.log'), toolResult('toolu_big', body), say(narration(seed, 3), 3), result({ result: `Done (scenario ${seed}).` })]];
    }
  }
}
