// The built image stores every large file once: a layer that rewrites a file
// (a `RUN chmod` after its COPY) stores all of it again, as the 381 MB Claude
// binary once was (1.08 GB image instead of 699 MB).
import { describe, expect, inject, it } from 'vitest';
import { imageLayers, parseTarListing, storedTwice, type Layer } from './layers.ts';

const MiB = 1 << 20;

describe('the layers of the built image', () => {
  it('store no file over 1 MiB twice', async () => {
    const layers = await imageLayers(inject('machineImage'));
    // The listing sees the image's files: the base's, and Claude's binary in a layer of its own.
    expect(layers.length).toBeGreaterThan(3);
    expect(layers[0]?.files.has('usr/bin/bash')).toBe(true);
    const claude = layers.filter((l) => (l.files.get('usr/local/bin/claude') ?? 0) > 100 * MiB);
    expect(claude).toHaveLength(1);
    expect(storedTwice(layers, MiB)).toEqual([]);
  });
});

describe('the check for files stored twice', () => {
  const layer = (files: Record<string, number>): Layer => ({ digest: 'sha256:x', files: new Map(Object.entries(files)) });

  it('names a large file that two layers store, and the layers', () => {
    const layers = [layer({ 'usr/bin/bash': 1_200_000, 'usr/local/bin/claude': 381 * MiB }), layer({ 'etc/passwd': 900 }), layer({ 'usr/local/bin/claude': 381 * MiB })];
    expect(storedTwice(layers, MiB)).toEqual([{ path: 'usr/local/bin/claude', size: 381 * MiB, layers: [0, 2] }]);
  });

  it('leaves out small files stored twice (a rewritten /etc/passwd is expected)', () => {
    expect(storedTwice([layer({ 'etc/passwd': 900 }), layer({ 'etc/passwd': 950 })], MiB)).toEqual([]);
  });

  it('reads regular files and their sizes from a verbose tar listing', () => {
    const listing = [
      'drwxr-xr-x 0/0               0 2025-05-01 12:00:00 usr/local/bin/',
      '-rwxr-xr-x 0/0       381121040 2025-05-01 12:00:00 usr/local/bin/claude',
      'lrwxrwxrwx 0/0               0 2025-05-01 12:00:00 usr/bin/sh -> dash',
      'hrwxr-xr-x 0/0               0 2025-05-01 12:00:00 usr/bin/x link to usr/bin/y',
      '-rw-r--r-- 1000/1000          12 2025-05-01 12:00:00 ./home/agent/a file',
    ].join('\n');
    expect([...parseTarListing(listing)]).toEqual([
      ['usr/local/bin/claude', 381121040],
      ['home/agent/a file', 12],
    ]);
  });
});
