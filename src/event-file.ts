// The runner's event file (GITHUB_EVENT_PATH), read once, when this module is
// first imported. The entry points import it before anything that imports
// @actions/github: that package parses the same file on import and throws on
// one that is not JSON (or is a directory), which would end the step with a
// stack trace before the action could say what is wrong. So a file that
// cannot be used is hidden from it here, and the settings report it.
import { readFileSync } from 'node:fs';
import type { EventFile } from './github/event.ts';

export function readEventFile(path: string | undefined): EventFile {
  if (!path) return { kind: 'absent', path: undefined };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'absent', path };
    return { kind: 'broken', path, reason: code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? (err as Error).message})` };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return { kind: 'broken', path, reason: 'is not JSON' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { kind: 'broken', path, reason: 'holds JSON that is not an object' };
  }
  return { kind: 'payload', path, payload: payload as Record<string, unknown> };
}

export const eventFile: EventFile = readEventFile(process.env.GITHUB_EVENT_PATH);
if (eventFile.kind !== 'payload') delete process.env.GITHUB_EVENT_PATH;
