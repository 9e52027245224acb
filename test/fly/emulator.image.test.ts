// The emulator's default machine: the image's real entrypoint in plain-host
// mode, driven over exec as the action drives it (protocol v1: cfa-read,
// cfa-handover). Skipped while image/bin/cfa-entrypoint does not exist.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entrypointPath, startFlyEmulator, type FlyEmulator } from './emulator.ts';
import { callApi } from './emulator/testing.ts';

const hasImage = existsSync(entrypointPath());

/** A scripted `claude` in a fresh directory: one stream-json result line on stdout, a note on stderr. */
function writeFakeClaude(): string {
  mkdirSync('/tmp/fly-emulator', { recursive: true });
  const dir = mkdtempSync('/tmp/fly-emulator/claude-');
  const path = join(dir, 'claude');
  writeFileSync(
    path,
    `#!/usr/bin/env bash
prompt=$(cat)
echo "fake claude got \${#prompt} prompt bytes" >&2
printf '%s\\n' '{"type":"result","subtype":"success","is_error":false,"result":"done","num_turns":1}'
`,
  );
  chmodSync(path, 0o755);
  return dir;
}

interface ReadAnswer {
  v: number;
  state: string;
  reason: string | null;
  exit_code: number | null;
  channels: Record<string, { offset: number; next: number; size: number; data: string }>;
}

let fly: FlyEmulator | undefined;
afterAll(async () => {
  await fly?.close();
});

describe('the real image entrypoint (image/bin/cfa-entrypoint)', () => {
  // Skipped, with this reason in its name, while the image's scripts do not exist.
  const title = 'starts as the machine, takes a handover over exec stdin, runs claude and is read to the end';
  it.skipIf(!hasImage)(hasImage ? title : `[skipped: image/bin/cfa-entrypoint is missing] ${title}`, async () => {
    fly = await startFlyEmulator({ claudeDir: writeFakeClaude(), rateLimits: false });
    const app = fly.appName;
    const deadline = Math.floor(Date.now() / 1000) + 120;
    const created = await callApi(fly, 'POST', `/v1/apps/${app}/machines`, {
      config: {
        image: 'ghcr.io/example/claude-fly-action:test',
        auto_destroy: true,
        restart: { policy: 'no' },
        env: { CFA_DEADLINE: String(deadline), CFA_HANDOVER_TIMEOUT: '30', CFA_LINGER_SECONDS: '1' },
      },
    });
    expect(created.status).toBe(200);
    const id = (created.json as { id: string }).id;
    expect((await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}/wait?state=started&timeout=10`)).status).toBe(200);

    const exec = async (command: string[], stdin?: string) => {
      const res = await callApi(fly!, 'POST', `/v1/apps/${app}/machines/${id}/exec`, { command, timeout: 20, ...(stdin === undefined ? {} : { stdin }) });
      expect(res.status).toBe(200);
      return res.json as { exit_code?: number; stdout?: string; stderr?: string };
    };

    const first = await exec(['cfa-read', '--wait-ms', '2000']);
    const firstAnswer = JSON.parse(first.stdout ?? '') as ReadAnswer;
    expect(firstAnswer.v).toBe(1);

    const handover = await exec(
      ['cfa-handover'],
      JSON.stringify({ version: 1, prompt: 'say done', anthropic_api_key: 'sk-ant-test-not-a-key', repos: [], claude_args: [] }),
    );
    expect(handover.exit_code ?? 0).toBe(0);
    expect(JSON.parse(handover.stdout ?? '')).toEqual({ ok: true });

    const offsets: Record<string, number> = { setup: 0, out: 0, err: 0 };
    const text: Record<string, string> = { setup: '', out: '', err: '' };
    let last: ReadAnswer | undefined;
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      const read = await exec(['cfa-read', '--setup', String(offsets.setup), '--out', String(offsets.out), '--err', String(offsets.err), '--wait-ms', '2000']);
      last = JSON.parse(read.stdout ?? '') as ReadAnswer;
      for (const name of ['setup', 'out', 'err']) {
        const ch = last.channels[name]!;
        text[name] += Buffer.from(ch.data, 'base64').toString('utf8');
        offsets[name] = ch.next;
      }
      const drained = Object.values(last.channels).every((c) => c.next === c.size);
      if (last.state === 'exited' && drained) break;
    }
    expect(last?.state, text.setup).toBe('exited');
    expect(last?.exit_code).toBe(0);
    expect(text.out).toContain('"type":"result"');
    expect(text.err).toContain('fake claude got 8 prompt bytes');

    // After the linger the entrypoint exits; auto_destroy removes the machine.
    const destroyed = await callApi(fly, 'GET', `/v1/apps/${app}/machines/${id}/wait?state=destroyed&timeout=30`);
    expect(destroyed.status).toBe(200);
    const exitEvent = fly.machine(id).events.find((e) => e.type === 'exit');
    expect((exitEvent?.request as { exit_event: Record<string, unknown> }).exit_event.exit_code).toBeUndefined();
    // No secret in what the client sent as config.
    expect(JSON.stringify(fly.machine(id).requestedConfig)).not.toContain('sk-ant');
    expect(fly.liveProcessCount()).toBe(0);
  });
});
