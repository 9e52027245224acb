import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubApi } from '../../src/github/api.ts';
import { checkActor } from '../../src/github/actor-check.ts';
import { startFakeWithBotApi } from './bot-api.ts';
import type { GitHubFake } from './fake.ts';

const REPO = 'octo/app';
let gh: GitHubFake;
let api: GitHubApi;

beforeEach(async () => {
  ({ gh, api } = await startFakeWithBotApi());
  gh.setPermission(REPO, 'alice', 'admin');
  gh.setPermission(REPO, 'maude', 'maintain');
  gh.setPermission(REPO, 'wendy', 'write');
  gh.setPermission(REPO, 'trish', 'triage');
  gh.setPermission(REPO, 'reed', 'read');
  gh.setPermission(REPO, 'nora', 'none');
  gh.setPermission(REPO, 'dependabot[bot]', 'write');
});
afterEach(async () => {
  await gh.close();
});

const check = (actor: string, allowedActors: string[] = []) => checkActor({ api, owner: 'octo', repo: 'app', actor, allowedActors });

describe('checkActor', () => {
  it('allows admin, maintain and write', async () => {
    for (const actor of ['alice', 'maude', 'wendy']) {
      const r = await check(actor);
      expect(r.allowed, actor).toBe(true);
    }
    expect((await check('maude')).permission).toBe('write');
    expect((await check('maude')).reason).toMatch(/maintain/);
  });

  it('refuses triage, read and none, saying why', async () => {
    for (const [actor, perm] of [['trish', 'read'], ['reed', 'read'], ['nora', 'none']] as const) {
      const r = await check(actor);
      expect(r.allowed, actor).toBe(false);
      expect(r.permission).toBe(perm);
      expect(r.reason).toMatch(/needs write access/);
    }
  });

  it('allowed-actors: case-insensitive listing, and `*` for everyone, without asking the API', async () => {
    expect((await check('Reed', ['someone', 'reed'])).allowed).toBe(true);
    expect((await check('stranger', ['*'])).allowed).toBe(true);
    expect(gh.requests).toHaveLength(0);
  });

  it('bots are refused unless listed, whatever their permission', async () => {
    const r = await check('dependabot[bot]');
    expect(r.allowed).toBe(false);
    expect(r.reason).toMatch(/bot/);
    expect((await check('dependabot[bot]', ['Dependabot[bot]'])).allowed).toBe(true);
  });

  it('fails closed on API errors: unknown user (404), 500, rate limit, network', async () => {
    const ghost = await check('ghost');
    expect(ghost.allowed).toBe(false);
    expect(ghost.reason).toMatch(/Could not check ghost's permission.*not a collaborator/);
    gh.faults.add({ kind: 'server-error', times: 1 });
    expect((await check('alice')).allowed).toBe(false);
    gh.faults.add({ kind: 'secondary-rate-limit', retryAfterSeconds: 30, times: 1 });
    const limited = await check('alice');
    expect(limited.allowed).toBe(false);
    expect(limited.reason).toMatch(/secondary rate limit/);
    gh.faults.add({ kind: 'network-reset', times: 1 });
    expect((await check('alice')).allowed).toBe(false);
    expect((await check('alice')).allowed).toBe(true);
  });

  it('an empty actor is refused', async () => {
    expect((await check('  ')).allowed).toBe(false);
  });
});
