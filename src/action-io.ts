// The runner's side of things, in one place: inputs, state, the event
// context, outputs and summary through @actions/core, and the files settings
// look at.
import * as core from '@actions/core';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StateStore } from './action-state.ts';
import { eventFile } from './event-file.ts';
import { describeEvent, eventProblems, type EventInfo, type EventInput } from './github/event.ts';
import type { FileRead } from './settings.ts';

export const coreState: StateStore = {
  save: (key, value) => core.saveState(key, value),
  get: (key) => core.getState(key),
};

export function input(name: string): string {
  return core.getInput(name);
}

/** The event the run is about, from the runner's variables and event file, and what is wrong with them. */
export function eventInfo(): { event: EventInfo; problems: string[] } {
  const env = process.env;
  const input: EventInput = {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    payload: eventFile.kind === 'payload' ? eventFile.payload : {},
    repository: env.GITHUB_REPOSITORY ?? '',
    sha: env.GITHUB_SHA ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    runId: Number.parseInt(env.GITHUB_RUN_ID ?? '', 10) || 0,
    runAttempt: Number.parseInt(env.GITHUB_RUN_ATTEMPT ?? '', 10) || 1,
    job: env.GITHUB_JOB ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
  };
  return { event: describeEvent(input), problems: eventProblems(input, eventFile) };
}

/** Where a prompt-file may lie, symlinks resolved: the workspace (relative paths start there), then RUNNER_TEMP. */
export function promptFileDirs(): string[] {
  const dirs = [process.env.GITHUB_WORKSPACE || process.cwd(), process.env.RUNNER_TEMP].filter((d): d is string => !!d);
  return dirs.map((dir) => {
    try {
      return realpathSync(dir);
    } catch {
      return resolve(dir);
    }
  });
}

/** Looks at a prompt file: its real path, and its text only when it is a file of at most maxBytes. */
export function readPromptFile(path: string, maxBytes: number): FileRead {
  const why = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  let realPath: string;
  try {
    realPath = realpathSync(path);
  } catch (err) {
    const code = why(err);
    return code === 'ENOENT' || code === 'ENOTDIR' ? { kind: 'missing' } : { kind: 'unreadable', message: code };
  }
  try {
    const stat = statSync(realPath);
    if (!stat.isFile()) return { kind: 'not-a-file', realPath };
    if (stat.size > maxBytes) return { kind: 'too-big', realPath, bytes: stat.size };
    const text = readFileSync(realPath, 'utf8');
    // It may have grown since stat.
    const bytes = Buffer.byteLength(text);
    return bytes > maxBytes ? { kind: 'too-big', realPath, bytes } : { kind: 'file', realPath, text };
  } catch (err) {
    return { kind: 'unreadable', message: why(err) };
  }
}
