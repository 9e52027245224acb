import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateDefault, inputEnvName, loadActionManifest, parseActionManifest, resolveInputs } from './action-manifest.ts';

describe('action manifest', () => {
  it("loads the project's action.yml", () => {
    const manifest = loadActionManifest(join(import.meta.dirname, '..', '..', 'action.yml'));
    expect(manifest.runs).toEqual({ using: 'node24', main: 'dist/main/index.js', post: 'dist/post/index.js', postIf: 'always()' });
    expect(manifest.inputs.find((i) => i.name === 'tool-output')?.default).toBe('truncated');
  });

  it('rejects ${{ }} outside input defaults, as the runner refuses to load such an action', () => {
    const yml = (extra: string): string =>
      `name: t\ndescription: t\ninputs:\n  a:\n    description: x\n    default: \${{ github.token }}\nruns:\n  using: node24\n  main: m.js\n${extra}`;
    expect(() => parseActionManifest(yml(''), '/x')).not.toThrow();
    expect(() => parseActionManifest(yml('  post-if: ${{ always() }}\n'), '/x')).toThrow(/runs\.post-if/);
  });

  it('evaluates defaults with the expression values given, others empty', () => {
    expect(evaluateDefault('${{ github.token }}', { 'github.token': 't' })).toBe('t');
    expect(evaluateDefault('a-${{github.run_id}}-${{ x }}', { 'github.run_id': '7' })).toBe('a-7-');
  });

  it('merges given inputs and defaults case-insensitively and lists unexpected ones', () => {
    const manifest = parseActionManifest(
      'name: t\ndescription: t\ninputs:\n  Mode:\n    description: x\n    default: fast\n  other:\n    description: x\nruns:\n  using: node24\n  main: m.js\n',
      '/x',
    );
    expect(resolveInputs(manifest, { mode: 'slow', zzz: '1' })).toEqual({ inputs: { mode: 'slow', zzz: '1', other: '' }, unexpected: ['zzz'] });
  });

  it('names input variables like the runner', () => {
    expect(inputEnvName('tool-output')).toBe('INPUT_TOOL-OUTPUT');
    expect(inputEnvName('my input')).toBe('INPUT_MY_INPUT');
    expect(inputEnvName('straße')).toBe('INPUT_STRAßE');
  });
});
