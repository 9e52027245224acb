// A container of the built image, run as Fly runs a machine: under an init (the
// supervisor is not PID 1), on the host's network (the stand-ins listen on
// loopback), with the config's environment; driven over `podman exec` as the
// action drives a machine over Fly's exec endpoint.
import { randomBytes } from 'node:crypto';
import { readAnswer, type ReadAnswer } from '../image/harness.ts';
import { podman, podmanOk, ulimitArgs, type PodmanResult } from './podman.ts';

/** Every container the tests start carries this label, so that leftovers can be found. */
export const TEST_LABEL = 'org.claude-fly-action.test=1';

/** `podman run` arguments up to the image: init, host network, ulimits, label, environment. */
export function runArgs(name: string, env: Record<string, string>): string[] {
  return [
    '--init',
    '--name', name,
    '--network', 'host',
    '--label', TEST_LABEL,
    ...ulimitArgs(),
    ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
  ];
}

export interface Container {
  name: string;
  /** Runs argv in the container (as root unless `user` says otherwise). */
  exec(argv: string[], options?: { input?: string; user?: string }): Promise<PodmanResult>;
  /** One cfa-read in the container, its answer checked as the harness checks it on the host. */
  read(args: readonly string[]): Promise<ReadAnswer>;
  /** Resolves with the container's exit code once it has ended by itself. */
  ended(): Promise<number>;
  /** What the container's main process printed. */
  logs(): Promise<string>;
  remove(): Promise<void>;
}

export async function startContainer(image: string, env: Record<string, string>): Promise<Container> {
  const name = `cfa-test-${randomBytes(4).toString('hex')}`;
  await podmanOk(['run', '--detach', ...runArgs(name, env), image]);
  const exec: Container['exec'] = (argv, options = {}) =>
    podman(['exec', '--interactive', ...(options.user ? ['--user', options.user] : []), name, ...argv], { input: options.input ?? '' });
  return {
    name,
    exec,
    read: async (args) => readAnswer(await exec(['cfa-read', ...args])),
    ended: async () => {
      const code = Number((await podmanOk(['wait', name])).trim());
      if (!Number.isInteger(code)) throw new Error(`podman wait ${name} gave no exit code`);
      return code;
    },
    logs: async () => {
      const result = await podman(['logs', name]);
      return result.stdout + result.stderr;
    },
    remove: async () => {
      await podman(['rm', '--force', '--ignore', '--time', '0', name]);
    },
  };
}

/** Names of the test containers that exist, running or not. */
export async function testContainers(): Promise<string[]> {
  const out = await podmanOk(['ps', '--all', '--filter', `label=${TEST_LABEL}`, '--format', '{{.Names}}']);
  return out.split('\n').filter(Boolean);
}
