// The runner's context as describeEvent and eventProblems take it, for tests:
// a push-like default in octo/app, changed by `extra`.
import type { EventInput } from '../../src/github/event.ts';

export const EVENT_SHA = 'a'.repeat(40);

export function eventInput(eventName: string, payload: Record<string, unknown> = {}, extra: Partial<EventInput> = {}): EventInput {
  return {
    eventName,
    payload,
    repository: 'octo/app',
    sha: EVENT_SHA,
    actor: 'octocat',
    runId: 4242,
    runAttempt: 1,
    job: 'claude',
    workflow: 'Claude',
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    ...extra,
  };
}
