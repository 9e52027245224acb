// Checks more than one end-to-end file makes on a finished run.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { isCreate } from './requests.ts';
import { TOKENS, type World } from './world.ts';

/** Every assistant text of the transcript reaches the log exactly once: nothing lost, nothing repeated. */
export function expectNarrationOnce(stdout: string, transcriptFile: string): void {
  const texts: string[] = [];
  for (const line of readFileSync(transcriptFile, 'utf8').split('\n')) {
    let event: { type?: string; message?: { content?: { type: string; text?: string }[] } };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      continue; // a cut or non-JSON line: shown as text, not narration
    }
    if (event.type !== 'assistant') continue;
    for (const block of event.message?.content ?? []) if (block.type === 'text' && block.text) texts.push(block.text);
  }
  expect(texts.length).toBeGreaterThan(0);
  for (const text of texts) expect(stdout.split(text).length - 1, text).toBe(1);
}

/** No secret in any machine config the action asked for (the handover carries the credentials). */
export function expectNoSecretInCreates(world: World): void {
  for (const r of world.fly.requests.filter(isCreate)) {
    for (const secret of [TOKENS.anthropic, TOKENS.github, world.fly.token]) expect(r.bodyText).not.toContain(secret);
  }
}
