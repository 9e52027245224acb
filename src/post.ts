// Entry point of the post step (post-if: always()): makes sure no machine of
// this step is left, and closes the PR comment when main could not.
// Before anything that imports @actions/github: reads the event file, and hides a broken one from it.
import './event-file.ts';
import * as core from '@actions/core';
import { coreState, eventInfo, input } from './action-io.ts';
import { STATE } from './action-state.ts';
import { FlyClient } from './fly/client.ts';
import { GitHubApi } from './github/api.ts';
import { finalizeAbandonedComment } from './run/abandoned-comment.ts';
import { cleanupMachines } from './run/cleanup.ts';
import { DEFAULT_FLY_API_URL } from './settings.ts';

async function post(): Promise<void> {
  if (coreState.get(STATE.started) !== 'true' || coreState.get(STATE.skipped) === 'true') return;
  const token = input('fly-api-token');
  const app = coreState.get(STATE.app) || input('fly-app');
  if (token && app) {
    core.setSecret(token);
    const fly = new FlyClient({
      token,
      baseUrl: coreState.get(STATE.apiUrl) || input('fly-api-url') || DEFAULT_FLY_API_URL,
    });
    try {
      const result = await cleanupMachines({
        fly,
        app,
        machineId: coreState.get(STATE.destroyed) === 'true' ? undefined : coreState.get(STATE.machineId) || undefined,
        nonce: coreState.get(STATE.nonce) || undefined,
        nowMs: Date.now(),
        note: (line) => core.info(line),
      });
      for (const f of result.failed) core.warning(`Could not destroy machine ${f.id}: ${f.error}`);
      if (result.destroyed.length === 0 && result.failed.length === 0) core.info('No machine of this step was left running.');
    } finally {
      await fly.close().catch(() => undefined);
    }
  }

  const commentId = Number(coreState.get(STATE.commentId));
  const githubToken = input('github-token');
  if (commentId > 0 && coreState.get(STATE.commentFinal) !== 'true' && githubToken) {
    core.setSecret(githubToken);
    const { event } = eventInfo();
    await finalizeAbandonedComment({
      api: new GitHubApi({ token: githubToken, apiUrl: event.apiUrl }),
      event,
      commentId,
      onWarning: (message) => core.warning(message),
    });
  }
}

post().catch((err: unknown) => {
  core.warning(`claude-fly-action cleanup: ${(err as Error).message ?? String(err)}`);
});
