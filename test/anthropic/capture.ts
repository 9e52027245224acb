// Captures real CLI transcripts against the stand-in:
//   node test/anthropic/capture.ts [name ...]
// writes test/fixtures/transcripts/<name>.jsonl (the CLI's stdout, byte for byte)
// and <name>.stderr.txt when stderr is not empty, and prints what happened.
// Workspaces go to /tmp/standin/capture/<name>. Re-runnable: ids, timestamps and
// durations change from run to run, the sequence of lines barely does (max-budget:
// the Bash result line may or may not come before the result). auth-failure takes
// about three minutes: the CLI retries a 401 ten times before it gives up.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNS, runScripted } from './runs.ts';

const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'transcripts');
const WORK_ROOT = '/tmp/standin/capture';

function describeLine(l: Record<string, unknown>): string {
  const sub = typeof l.subtype === 'string' ? `/${l.subtype}` : '';
  return `${String(l.type)}${sub}`;
}

async function capture(name: string): Promise<void> {
  const run = await runScripted(name, join(WORK_ROOT, name));
  writeFileSync(join(OUT_DIR, `${name}.jsonl`), run.stdout);
  const stderrFile = join(OUT_DIR, `${name}.stderr.txt`);
  if (run.stderr !== '') writeFileSync(stderrFile, run.stderr);
  else rmSync(stderrFile, { force: true });
  const counts = new Map<string, number>();
  for (const l of run.lines) counts.set(describeLine(l), (counts.get(describeLine(l)) ?? 0) + 1);
  const longest = Math.max(0, ...run.stdout.toString().split('\n').map((l) => Buffer.byteLength(l)));
  const t0 = run.requests[0]?.receivedAt ?? 0;
  const requests = run.requests
    .map((r) => `${r.receivedAt - t0}ms ${r.kind}${r.scenario ? ` ${r.scenario}#${r.step}/${r.attempt}` : ''} ${r.status}`)
    .join(', ');
  process.stdout.write(
    [
      `== ${name}: exit ${run.code} signal ${run.signal} in ${run.durationMs} ms; ${run.lines.length} lines, ${run.stdout.length} bytes, longest line ${longest} bytes`,
      `   lines: ${[...counts].map(([k, n]) => `${k} x${n}`).join(', ')}`,
      `   requests: ${requests}`,
      run.stderr !== '' ? `   stderr: ${run.stderr.trim().slice(0, 300)}` : '   stderr: (empty)',
      '',
    ].join('\n'),
  );
}

const names = process.argv.slice(2);
mkdirSync(OUT_DIR, { recursive: true });
for (const name of names.length > 0 ? names : Object.keys(RUNS)) {
  if (RUNS[name] === undefined) {
    process.stderr.write(`unknown run ${name}; known: ${Object.keys(RUNS).join(', ')}\n`);
    process.exit(2);
  }
  await capture(name);
}
