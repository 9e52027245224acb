// A launcher (EmulatorOptions.launch) that runs each machine as a podman
// container of a built image (test/image-podman/build.ts) instead of the image's
// scripts on the host. What the container gets is what Fly gives a machine: the
// image's own entrypoint under an init, the environment of LaunchContext.flyEnv
// (imageEnv, then config.env, then FLY_*), nothing of the host's plain-host mode.
// It shares the host's network, so that Claude inside reaches stand-ins on
// loopback.
//
// - The machine's process is `podman run` in the foreground: its exit code is the
//   container's; signals to it (stop, the signal endpoint) are proxied into the
//   container, to the init, which hands them on.
// - started follows once the container is running (LaunchSpec.booted).
// - exec is `podman exec -i`, in the image's environment and working directory.
//   An exec killed at its timeout ends the podman client; what it started in the
//   container runs on until the machine ends.
// - The machine's end (an exit, a kill, destroy, close) removes the container, so
//   nothing outlives the machine, even when `podman run` itself was SIGKILLed.
import { randomBytes } from 'node:crypto';
import { runArgs } from '../../image-podman/container.ts';
import { podman, podmanGlobalArgs } from '../../image-podman/podman.ts';
import type { LaunchContext, LaunchSpec } from './types.ts';

export interface PodmanLaunchOptions {
  /** The image to run, in the podman storage of test/image-podman/podman.ts. */
  image: string;
}

/** Polls until the container runs; rejects once it can no longer start (it ended, or was never made). */
async function running(name: string, ended: () => boolean): Promise<void> {
  for (;;) {
    const state = await podman(['container', 'inspect', '--format', '{{.State.Status}}', name]);
    const status = state.stdout.trim();
    if (state.code === 0 && status === 'running') return;
    if (ended() || status === 'exited' || status === 'stopped') throw new Error(`container ${name} is ${status || 'gone'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function podmanLaunch(options: PodmanLaunchOptions): (ctx: LaunchContext) => LaunchSpec {
  return (ctx) => {
    // A name per start: a restarted machine is a new container.
    const name = `cfa-machine-${ctx.machine.id}-${randomBytes(3).toString('hex')}`;
    let released: Promise<void> | undefined;
    const release = () =>
      (released ??= podman(['rm', '--force', '--ignore', '--time', '0', name]).then((r) => {
        if (r.code !== 0) throw new Error(`podman rm ${name} failed: ${r.stderr}`);
      }));
    return {
      command: 'podman',
      args: [...podmanGlobalArgs(), 'run', '--rm', ...runArgs(name, ctx.flyEnv), options.image],
      // The podman client's own environment: the host's, for PATH and the like.
      env: ctx.env,
      exec: (argv) => ['podman', ...podmanGlobalArgs(), 'exec', '--interactive', name, ...argv],
      booted: running(name, () => released !== undefined),
      release,
    };
  };
}
