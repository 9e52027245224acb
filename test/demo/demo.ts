// npm run demo [-- --expanded]: the whole action on this machine, no
// credentials, no network. The Fly Machines emulator (machines run the real
// image scripts), the REAL pinned Claude Code CLI against the scripted
// Messages API stand-in (scenario test/anthropic/scenarios/demo-pr.json), and
// the GitHub fake with PR #1 on octo/app. The bundled action (dist/, or
// E2E_DIST) runs through the runner harness on a pull_request event; then this
// prints the workflow log as the Actions UI shows it, the job summary, the PR
// comment, the post step's log and, last, `machines left: N` as the emulator
// counts them. Exit 0 when the action succeeded and no machine is left.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLAUDE_CODE_VERSION } from '../anthropic/claude-cli.ts';
import { runBundledAction, REPO_ROOT, startWorld, TOKENS, type World } from '../e2e/world.ts';
import { GITHUB_ACTIONS_BOT } from '../github/fake.ts';
import { renderStepLogAsUi } from '../harness/log-view.ts';
import { removeTempDirs } from '../image/harness.ts';
import { guardInterrupts } from './interrupt.ts';
import { heading, machinesLeftLine, parseViewArgs, section } from './print.ts';
import { killProcessesUnder, removeClaudeScratchUnder } from './leftovers.ts';

/** The embedded default task; the stand-in's demo-pr scenario answers it. */
const DEMO_PROMPT =
  'Demo task for pull request #1: check greet.js, fix what is wrong, and have a helper agent size up the repository in the background.';
const PR_NUMBER = 1;
const PR_BRANCH = 'fix-greeting';

const USAGE = `Usage: npm run demo [-- --expanded]

Runs the bundled action (dist/, or E2E_DIST=<dir with main/ and post/>) end to end
on this machine against local stand-ins of Fly, the Anthropic API and GitHub.
  --expanded   show every log group opened (default: collapsed, as the UI first shows them)`;

async function main(): Promise<number> {
  const args = parseViewArgs(process.argv.slice(2));
  if (args.help || args.unknown.length > 0) {
    if (args.unknown.length > 0) process.stderr.write(`Unknown argument(s): ${args.unknown.join(' ')}\n`);
    process.stdout.write(`${USAGE}\n`);
    return args.help ? 0 : 2;
  }
  const dist = process.env.E2E_DIST || join(REPO_ROOT, 'dist');
  for (const entry of ['main', 'post']) {
    if (!existsSync(join(dist, entry, 'index.js'))) {
      process.stderr.write(`No bundled action at ${join(dist, entry, 'index.js')}: run \`npm run build\` or set E2E_DIST.\n`);
      return 2;
    }
  }

  let world: World | undefined;
  let closing: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (closing ??= (async () => {
      if (!world) return;
      await world.close();
      // A Claude still running on a machine destroyed mid-run (Ctrl-C) escapes the emulator's kill.
      if (killProcessesUnder(world.root).length > 0) rmSync(world.root, { recursive: true, force: true });
      removeClaudeScratchUnder(world.root);
    })().finally(removeTempDirs));
  const guard = guardInterrupts({ cleanup, note: (line) => process.stderr.write(`\n${line}\n`) });

  try {
    world = await startWorld({ claude: 'real' });
    const { github, repo } = world;
    // The workflow token's identity (an installation token, as on GitHub) and the PR it runs for.
    github.setUser(TOKENS.github, { ...GITHUB_ACTIONS_BOT, installation: true });
    github.addPull(`${repo.owner}/${repo.name}`, {
      number: PR_NUMBER,
      state: 'open',
      headSha: repo.main,
      headRef: PR_BRANCH,
      headRepo: `${repo.owner}/${repo.name}`,
      baseRef: 'main',
    });

    const started = performance.now();
    const { main: mainStep, post } = await runBundledAction(world, {
      prompt: DEMO_PROMPT,
      event: { name: 'pull_request', payload: pullRequestPayload(repo) },
      github: { ref: `refs/pull/${PR_NUMBER}/merge` },
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const left = world.fly.liveMachineCount();
    const comment = github.comments.list(`${repo.owner}/${repo.name}`, PR_NUMBER).at(-1);
    const view = { expanded: args.expanded };

    const out: string[] = [
      heading('claude-fly-action demo', [
        `pull_request #${PR_NUMBER} on ${repo.owner}/${repo.name} · Claude Code ${CLAUDE_CODE_VERSION} (real CLI, scripted model)`,
        `Fly Machines emulator · GitHub fake · bundled action from ${dist}`,
        `task: ${DEMO_PROMPT}`,
      ]),
      section(`Workflow log: Run claude-fly-action${args.expanded ? '' : ' (groups collapsed; --expanded opens them)'}`, renderStepLogAsUi(mainStep.log, view)),
      section('Job summary (markdown as written)', mainStep.summaryRaw),
      section(
        comment ? `PR comment on #${PR_NUMBER} by ${comment.user.login} (final body)` : `PR comment on #${PR_NUMBER}`,
        comment ? comment.body : '(no comment was posted)',
      ),
      section('Post step log: Post Run claude-fly-action', post ? renderStepLogAsUi(post.log, view) : '(the post step did not run)'),
      `main step: ${mainStep.conclusion} (conclusion output: ${mainStep.outputs.conclusion ?? 'none'}) · post step: ${post?.conclusion ?? 'not run'} · ${seconds} s\n`,
      `${machinesLeftLine(left)}\n`,
    ];
    process.stdout.write(out.join(''));
    const succeeded = !mainStep.failed && mainStep.outputs.conclusion === 'success' && post !== null && !post.failed;
    return succeeded && left === 0 && !guard.interrupted ? 0 : 1;
  } finally {
    guard.dispose();
    await cleanup();
  }
}

/** The parts of a pull_request webhook payload the action reads, for a same-repository PR. */
function pullRequestPayload(repo: World['repo']): object {
  const fullName = `${repo.owner}/${repo.name}`;
  const repository = { full_name: fullName, name: repo.name, owner: { login: repo.owner }, default_branch: 'main' };
  return {
    action: 'opened',
    number: PR_NUMBER,
    pull_request: {
      number: PR_NUMBER,
      state: 'open',
      title: 'Fix the greeting',
      head: { ref: PR_BRANCH, sha: repo.main, repo: repository },
      base: { ref: 'main', sha: repo.main, repo: repository },
      user: { login: 'octocat' },
    },
    repository,
    sender: { login: 'octocat' },
  };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
