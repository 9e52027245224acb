// Entry point of the main step: wires settings, Fly, GitHub and the runner
// to the run, and reports. All logic lives in the modules it calls.
// First, so a cancel during loading is caught (see the module).
import { cancelEndBy, cancelSignal } from './cancel-signal.ts';
// Before anything that imports @actions/github: reads the event file, and hides a broken one from it.
import './event-file.ts';
import * as core from '@actions/core';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventInfo, coreState, input, promptFileDirs, readPromptFile } from './action-io.ts';
import { STATE } from './action-state.ts';
import { FlyClient } from './fly/client.ts';
import { GitHubApi } from './github/api.ts';
import { gitLsRemote } from './github/remote-refs.ts';
import { stepOutputs } from './report/outputs.ts';
import { renderSummary } from './report/summary.ts';
import { runClaudeOnFly } from './run/run.ts';
import { readSettings, SettingsError, type Settings } from './settings.ts';
import { DEFAULT_IMAGE } from './version.ts';

async function main(): Promise<void> {
  const { event, problems: eventProblems } = eventInfo();
  let settings: Settings;
  try {
    settings = readSettings(input, {
      defaultRepo: event.defaultRepo,
      defaultRepoWithForkCode: event.defaultRepoWithForkCode,
      fromFork: event.fromFork,
      defaultImage: DEFAULT_IMAGE,
      promptFileDirs: promptFileDirs(),
      readFile: readPromptFile,
      eventProblems,
    });
  } catch (err) {
    core.setFailed(err instanceof SettingsError ? err.message : `Invalid inputs: ${(err as Error).message}`);
    return;
  }
  // Masks first, before anything else is printed.
  for (const secret of settings.secrets) core.setSecret(secret);
  // Only now: a run whose inputs were refused never reached Fly, so its post step must not call Fly either.
  coreState.save(STATE.started, 'true');

  const fly = new FlyClient({ token: settings.fly.token, baseUrl: settings.fly.apiUrl });
  const githubApi = settings.githubToken ? new GitHubApi({ token: settings.githubToken, apiUrl: event.apiUrl }) : undefined;
  const transcriptPath = join(
    process.env.RUNNER_TEMP || tmpdir(),
    `claude-fly-action-${randomBytes(6).toString('hex')}`,
    'transcript.jsonl',
  );
  try {
    const result = await runClaudeOnFly({
      settings,
      event,
      fly,
      github: githubApi,
      state: coreState,
      remoteRefs: gitLsRemote({ token: settings.machineGithubToken, authBase: event.serverUrl }),
      write: (text) => process.stdout.write(text),
      now: Date.now,
      cancel: cancelSignal,
      cancelEndBy,
      transcriptPath,
      jobIndex: input('job-index'),
      // Installation tokens (the workflow's GITHUB_TOKEN among them) start with ghs_; only used when
      // asking GitHub who the token is fails, to recognise our own comments.
      workflowToken: settings.githubToken.startsWith('ghs_'),
    });
    if (result.skipped) core.setOutput('conclusion', 'skipped');
    if (result.report) {
      for (const [name, value] of Object.entries(stepOutputs(result.report))) core.setOutput(name, value);
      await core.summary.addRaw(renderSummary(result.report)).write();
    }
    if (result.failed) {
      if (settings.failOnError) core.setFailed(result.failureMessage ?? 'the run failed');
      else core.warning(result.failureMessage ?? 'the run failed');
    }
  } finally {
    await fly.close().catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  core.setFailed(`claude-fly-action failed: ${(err as Error).message ?? String(err)}`);
});
