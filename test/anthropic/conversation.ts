// Reading a Messages API request body: which conversation it belongs to and how
// far along it is. Pure functions; the stand-in uses them to pick a scripted step.

import type { Scenario } from './scenario.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const REMINDER = /<system-reminder>[\s\S]*?<\/system-reminder>/g;

/** Text of a message's content (string or blocks), text blocks only, system-reminder sections removed. */
export function messageText(content: unknown): string {
  const parts: string[] = [];
  if (typeof content === 'string') parts.push(content);
  else if (Array.isArray(content)) {
    for (const block of content) {
      if (isObject(block) && block.type === 'text' && typeof block.text === 'string') parts.push(block.text);
    }
  }
  return parts
    .map((p) => p.replace(REMINDER, '').trim())
    .filter((p) => p !== '')
    .join('\n');
}

function messages(body: unknown): Json[] {
  if (!isObject(body) || !Array.isArray(body.messages)) return [];
  return body.messages.filter(isObject);
}

/** Text of the first user message: what identifies a conversation. */
export function firstUserText(body: unknown): string {
  const first = messages(body).find((m) => m.role === 'user');
  return first ? messageText(first.content) : '';
}

/** How many assistant messages the request already holds: the index of the step to answer. */
export function assistantTurns(body: unknown): number {
  return messages(body).filter((m) => m.role === 'assistant').length;
}

/** True when the request offers the model at least one tool (side requests such as titles offer none). */
export function offersTools(body: unknown): boolean {
  return isObject(body) && Array.isArray(body.tools) && body.tools.length > 0;
}

/** Names of the tools a request offers. */
export function toolNames(body: unknown): string[] {
  if (!isObject(body) || !Array.isArray(body.tools)) return [];
  return body.tools.filter(isObject).map((t) => (typeof t.name === 'string' ? t.name : ''));
}

/** The scenario whose `match` occurs in the first user message; the longest match wins. */
export function findScenario(scenarios: readonly Scenario[], body: unknown): Scenario | undefined {
  const text = firstUserText(body);
  let best: Scenario | undefined;
  for (const s of scenarios) {
    if (text.includes(s.match) && (!best || s.match.length > best.match.length)) best = s;
  }
  return best;
}
