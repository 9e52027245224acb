// A GitHub fake that knows the workflow's bot, and an API client holding the bot's token.
import { GitHubApi } from '../../src/github/api.ts';
import { GITHUB_ACTIONS_BOT, startGitHubFake, type GitHubFake } from './fake.ts';

/** The installation token of github-actions[bot], as a workflow gets it. */
const BOT_TOKEN = 'ghs_bot';

/** A fresh GitHub fake with the bot's token registered, and an API client that uses it. */
export async function startFakeWithBotApi(): Promise<{ gh: GitHubFake; api: GitHubApi }> {
  const gh = await startGitHubFake();
  gh.setUser(BOT_TOKEN, { ...GITHUB_ACTIONS_BOT, installation: true });
  return { gh, api: new GitHubApi({ token: BOT_TOKEN, apiUrl: gh.url, timeoutMs: 5000 }) };
}
