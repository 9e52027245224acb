// Messages API wire shapes, after Anthropic's published documentation
// ("Messages", "Streaming Messages", "Errors"). Pure: builds the JSON message
// and the server-sent event sequence for one scripted answer.

import type { AnswerBlock, StopReason, Usage } from './scenario.ts';

export interface WireAnswer {
  id: string;
  model: string;
  content: ResolvedBlock[];
  stopReason: StopReason;
  usage: Usage;
}

export type ResolvedBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Fills in the ids and signatures a scripted block leaves out, deterministically from `seed`. */
export function resolveBlocks(blocks: readonly AnswerBlock[], seed: string): ResolvedBlock[] {
  return blocks.map((b, i) => {
    if (b.type === 'tool_use') return { type: 'tool_use', id: b.id ?? `toolu_${seed}_${i}`, name: b.name, input: b.input };
    if (b.type === 'thinking') return { type: 'thinking', thinking: b.thinking, signature: b.signature ?? `sig_${seed}_${i}` };
    return { type: 'text', text: b.text };
  });
}

/** The non-streaming answer: one Message object. */
export function messageJson(a: WireAnswer): Record<string, unknown> {
  return {
    id: a.id,
    type: 'message',
    role: 'assistant',
    model: a.model,
    content: a.content,
    stop_reason: a.stopReason,
    stop_sequence: null,
    usage: a.usage,
  };
}

/** Splits a string into up to `parts` non-empty pieces (at least one piece, which may be empty). */
export function splitPieces(s: string, parts: number): string[] {
  if (s.length <= 1 || parts <= 1) return [s];
  const size = Math.ceil(s.length / parts);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

function blockEvents(block: ResolvedBlock, index: number): SseEvent[] {
  const start = (content_block: Record<string, unknown>): SseEvent => ({
    event: 'content_block_start',
    data: { type: 'content_block_start', index, content_block },
  });
  const delta = (d: Record<string, unknown>): SseEvent => ({
    event: 'content_block_delta',
    data: { type: 'content_block_delta', index, delta: d },
  });
  const events: SseEvent[] = [];
  if (block.type === 'text') {
    events.push(start({ type: 'text', text: '' }));
    for (const text of splitPieces(block.text, 3)) events.push(delta({ type: 'text_delta', text }));
  } else if (block.type === 'thinking') {
    events.push(start({ type: 'thinking', thinking: '', signature: '' }));
    for (const thinking of splitPieces(block.thinking, 2)) events.push(delta({ type: 'thinking_delta', thinking }));
    events.push(delta({ type: 'signature_delta', signature: block.signature }));
  } else {
    events.push(start({ type: 'tool_use', id: block.id, name: block.name, input: {} }));
    // As documented, the input arrives as partial JSON strings that only parse once joined.
    for (const partial_json of ['', ...splitPieces(JSON.stringify(block.input), 3)]) {
      events.push(delta({ type: 'input_json_delta', partial_json }));
    }
  }
  events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  return events;
}

/** The streaming answer: message_start, ping, the blocks, message_delta, message_stop. */
export function streamEvents(a: WireAnswer): SseEvent[] {
  const startUsage = { ...a.usage, output_tokens: Math.min(1, a.usage.output_tokens) };
  const events: SseEvent[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: { ...messageJson(a), content: [], stop_reason: null, usage: startUsage },
      },
    },
    { event: 'ping', data: { type: 'ping' } },
  ];
  a.content.forEach((block, i) => {
    events.push(...blockEvents(block, i));
    if (i === 0 && a.content.length > 1) events.push({ event: 'ping', data: { type: 'ping' } });
  });
  events.push({
    event: 'message_delta',
    data: { type: 'message_delta', delta: { stop_reason: a.stopReason, stop_sequence: null }, usage: { output_tokens: a.usage.output_tokens } },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

/** One event in SSE framing: `event:` line, `data:` line, blank line. */
export function sseFrame(e: SseEvent): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/** Anthropic's error body: {"type":"error","error":{"type","message"},"request_id"}. */
export function errorJson(type: string, message: string, requestId: string): Record<string, unknown> {
  return { type: 'error', error: { type, message }, request_id: requestId };
}
