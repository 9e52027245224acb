// What the workflows must do, checked on their parsed YAML: CI's steps, the image's
// single Claude Code pin and tags, the examples' use of this action and their clean
// skip without secrets (the skip step's own script is run), pins, dependabot.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allSteps, onlyJob, readText, readWorkflow, workflowFiles, type Step, type Workflow } from './files.ts';

const pkg = JSON.parse(readText('package.json')) as {
  version: string;
  devDependencies: Record<string, string>;
};
const action = parse(readText('action.yml')) as { inputs: Record<string, { required?: boolean }> };

const examples = ['ci-failure-analysis.yml', 'code-review.yml', 'maintenance.yml'];

function stepUsing(steps: Step[], prefix: string): Step[] {
  return steps.filter((s) => s.uses?.startsWith(prefix));
}

function runs(steps: Step[]): string {
  return steps.map((s) => s.run ?? '').join('\n');
}

describe('ci.yml', () => {
  const ci = readWorkflow('ci.yml');
  const job = onlyJob(ci);

  it('is named CI (the failure analysis waits for that name) and runs on push and pull request', () => {
    expect(ci.name).toBe('CI');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
  });

  it('reads contents only', () => {
    expect(ci.permissions).toEqual({ contents: 'read' });
    expect(job.permissions).toBeUndefined();
  });

  it('sets up Node 24 and the Debian packages the tests need', () => {
    const setup = stepUsing(job.steps, 'actions/setup-node@');
    expect(setup).toHaveLength(1);
    expect(String(setup[0]!.with?.['node-version'])).toBe('24');
    const apt = runs(job.steps).match(/apt-get install[^\n]*/)?.[0] ?? '';
    for (const p of ['shellcheck', 'jq', 'cmark-gfm', 'git']) expect(apt.split(/\s+/)).toContain(p);
  });

  it('installs, lints, typechecks, tests and checks dist/ in that order', () => {
    const commands = job.steps.map((s) => s.run?.trim()).filter((r): r is string => r !== undefined);
    const order = [/^npm ci\b/, /^npm run lint$/, /^npm run typecheck$/, /^npm test$/, /^bash \.ci\/check-dist$/].map((re) =>
      commands.findIndex((c) => re.test(c)),
    );
    expect(order.every((i) => i >= 0), JSON.stringify(commands)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('uploads the expected dist/ only when the dist check fails', () => {
    const check = job.steps.find((s) => s.run?.includes('.ci/check-dist'));
    const upload = stepUsing(job.steps, 'actions/upload-artifact@');
    expect(check?.id).toBeTruthy();
    expect(upload).toHaveLength(1);
    expect(upload[0]!.if).toMatch(/failure\(\)/);
    expect(upload[0]!.if).toContain(`steps.${check!.id}.outcome == 'failure'`);
    expect(String(upload[0]!.with?.path)).toMatch(/^dist\/?$/);
  });
});

describe('image.yml', () => {
  const image = readWorkflow('image.yml');
  const text = readText('.github/workflows/image.yml');
  const builds = allSteps(image).filter((s) => s.uses?.startsWith('docker/build-push-action@'));
  const pin = pkg.devDependencies['@anthropic-ai/claude-code']!;

  it('builds image/ for linux/amd64 with the gha cache', () => {
    expect(builds.length).toBeGreaterThan(0);
    for (const b of builds) {
      expect(b.with).toMatchObject({ context: 'image/', file: 'image/Dockerfile', platforms: 'linux/amd64' });
      expect(b.with?.['cache-from']).toBe('type=gha');
      expect(String(b.with?.['cache-to'])).toMatch(/^type=gha\b/);
    }
  });

  it("takes CLAUDE_CODE_VERSION from package.json's pin, never a second hard-coded version", () => {
    expect(text).not.toContain(pin.replace(/^[~^]/, ''));
    for (const job of Object.values(image.jobs)) {
      const meta = job.steps.find((s) => s.run?.includes('.github/scripts/image-meta.sh'));
      expect(meta?.id).toBe('meta');
      for (const b of job.steps.filter((s) => builds.includes(s))) {
        const args = String(b.with?.['build-args']);
        expect(args).toContain('CLAUDE_CODE_VERSION=${{ steps.meta.outputs.claude-code-version }}');
        expect(args).toContain('IMAGE_SOURCE=${{ github.server_url }}/${{ github.repository }}');
        // The published image has GitHub's gh; only local podman builds take Debian's.
        expect(args).toMatch(/^GH_SOURCE=github$/m);
      }
    }
    // The script reads exactly that key (image-meta.test.ts runs it).
    expect(readText('.github/scripts/image-meta.sh')).toContain('.devDependencies["@anthropic-ai/claude-code"]');
  });

  it('pushes from the default branch and version tags, builds without pushing on pull requests touching image/', () => {
    const on = image.on as { push: { branches: string[]; tags: string[] }; pull_request: { paths: string[] } };
    expect(on.push.branches).toEqual(['main']);
    expect(on.push.tags).toEqual(['v*']);
    expect(on.pull_request.paths).toContain('image/**');
    for (const [name, job] of Object.entries(image.jobs)) {
      const pushes = job.steps.some((s) => builds.includes(s) && s.with?.push === true);
      if (job.if?.includes("github.event_name == 'pull_request'")) expect(pushes, name).toBe(false);
      // packages: write exactly where something is pushed.
      expect(job.permissions?.packages === 'write', name).toBe(pushes);
    }
    expect(image.permissions).toEqual({ contents: 'read' });
  });

  it('tags v<version>, the git tag, sha-<short> and main', () => {
    const meta = allSteps(image).find((s) => s.uses?.startsWith('docker/metadata-action@'));
    const tags = String(meta?.with?.tags);
    expect(tags).toContain('type=raw,value=v${{ steps.meta.outputs.version }},enable=${{ steps.meta.outputs.version-tag }}');
    expect(tags).toContain('type=ref,event=tag');
    expect(tags).toMatch(/type=sha,prefix=sha-/);
    expect(tags).toContain('type=raw,value=main,enable={{is_default_branch}}');
    expect(meta?.with?.images).toBe('${{ steps.meta.outputs.image }}');
    const push = builds.find((b) => b.with?.push === true);
    expect(push?.with?.tags).toBe(`\${{ steps.${meta!.id}.outputs.tags }}`);
    expect(allSteps(image).some((s) => s.uses?.startsWith('docker/login-action@') && s.with?.registry === 'ghcr.io')).toBe(true);
  });
});

describe('the example workflows', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'ship-check-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** Runs the check step's script as the runner would, with the env its expressions produce. */
  function runCheck(step: Step, env: Record<string, string>): { stdout: string; output: string } {
    const outFile = path.join(scratch, `out-${Math.random().toString(36).slice(2)}`);
    const r = spawnSync('bash', ['-e', '-c', step.run!], {
      env: { PATH: process.env.PATH, GITHUB_OUTPUT: outFile, ...env },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    let output = '';
    try {
      output = readFileSync(outFile, 'utf8');
    } catch {
      // no output written
    }
    return { stdout: r.stdout, output };
  }

  for (const file of examples) {
    describe(file, () => {
      const wf: Workflow = readWorkflow(file);
      const job = onlyJob(wf);
      const steps = job.steps;
      const check = steps[0]!;
      const actionStep = steps.find((s) => s.uses === './');

      it('checks for the secrets and the app first, via env', () => {
        expect(check.id).toBeTruthy();
        const env = Object.values(check.env ?? {}).join('\n');
        expect(env).toContain("secrets.FLY_API_TOKEN != ''");
        expect(env).toContain("secrets.ANTHROPIC_API_KEY != '' || secrets.CLAUDE_CODE_OAUTH_TOKEN != ''");
        expect(env).toContain('vars.FLY_APP');
      });

      it('skips with a notice when something is missing, and runs when all is there', () => {
        const envOf = (fly: boolean, claude: boolean, app: string): Record<string, string> => {
          const vars: Record<string, string> = {};
          for (const [k, v] of Object.entries(check.env ?? {})) {
            if (v.includes('secrets.FLY_API_TOKEN')) vars[k] = String(fly);
            else if (v.includes('secrets.ANTHROPIC_API_KEY')) vars[k] = String(claude);
            else if (v.includes('vars.FLY_APP')) vars[k] = app;
          }
          return vars;
        };
        const ready = runCheck(check, envOf(true, true, 'my-app'));
        expect(ready.output).toBe('ready=true\n');
        expect(ready.stdout).not.toContain('::');

        const cases: [boolean, boolean, string, RegExp][] = [
          [false, true, 'my-app', /FLY_API_TOKEN/],
          [true, false, 'my-app', /ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN/],
          [true, true, '', /FLY_APP/],
        ];
        for (const [fly, claude, app, names] of cases) {
          const r = runCheck(check, envOf(fly, claude, app));
          expect(r.output).toBe('ready=false\n');
          expect(r.stdout).toMatch(/^::notice title=Claude skipped::/m);
          expect(r.stdout).toMatch(names);
        }
        const none = runCheck(check, envOf(false, false, ''));
        expect(none.stdout.trim().split('\n')).toHaveLength(1);
        expect(none.stdout).toMatch(/FLY_API_TOKEN.*ANTHROPIC_API_KEY.*FLY_APP/);
      });

      it('uses this repository\'s action (./) after checkout, only when ready', () => {
        expect(actionStep).toBeDefined();
        const checkout = steps.findIndex((s) => s.uses?.startsWith('actions/checkout@'));
        expect(checkout).toBeGreaterThan(0);
        expect(checkout).toBeLessThan(steps.indexOf(actionStep!));
        const gate = `steps.${check.id}.outputs.ready == 'true'`;
        expect(steps[checkout]!.if).toBe(gate);
        expect(actionStep!.if).toBe(gate);
      });

      it('gives the action only inputs it declares, its required ones included', () => {
        const given = Object.keys(actionStep!.with ?? {});
        for (const name of given) expect(Object.keys(action.inputs), name).toContain(name);
        for (const [name, input] of Object.entries(action.inputs)) if (input.required) expect(given).toContain(name);
        expect(actionStep!.with).toMatchObject({
          'fly-api-token': '${{ secrets.FLY_API_TOKEN }}',
          'fly-app': '${{ vars.FLY_APP }}',
          'anthropic-api-key': '${{ secrets.ANTHROPIC_API_KEY }}',
          'claude-code-oauth-token': '${{ secrets.CLAUDE_CODE_OAUTH_TOKEN }}',
        });
        expect(String(actionStep!.with?.prompt ?? '').trim().length).toBeGreaterThan(200);
      });

      it("leaves the action time to clean up before the job's own timeout", () => {
        const actionMinutes = Number(actionStep!.with?.['timeout-minutes'] ?? 30);
        expect(job['timeout-minutes']).toBeGreaterThanOrEqual(actionMinutes + 10);
      });

      it('uploads the transcript always', () => {
        const upload = stepUsing(steps, 'actions/upload-artifact@');
        expect(upload).toHaveLength(1);
        expect(upload[0]!.if).toMatch(/^always\(\)/);
        expect(upload[0]!.with?.path).toBe(`\${{ steps.${actionStep!.id}.outputs.transcript-file }}`);
      });
    });
  }

  it('ci-failure-analysis: follows failed CI runs without running fork code', () => {
    const wf = readWorkflow('ci-failure-analysis.yml');
    const job = onlyJob(wf);
    const on = wf.on as { workflow_run: { workflows: string[]; types: string[] } };
    expect(on.workflow_run).toEqual({ workflows: [readWorkflow('ci.yml').name], types: ['completed'] });
    expect(job.if).toBe("github.event.workflow_run.conclusion == 'failure'");
    expect(job.permissions).toEqual({ actions: 'read', contents: 'read', 'pull-requests': 'write' });
    const checkout = stepUsing(job.steps, 'actions/checkout@')[0]!;
    expect(checkout.with?.ref).toBeUndefined();
    expect(checkout.with?.repository).toBeUndefined();
    const step = job.steps.find((s) => s.uses === './')!;
    expect(step.with?.['allow-fork-code'] ?? 'false').toBe('false');
    expect(step.with?.repos).toBeUndefined();
    expect(step.with?.['machine-github-token']).toBe('${{ github.token }}');
    const prompt = String(step.with?.prompt);
    expect(prompt).toContain('gh run view ${{ github.event.workflow_run.id }}');
    expect(prompt).toContain('--log-failed');
    expect(prompt).toContain('gh pr diff');
    // Fork-authored text (branch names, titles) stays out of the prompt.
    expect(prompt).not.toMatch(/head_branch|display_title|\.title|\.body/);
  });

  it('code-review: reviews pull requests, one run per PR at a time, with a budget', () => {
    const wf = readWorkflow('code-review.yml');
    const on = wf.on as { pull_request: { types: string[] } };
    expect(on.pull_request.types.sort()).toEqual(['opened', 'ready_for_review', 'reopened', 'synchronize']);
    expect(wf.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(wf.concurrency?.group).toContain('${{ github.event.pull_request.number }}');
    expect(wf.concurrency?.['cancel-in-progress']).toBe(true);
    const step = onlyJob(wf).steps.find((s) => s.uses === './')!;
    expect(Number(step.with?.['max-budget-usd'])).toBeGreaterThan(0);
    expect(Number(step.with?.['timeout-minutes'])).toBeGreaterThan(0);
    expect(String(step.with?.prompt)).toMatch(/bugs/i);
    expect(String(step.with?.prompt)).toMatch(/security/i);
    expect(String(step.with?.prompt)).toMatch(/tests/i);
  });

  it('maintenance: weekly and on demand, opens its own pull request, no comment, bigger machine', () => {
    const wf = readWorkflow('maintenance.yml');
    const on = wf.on as { schedule: { cron: string }[]; workflow_dispatch: unknown };
    expect(on.schedule).toHaveLength(1);
    expect(on.schedule[0]!.cron.split(' ')).toHaveLength(5);
    expect(on.schedule[0]!.cron.split(' ')[4]).toMatch(/^[0-6]$/);
    expect('workflow_dispatch' in on).toBe(true);
    expect(wf.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    const step = onlyJob(wf).steps.find((s) => s.uses === './')!;
    expect(step.with?.comment).toBe('off');
    expect(step.with?.['fly-vm-size']).toMatch(/^(shared-cpu-(4x|8x)|performance-\d+x)$/);
    expect(String(step.with?.prompt)).toContain('gh pr create');
  });
});

describe('all workflows', () => {
  it('pin other actions by major version tag', () => {
    for (const file of workflowFiles()) {
      for (const step of allSteps(readWorkflow(file))) {
        if (step.uses === undefined || step.uses === './') continue;
        expect(step.uses, file).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
      }
    }
  });

  it('use each action at one version across files', () => {
    const seen = new Map<string, string>();
    for (const file of workflowFiles()) {
      for (const step of allSteps(readWorkflow(file))) {
        const [name, ref] = step.uses?.split('@') ?? [];
        if (name === undefined || ref === undefined) continue;
        expect(seen.get(name) ?? ref, `${file}: ${step.uses}`).toBe(ref);
        seen.set(name, ref);
      }
    }
    expect(seen.size).toBeGreaterThan(4);
  });
});

describe('dependabot.yml', () => {
  const config = parse(readText('.github/dependabot.yml')) as {
    version: number;
    updates: { 'package-ecosystem': string; directory: string; schedule: { interval: string }; groups?: Record<string, { 'update-types'?: string[] }> }[];
  };

  it('updates npm, GitHub Actions and the image weekly', () => {
    expect(config.version).toBe(2);
    const by = Object.fromEntries(config.updates.map((u) => [u['package-ecosystem'], u]));
    expect(Object.keys(by).sort()).toEqual(['docker', 'github-actions', 'npm']);
    expect(by.npm!.directory).toBe('/');
    expect(by['github-actions']!.directory).toBe('/');
    expect(by.docker!.directory).toBe('/image');
    for (const u of config.updates) expect(u.schedule.interval).toBe('weekly');
  });

  it('groups npm minor and patch updates', () => {
    const npm = config.updates.find((u) => u['package-ecosystem'] === 'npm')!;
    const groups = Object.values(npm.groups ?? {});
    expect(groups.some((g) => [...(g['update-types'] ?? [])].sort().join() === 'minor,patch')).toBe(true);
  });
});

