import { describe, expect, it } from 'vitest';
import { assertNoSecrets, buildMachineConfig, parseVmSize, runMetadata, VM_SIZE_NAMES } from '../../src/fly/machine-config.ts';

const tags = { nonce: 'b7f3c0de', runId: 123456, runAttempt: 2, job: 'review', deadlineEpochSeconds: 1_700_003_600.7 };

describe('buildMachineConfig', () => {
  const request = buildMachineConfig({
    image: ' registry.fly.io/cfa:1.2.3 ',
    region: 'fra',
    guest: parseVmSize('performance-2x'),
    env: { CFA_DEADLINE: '1700003600', CFA_LINGER_SECONDS: '120' },
    metadata: runMetadata(tags),
  });

  it('never leaves a machine behind: auto_destroy and restart "no"', () => {
    expect(request.config.auto_destroy).toBe(true);
    expect(request.config.restart).toEqual({ policy: 'no' });
  });

  it('carries image, region, guest, env, stop_config, and no init (the image entrypoint runs)', () => {
    expect(request.region).toBe('fra');
    expect(request.config.image).toBe('registry.fly.io/cfa:1.2.3');
    expect(request.config.guest).toEqual({ cpu_kind: 'performance', cpus: 2, memory_mb: 4096 });
    expect(request.config.env).toEqual({ CFA_DEADLINE: '1700003600', CFA_LINGER_SECONDS: '120' });
    expect(request.config.stop_config).toEqual({ signal: 'SIGTERM', timeout: '30s' });
    expect('init' in request.config).toBe(false);
    expect('name' in request).toBe(false);
  });

  it('tags metadata with string values', () => {
    expect(request.config.metadata).toEqual({
      'cfa-nonce': 'b7f3c0de',
      'cfa-run-id': '123456',
      'cfa-run-attempt': '2',
      'cfa-job': 'review',
      'cfa-deadline': '1700003600',
      'cfa-action': 'claude-fly-action',
    });
    for (const v of Object.values(request.config.metadata!)) expect(typeof v).toBe('string');
  });

  it('passes an init override and a stop timeout when asked', () => {
    const r = buildMachineConfig({ image: 'x', guest: parseVmSize('shared-cpu-1x'), metadata: {}, init: { cmd: ['cfa-entrypoint'] }, stopTimeoutSeconds: 5, name: 'cfa-1' });
    expect(r.config.init).toEqual({ cmd: ['cfa-entrypoint'] });
    expect(r.config.stop_config?.timeout).toBe('5s');
    expect(r.name).toBe('cfa-1');
    expect('region' in r).toBe(false);
  });

  it('rejects an empty image, bad env names and bad metadata', () => {
    const guest = parseVmSize('shared-cpu-1x');
    expect(() => buildMachineConfig({ image: '  ', guest, metadata: {} })).toThrow(/image is empty/);
    expect(() => buildMachineConfig({ image: 'x', guest, metadata: {}, env: { 'BAD-NAME': '1' } })).toThrow(/BAD-NAME/);
    expect(() => buildMachineConfig({ image: 'x', guest, metadata: { n: 5 as unknown as string } })).toThrow(/metadata n/);
  });

  it('runMetadata refuses an empty nonce or a bad deadline', () => {
    expect(() => runMetadata({ ...tags, nonce: '' })).toThrow(/nonce/);
    expect(() => runMetadata({ ...tags, deadlineEpochSeconds: Number.NaN })).toThrow(/deadline/);
  });
});

describe('parseVmSize', () => {
  it.each([
    ['shared-cpu-1x', undefined, { cpuKind: 'shared', cpus: 1, memoryMb: 256 }],
    ['shared-cpu-2x', undefined, { cpuKind: 'shared', cpus: 2, memoryMb: 512 }],
    ['shared-cpu-4x', '', { cpuKind: 'shared', cpus: 4, memoryMb: 1024 }],
    ['shared-cpu-8x', 0, { cpuKind: 'shared', cpus: 8, memoryMb: 2048 }],
    ['performance-1x', undefined, { cpuKind: 'performance', cpus: 1, memoryMb: 2048 }],
    ['performance-16x', undefined, { cpuKind: 'performance', cpus: 16, memoryMb: 32768 }],
    ['Shared-CPU-1x ', 2048, { cpuKind: 'shared', cpus: 1, memoryMb: 2048 }],
    ['shared-cpu-2x', '1024', { cpuKind: 'shared', cpus: 2, memoryMb: 1024 }],
    ['performance-2x', 16384, { cpuKind: 'performance', cpus: 2, memoryMb: 16384 }],
    ['performance-1x', 8192, { cpuKind: 'performance', cpus: 1, memoryMb: 8192 }],
  ])('%s with %j MB', (name, memory, guest) => {
    expect(parseVmSize(name, memory)).toEqual(guest);
  });

  it('knows all nine presets', () => {
    expect(VM_SIZE_NAMES).toEqual([
      'shared-cpu-1x', 'shared-cpu-2x', 'shared-cpu-4x', 'shared-cpu-8x',
      'performance-1x', 'performance-2x', 'performance-4x', 'performance-8x', 'performance-16x',
    ]);
  });

  it.each(['shared-cpu-3x', 'performance-32x', 'dedicated-cpu-1x', 'large', '', 'shared-cpu-x'])('rejects size %j naming fly-vm-size and the choices', (name) => {
    expect(() => parseVmSize(name)).toThrow(/fly-vm-size .*use one of: shared-cpu-1x, .*performance-16x/);
  });

  it.each([
    ['shared-cpu-1x', 4096, /fly-vm-memory-mb 4096 is not allowed; use a multiple of 256 from 256 to 2048 for shared-cpu-1x/],
    ['shared-cpu-2x', 256, /from 512 to 4096/],
    ['shared-cpu-1x', 300, /multiple of 256/],
    ['performance-1x', 1024, /from 2048 to 8192 for performance-1x/],
    ['performance-4x', 40960, /from 8192 to 32768/],
    ['shared-cpu-1x', '1.5', /fly-vm-memory-mb "1.5" is not a whole number/],
    ['shared-cpu-1x', 'lots', /not a whole number/],
    ['shared-cpu-1x', -256, /not a whole number/],
  ])('rejects %s with %j MB', (name, memory, message) => {
    expect(() => parseVmSize(name, memory)).toThrow(message);
  });
});

describe('assertNoSecrets', () => {
  const key = 'sk-ant-api03-AAAABBBBCCCC';
  const base = buildMachineConfig({ image: 'x', guest: parseVmSize('shared-cpu-1x'), env: { CFA_DEADLINE: '1' }, metadata: runMetadata(tags) });

  it('passes a clean config', () => {
    expect(() => assertNoSecrets(base, [key, 'ghp_0123456789', undefined, ''])).not.toThrow();
  });

  it('finds a secret in env, metadata, init args, a key, or a base64 file, and names where without the secret', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...base, config: { ...base.config, env: { ANTHROPIC_API_KEY: key } } }, /at config\.env\.ANTHROPIC_API_KEY\./],
      [{ ...base, config: { ...base.config, metadata: { note: `x${key}y` } } }, /metadata\.note/],
      [{ ...base, config: { ...base.config, init: { cmd: ['run', key] } } }, /init\.cmd\[1\]/],
      [{ ...base, config: { ...base.config, env: { [key]: '1' } } }, /config\.env \(a key\)/],
      [{ ...base, config: { ...base.config, files: [{ guest_path: '/k', raw_value: Buffer.from(`KEY=${key}\n`).toString('base64') }] } }, /files\[0\]\.raw_value \(base64\)/],
    ];
    for (const [config, where] of cases) {
      let message = '';
      try {
        assertNoSecrets(config, [key]);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(where);
      expect(message).toMatch(/exec stdin/);
      expect(message).not.toContain(key);
    }
  });

  it('ignores secrets too short to look for (they would match ordinary words like "no")', () => {
    expect(() => assertNoSecrets(base, ['no', 'x'])).not.toThrow();
    expect(() => assertNoSecrets(base, ['shared'])).toThrow(/guest\.cpu_kind/);
  });
});
