// The layers import downwards only: the pure stream layer (lines, events, run
// state) knows nothing of reports, runs, Fly, GitHub or the runner, so it stays
// pure and testable alone. Read from the sources' import lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function importsOf(dir: string): { file: string; from: string }[] {
  return readdirSync(join(SRC, dir))
    .filter((f) => f.endsWith('.ts'))
    .flatMap((file) =>
      [...readFileSync(join(SRC, dir, file), 'utf8').matchAll(/^import\s[^;]*?from\s+'([^']+)';/gms)].map((m) => ({ file: `${dir}/${file}`, from: m[1] as string })),
    );
}

describe('layers', () => {
  it('src/stream imports only itself and node built-ins', () => {
    const imports = importsOf('stream');
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => !i.from.startsWith('./') && !i.from.startsWith('node:'))).toEqual([]);
  });

  it('src/report imports neither the run nor Fly nor the runner', () => {
    const outward = importsOf('report').filter((i) => /^\.\.\/(run|fly|transport|machine|action-io|main|post)\b/.test(i.from) || i.from.startsWith('@actions/'));
    expect(outward).toEqual([]);
  });
});

describe('function length', () => {
  it('no function in src/ is longer than 80 lines', async () => {
    const { longFunctions } = await import('../tools/long-functions.ts');
    expect(longFunctions(SRC, 80)).toEqual([]);
    // The checker does find long functions (so the empty list above means something).
    expect(longFunctions(SRC, 30).length).toBeGreaterThan(0);
  });
});
