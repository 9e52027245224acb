// When main could not finish its PR comment (cancelled, killed, crashed, or its
// final edit refused), the post step ends it in that state so it never says
// "running" forever. The comment id comes from our own action state; its
// marker line is kept.
import type { GitHubApi } from '../github/api.ts';
import type { EventInfo } from '../github/event.ts';

export function abandonedCommentBody(previousBody: string, runUrl: string): string {
  const markerLine = previousBody.split('\n', 1)[0] ?? '';
  const marker = /^<!-- claude-fly-action:[A-Za-z0-9._:/-]+ -->$/.test(markerLine) ? markerLine : '';
  return [
    marker,
    '### ⚠️ Claude on Fly: the run ended without a final report',
    '',
    'The job was cancelled, timed out, or its runner stopped before the action could report here, or GitHub refused the final edit.',
    'The post step made sure that no machine was left running; the job summary and log have what the run saw.',
    '',
    `[Workflow log](${runUrl})`,
  ]
    .filter((line, i) => i > 0 || line !== '')
    .join('\n');
}

export async function finalizeAbandonedComment(options: {
  api: GitHubApi;
  event: EventInfo;
  commentId: number;
  onWarning: (message: string) => void;
}): Promise<void> {
  const { api, event, commentId } = options;
  try {
    const current = await api.getIssueComment(event.owner, event.repo, commentId);
    await api.updateIssueComment(event.owner, event.repo, commentId, abandonedCommentBody(current.body ?? '', event.runUrl));
  } catch (err) {
    options.onWarning(`Could not finish the PR comment: ${(err as Error).message}`);
  }
}
