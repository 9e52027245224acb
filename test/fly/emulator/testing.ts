// Helpers for tests that drive the emulator with plain fetch: a tiny bash
// "machine" and a request function. Not used by the emulator itself.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlyEmulator, LaunchContext, LaunchSpec } from './types.ts';
import { processGone } from './procs.ts';

/**
 * A bash stand-in for the image's entrypoint, steered by config.env:
 *   EXIT_AFTER=<seconds>  exit after that long with EXIT_CODE (default 0)
 *   (otherwise)           run until signalled; SIGINT/SIGTERM -> exit 0
 *   SPAWN_STRAY=1         leave a grandchild in a new session (pid in $CFA_ROOT/stray.pid)
 * Every start appends a line to $CFA_ROOT/starts.
 */
export const MACHINE_SCRIPT = `#!/usr/bin/env bash
echo "machine \${FLY_MACHINE_ID} up in \${CFA_ROOT}"
echo start >> "\${CFA_ROOT}/starts"
if [ -n "\${SPAWN_STRAY:-}" ]; then
  setsid sleep 300 </dev/null >/dev/null 2>&1 &
  echo $! > "\${CFA_ROOT}/stray.pid"
fi
if [ -n "\${EXIT_AFTER:-}" ]; then
  sleep "\${EXIT_AFTER}"
  exit "\${EXIT_CODE:-0}"
fi
trap 'echo stopping; exit 0' INT TERM
while :; do
  sleep 60 &
  wait $!
done
`;

/** Write the script into a fresh directory under `parent` (parallel runs never rewrite one in use). */
export function writeMachineScript(parent: string): string {
  mkdirSync(parent, { recursive: true });
  const path = join(mkdtempSync(join(parent, 'script-')), 'machine.sh');
  writeFileSync(path, MACHINE_SCRIPT);
  chmodSync(path, 0o755);
  return path;
}

export function launchScript(path: string): (ctx: LaunchContext) => LaunchSpec {
  return (ctx) => ({ command: path, args: [], env: ctx.env });
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** One request to the emulator; `auth` overrides the Authorization header (null = none). */
export async function callApi(
  fly: FlyEmulator,
  method: string,
  path: string,
  body?: unknown,
  auth: string | null = `FlyV1 ${fly.token}`,
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (auth !== null) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(fly.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Alive = exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !processGone(pid);
}
