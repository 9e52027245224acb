// eventProblems: what in the runner's event file and variables keeps a run
// from knowing what it is about (refused like a bad input, before anything).
import { describe, expect, it } from 'vitest';
import { eventProblems, type EventFile, type EventInput } from '../../src/github/event.ts';
import { eventInput } from '../github/event-input.ts';

const PATH = '/runner/_temp/_github_workflow/event.json';

const input = (eventName: string, extra: Partial<EventInput> = {}): EventInput => eventInput(eventName, {}, extra);
const payload = (p: Record<string, unknown>): EventFile => ({ kind: 'payload', path: PATH, payload: p });

describe('eventProblems', () => {
  it('has nothing to say about a well-formed event', () => {
    expect(eventProblems(input('pull_request'), payload({ pull_request: { number: 3 } }))).toEqual([]);
    expect(eventProblems(input('issue_comment'), payload({ issue: { number: 3 } }))).toEqual([]);
    expect(eventProblems(input('workflow_run'), payload({ workflow_run: {} }))).toEqual([]);
    expect(eventProblems(input('push'), payload({}))).toEqual([]);
  });

  it('lets events whose payload the run does not need go without one', () => {
    expect(eventProblems(input('push'), { kind: 'absent', path: undefined })).toEqual([]);
    expect(eventProblems(input('workflow_dispatch'), { kind: 'absent', path: PATH })).toEqual([]);
  });

  it.each([
    ['pull_request', { kind: 'absent', path: undefined }, /^GITHUB_EVENT_PATH is not set; the pull_request event needs its payload \(a JSON object with pull_request\)/],
    ['pull_request_target', { kind: 'absent', path: PATH }, /^GITHUB_EVENT_PATH ".*event\.json" does not exist; the pull_request_target event needs/],
    ['issues', payload({ issue: { number: '3' } }), /holds no issue object with a number; the issues event needs its payload/],
    ['pull_request_review', payload({ pull_request: null }), /holds no pull_request object with a number/],
    ['workflow_run', payload({}), /holds no workflow_run object; the workflow_run event/],
    ['pull_request', { kind: 'broken', path: PATH, reason: 'is not JSON' }, /^GITHUB_EVENT_PATH ".*" is not JSON; the pull_request event needs its payload/],
    ['push', { kind: 'broken', path: PATH, reason: 'is a directory' }, /is a directory; the runner writes the event's payload there as a JSON object\.$/],
  ] as [string, EventFile, RegExp][])('%s with %j: one problem naming GITHUB_EVENT_PATH', (name, file, message) => {
    const problems = eventProblems(input(name), file);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('refuses a repository or URL the runner would never set', () => {
    const problems = eventProblems(input('push', { repository: 'octo', serverUrl: 'github.com', apiUrl: 'file:///api' }), payload({}));
    expect(problems).toEqual([
      expect.stringMatching(/^GITHUB_REPOSITORY "octo" is not owner\/name/),
      expect.stringMatching(/^GITHUB_SERVER_URL "github\.com" is not an http\(s\) URL/),
      expect.stringMatching(/^GITHUB_API_URL "file:\/\/\/api" is not an http\(s\) URL/),
    ]);
    // A local mirror as the server is fine.
    expect(eventProblems(input('push', { serverUrl: 'file:///srv/git' }), payload({}))).toEqual([]);
  });
});
