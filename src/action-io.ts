// The runner's side of things, in one place: inputs, state, the event
// context, outputs and summary through @actions/core and @actions/github.
import * as core from '@actions/core';
import * as github from '@actions/github';
import { readFileSync } from 'node:fs';
import type { StateStore } from './action-state.ts';
import { describeEvent, type EventInfo } from './github/event.ts';

export const coreState: StateStore = {
  save: (key, value) => core.saveState(key, value),
  get: (key) => core.getState(key),
};

export function input(name: string): string {
  return core.getInput(name);
}

export function eventInfo(): EventInfo {
  const ctx = github.context;
  return describeEvent({
    eventName: ctx.eventName ?? '',
    payload: (ctx.payload ?? {}) as Record<string, unknown>,
    repository: process.env.GITHUB_REPOSITORY ?? '',
    sha: ctx.sha ?? '',
    actor: ctx.actor ?? '',
    runId: ctx.runId || 0,
    runAttempt: ctx.runAttempt || 1,
    job: ctx.job ?? '',
    workflow: ctx.workflow ?? '',
    serverUrl: ctx.serverUrl || 'https://github.com',
    apiUrl: ctx.apiUrl || 'https://api.github.com',
  });
}

export function readTextFile(path: string): string {
  return readFileSync(path, 'utf8');
}
