// Issue 13, part 4, end to end: nothing untrusted becomes a mention in the PR
// comment or the words of an annotation. The bundled action runs a hostile
// transcript (the scripted claude on an emulated Fly machine) whose narration,
// tool call and failing result wrap @logins in every markdown way, with an
// api_retry whose error and a result whose first line hold an attacker's
// words. Judged on what GitHub would get: the comment bodies the GitHub fake
// received, rendered by cmark-gfm (GitHub's renderer), and the workflow
// commands the runner would execute (the oracle's parse of stdout and stderr).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRY_ANNOTATION } from '../../src/report/annotations.ts';
import { GITHUB_ACTIONS_BOT } from '../github/fake.ts';
import type { StepResult } from '../harness/runner.ts';
import { git } from '../image/harness.ts';
import { readLines, runnerCommands, type MatchingMode, type RunnerCommand } from '../oracle/runner-commands.ts';
import { gfm, hasCmark } from '../report/fixtures/gfm.ts';
import { unbrokenMentions } from '../report/fixtures/mentions.ts';
import { fakePlan, init, result, say, toolResult, toolUse } from './scripted-claude.ts';
import { prPayload, runBundledAction, startWorld, TOKENS, type World } from './world.ts';

const REPO = 'octo/app';
const PR = 31;

/** The attacker's words: none may be an annotation's, all must stay in the log. */
const RETRY_WORDS = 'PWNED-RETRY-WORDS rotate your tokens at https://evil.example';
const RESULT_WORDS = 'PWNED-RESULT-WORDS the maintainers approved this, merge it';
const ATTACK = /PWNED/i;

/** Every markdown wrapper around a login that once rendered as a mention, and more. */
const MENTIONS = [
  '_@octocat_', '__@octocat__', '*@octocat*', '**@octocat**', '***@octocat***', '~@octocat~', '~~@octocat~~',
  '[@octocat](https://example.com)', '_a_@octocat', '*a*@octocat', 'x_@octocat', 'é@octocat', '(@octocat)', '"@octocat"',
  'https://a_b.c/@octocat', 'http:///@octocat', 'https://example.com/a.@octocat', '\\@octocat', '@octo/reviewers', '_@octo/reviewers_',
].join(' ');

const NARRATION = `Looking into it. cc ${MENTIONS}\n\n# _@octocat_ heading\n\n- __@octocat__ item\n\n> ~~@octocat~~ quote\n\n| who |\n| --- |\n| _@octocat_ |`;

const RETRY = {
  type: 'system', subtype: 'api_retry', attempt: 1, max_retries: 10, retry_delay_ms: 200, error_status: 529,
  error: `${RETRY_WORDS} _@octocat_`, session_id: 'sess-e2e',
};

describe('end to end: a hostile transcript mentions nobody and words no annotation', () => {
  let world: World;
  let main: StepResult;

  beforeAll(async () => {
    world = await startWorld({ claude: 'fake' });
    world.github.setUser(TOKENS.github, { ...GITHUB_ACTIONS_BOT, installation: true });
    const sha = world.repo.main;
    world.github.addPull(REPO, { number: PR, state: 'open', headSha: sha, headRef: `feature-${PR}`, headRepo: REPO });
    git(join(world.serverUrl.replace(/^file:\/\//, ''), 'octo', 'app.git'), ['update-ref', `refs/pull/${PR}/head`, sha]);
    const plan = fakePlan(world, [
      [
        init(),
        say(NARRATION),
        RETRY,
        { ...RETRY, attempt: 2, error: `${RETRY_WORDS} again` },
        toolUse('toolu_1', `echo __@octocat__ ${MENTIONS}`),
        toolResult('toolu_1', `_@octocat_ ${MENTIONS}`),
        say(`Done: ${MENTIONS}`, 2),
        result({ subtype: 'success', is_error: true, result: `${RESULT_WORDS} _@octocat_\n\n${MENTIONS}\n\n${NARRATION}` }),
      ],
      'exit 1',
    ]);
    ({ main } = await runBundledAction(world, { inputs: { ...plan, 'tool-output': 'full' }, event: { name: 'pull_request', payload: prPayload(PR, sha) } }));
  });
  afterAll(async () => {
    await world?.close();
  });

  it('ran, failed on the result, and wrote its PR comment', () => {
    expect(main.outputs.conclusion).toBe('failure');
    expect(main.failed).toBe(true);
    expect(world.github.comments.list(REPO, PR)).toHaveLength(1);
  });

  it.skipIf(!hasCmark)('no comment body GitHub received renders an unbroken @mention', () => {
    const writes = world.github.requests.filter((r) => (r.method === 'POST' || r.method === 'PATCH') && /\/issues\/(\d+\/)?comments/.test(r.path));
    expect(writes.length).toBeGreaterThan(0);
    const bodies = [...writes.map((r) => (r.body as { body: string }).body), world.github.comments.list(REPO, PR)[0]!.body];
    for (const body of bodies) expect(unbrokenMentions(gfm(body))).toEqual([]);
    // Claude's words are there, only disarmed.
    const final = bodies.at(-1)!;
    expect(final).toContain('PWNED-RESULT-WORDS');
    expect(final).toContain('@\u200Boctocat');
  });

  /** Warning, error and notice commands the runner would run, stdout and stderr, under both of the oracle's matchings. */
  function annotations(): RunnerCommand[] {
    const all: RunnerCommand[] = [];
    for (const mode of ['ordinal', 'icu'] as MatchingMode[]) {
      for (const stream of [main.stdout, main.stderr]) {
        all.push(...runnerCommands(stream, { mode }).filter((c) => ['warning', 'error', 'notice'].includes(c.command.toLowerCase())));
      }
    }
    return all;
  }

  it('the retry warning has fixed words', () => {
    const warnings = annotations().filter((c) => c.command.toLowerCase() === 'warning');
    expect(warnings.map((c) => c.data)).toContain(RETRY_ANNOTATION);
    for (const c of warnings) expect(`${c.data} ${c.properties.title ?? ''}`).not.toMatch(ATTACK);
  });

  it("no annotation's message or title holds the attacker's words (the failure annotation included)", () => {
    const found = annotations();
    expect(found.some((c) => c.command.toLowerCase() === 'error')).toBe(true);
    for (const c of found) expect(`${c.command}: ${c.data} ${Object.values(c.properties).join(' ')}`).not.toMatch(ATTACK);
    for (const a of main.annotations) expect(`${a.level}: ${a.message} ${Object.values(a.properties).join(' ')}`).not.toMatch(ATTACK);
  });

  it('the details stay in the log as plain text, inside the stop-commands window', () => {
    for (const words of [RETRY_WORDS, RESULT_WORDS]) expect(main.stdout).toContain(words);
    // Every line with the attacker's words is printed while commands are stopped.
    let token: string | undefined;
    const outside: string[] = [];
    for (const line of readLines(main.stdout)) {
      const stop = /^::stop-commands::(.+)$/.exec(line);
      if (stop && token === undefined) token = stop[1];
      else if (token !== undefined && line === `::${token}::`) token = undefined;
      // Annotation commands are judged above; this is about the text.
      else if (ATTACK.test(line) && token === undefined && !/^\s*::(error|warning|notice)\b/.test(line)) outside.push(line);
    }
    expect(outside).toEqual([]);
  });
});
