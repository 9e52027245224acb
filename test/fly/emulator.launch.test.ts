// What a launch spec may say beyond its command (the podman launcher uses each):
// the environment Fly gives the image (flyEnv), how exec runs, when the machine
// has booted, and what to release when it ends. Checked with a bash machine, so
// that `npm test` needs no podman.
import { afterEach, describe, expect, it } from 'vitest';
import { startFlyEmulator, type FlyEmulator, type LaunchContext, type LaunchSpec } from './emulator.ts';
import { callApi, writeMachineScript } from './emulator/testing.ts';

const script = writeMachineScript('/tmp/fly-emulator/launch');
const open: FlyEmulator[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

interface Recorded {
  contexts: LaunchContext[];
  releases: number;
  boot: () => void;
}

/** A launcher that records what it was given, runs exec through a marker, and boots when told. */
function recordingLaunch(): { launch: (ctx: LaunchContext) => LaunchSpec; recorded: Recorded } {
  const recorded: Recorded = { contexts: [], releases: 0, boot: () => undefined };
  const launch = (ctx: LaunchContext): LaunchSpec => {
    recorded.contexts.push(ctx);
    const booted = new Promise<void>((resolve) => (recorded.boot = resolve));
    return {
      command: script,
      env: ctx.env,
      exec: (argv) => ['bash', '-c', 'echo "via the launcher"; exec "$@"', 'exec', ...argv],
      booted,
      release: async () => {
        recorded.releases += 1;
      },
    };
  };
  return { launch, recorded };
}

async function emulator(launch: (ctx: LaunchContext) => LaunchSpec): Promise<FlyEmulator> {
  const fly = await startFlyEmulator({ launch, rateLimits: false, imageEnv: { CFA_LINGER_SECONDS: '1', FROM_IMAGE: 'image' } });
  open.push(fly);
  return fly;
}

async function create(fly: FlyEmulator, env: Record<string, string> = {}): Promise<string> {
  const res = await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines`, {
    config: { image: 'img', restart: { policy: 'no' }, env: { FROM_IMAGE: 'config', ...env } },
  });
  expect(res.status).toBe(200);
  return (res.json as { id: string }).id;
}

describe('a launch spec', () => {
  it('gets the environment Fly gives the image: imageEnv under config.env, FLY_*, nothing of plain-host mode', async () => {
    const { launch, recorded } = recordingLaunch();
    const fly = await emulator(launch);
    const id = await create(fly);
    await fly.waitForState(id, 'starting');
    const flyEnv = recorded.contexts[0]?.flyEnv ?? {};
    expect(flyEnv).toMatchObject({ CFA_LINGER_SECONDS: '1', FROM_IMAGE: 'config', FLY_MACHINE_ID: id, FLY_APP_NAME: fly.appName, FLY_IMAGE_REF: 'img' });
    for (const name of ['PATH', 'HOME', 'TMPDIR', 'CFA_ROOT', 'CFA_AGENT_USER']) expect(flyEnv, name).not.toHaveProperty(name);
    // The plain-host environment is still there for a launcher that runs the scripts on the host.
    expect(recorded.contexts[0]?.env).toMatchObject({ CFA_ROOT: fly.machine(id).root, FROM_IMAGE: 'config' });
  });

  it('is started only once it has booted, and exec runs through it', async () => {
    const { launch, recorded } = recordingLaunch();
    const fly = await emulator(launch);
    const id = await create(fly);
    await fly.waitForState(id, 'starting');
    await new Promise((r) => setTimeout(r, 200));
    expect(fly.machine(id).state).toBe('starting');
    const early = await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines/${id}/exec`, { command: ['echo', 'hi'] });
    expect(early.status).toBe(412);
    recorded.boot();
    await fly.waitForState(id, 'started');
    const exec = await callApi(fly, 'POST', `/v1/apps/${fly.appName}/machines/${id}/exec`, { command: ['echo', 'hi'] });
    expect(exec.status).toBe(200);
    expect(exec.json).toEqual({ stdout: 'via the launcher\nhi\n' });
  });

  it('is released when its process ends by itself, and when the machine is destroyed', async () => {
    const { launch, recorded } = recordingLaunch();
    const fly = await emulator(launch);
    const ended = await create(fly, { EXIT_AFTER: '0.1' });
    await fly.waitForState(ended, 'starting');
    recorded.boot();
    await fly.waitForState(ended, 'stopped');
    expect(recorded.releases).toBe(1);

    const destroyed = await create(fly);
    await fly.waitForState(destroyed, 'starting');
    recorded.boot();
    await fly.waitForState(destroyed, 'started');
    const res = await callApi(fly, 'DELETE', `/v1/apps/${fly.appName}/machines/${destroyed}?force=true`);
    expect(res.status).toBe(200);
    // Released before destroy answered: nothing of the machine outlives it.
    expect(recorded.releases).toBe(2);
  });

  it('is released at close, even while its machine still runs', async () => {
    const { launch, recorded } = recordingLaunch();
    const fly = await emulator(launch);
    const id = await create(fly);
    await fly.waitForState(id, 'starting');
    recorded.boot();
    await fly.waitForState(id, 'started');
    await fly.close();
    expect(recorded.releases).toBeGreaterThanOrEqual(1);
  });
});
