// Static checks of the image: shellcheck on every script, the Dockerfile linted
// with dockerfile-utils, and the Dockerfile installing what the scripts call.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { binDir, fakeClaude, repoRoot } from './harness.ts';
import { essentialPackages, imageCommands } from './image-commands.ts';

const dockerfile = readFileSync(path.join(repoRoot, 'image', 'Dockerfile'), 'utf8');
const scripts = readdirSync(binDir).map((name) => path.join(binDir, name));

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(): string[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
}

/** The last stage: everything after the final FROM. */
function finalStage(): string[] {
  const all = instructions();
  const lastFrom = all.map((l) => l.startsWith('FROM ')).lastIndexOf(true);
  return all.slice(lastFrom);
}

describe('image scripts', () => {
  it('are the three protocol commands, executable', () => {
    expect(scripts.map((s) => path.basename(s)).sort()).toEqual(['cfa-entrypoint', 'cfa-handover', 'cfa-read']);
    for (const script of [...scripts, fakeClaude]) {
      expect(statSync(script).mode & 0o111, script).toBe(0o111);
      expect(readFileSync(script, 'utf8').startsWith('#!/usr/bin/env bash\n'), script).toBe(true);
    }
  });

  it('are shellcheck-clean (the claude stand-in and the podman tests\' probes too)', () => {
    const probes = path.join(repoRoot, 'test', 'image-podman', 'probes.sh');
    const result = spawnSync('shellcheck', ['--format=gcc', ...scripts, fakeClaude, probes], { encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('image/Dockerfile', () => {
  it('passes dockerfile-utils validation with no diagnostics', () => {
    expect(validate(dockerfile)).toEqual([]);
  });

  it('takes CLAUDE_CODE_VERSION as a build argument without default, and package.json pins it exactly', () => {
    const args = instructions().filter((l) => l.startsWith('ARG CLAUDE_CODE_VERSION'));
    expect(args.length).toBeGreaterThanOrEqual(2); // declared in both stages
    for (const arg of args) expect(arg).toBe('ARG CLAUDE_CODE_VERSION');
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies['@anthropic-ai/claude-code']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('copies the native binary where the platform package keeps it', () => {
    expect(dockerfile).toContain('node_modules/@anthropic-ai/claude-code-linux-$(node -p process.arch)/claude');
    // The same layout as in this repository's node_modules (linux-x64 here).
    const local = path.join(repoRoot, 'node_modules', '@anthropic-ai', `claude-code-linux-${process.arch}`, 'claude');
    expect(existsSync(local)).toBe(true);
  });

  it('builds the machine on slim Debian with no node or build tools in the final stage', () => {
    const stage = finalStage();
    expect(stage[0]).toMatch(/^FROM debian:[a-z]+-slim$/);
    const text = stage.join('\n');
    expect(text).not.toMatch(/\b(npm|nodejs|build-essential|gcc|make|curl|wget)\b/);
    expect(text).toMatch(/COPY --from=claude --chmod=0755 \/claude \/usr\/local\/bin\/claude/);
  });

  it('installs every package the scripts need', () => {
    const installs = finalStage()
      .filter((l) => l.startsWith('RUN '))
      .flatMap((l) => [...l.matchAll(/apt-get install ((?:-\S+\s+)*)([^&]+)/g)].map((m) => (m[2] ?? '').trim().split(/\s+/)))
      .flat();
    const needed = new Set(Object.values(imageCommands).filter((pkg) => !essentialPackages.has(pkg)));
    needed.add('gh');
    needed.add('ca-certificates');
    for (const pkg of needed) expect(installs, pkg).toContain(pkg);
  });

  it('sets modes as it copies: no RUN changes a copied file, which would store it again in a new layer', () => {
    const stage = finalStage();
    const copied = stage
      .filter((l) => l.startsWith('COPY '))
      .map((l) => l.split(/\s+/).at(-1) as string);
    expect(copied).toContain('/usr/local/bin/claude');
    for (const run of stage.filter((l) => l.startsWith('RUN '))) {
      for (const m of run.matchAll(/\b(?:chmod|chown|touch|sed -i)\b([^&;|]*)/g)) {
        const touched = (m[1] ?? '').split(/\s+/).filter((w) => w.startsWith('/'));
        for (const path of touched) {
          expect(copied.some((dest) => path.startsWith(dest.replace(/\/$/, '')))).toBe(false);
        }
      }
    }
  });

  it('has the two users, the scripts, labels and the entrypoint', () => {
    const text = finalStage().join('\n');
    expect(text).toMatch(/useradd --uid 1000 .*\bagent\b/);
    expect(text).toMatch(/chown agent:agent \/workspace/);
    expect(text).toMatch(/^COPY --chmod=0755 bin\/ \/usr\/local\/bin\/$/m);
    expect(text).toMatch(/^ENV CFA_ROOT=\/ +CFA_AGENT_USER=agent /m);
    for (const label of ['source', 'version', 'description']) {
      expect(text).toContain(`org.opencontainers.image.${label}=`);
    }
    expect(text).toMatch(/^ENTRYPOINT \["\/usr\/local\/bin\/cfa-entrypoint"\]$/m);
    expect(text).not.toMatch(/^USER /m); // the supervisor runs as root
  });
});
