// The files each layer of a built image stores, read from the image as
// `podman save` writes it (an OCI layout: index, manifest, one tar per layer).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, podmanOk, runCommand } from './podman.ts';

export interface Layer {
  digest: string;
  /** Regular files: path in the image -> size in bytes. */
  files: Map<string, number>;
}

export interface StoredTwice {
  path: string;
  size: number;
  /** Indexes (from the base up) of the layers that hold it. */
  layers: number[];
}

// One line of `tar --list --verbose --numeric-owner --full-time`:
//   -rwxr-xr-x 0/0   381121040 2025-05-01 12:00:00 usr/local/bin/claude
const TAR_LINE = /^(\S)\S{9}\s+\d+\/\d+\s+(\d+)\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (.*)$/;

/** Parses a tar listing into its regular files and their sizes. */
export function parseTarListing(listing: string): Map<string, number> {
  const files = new Map<string, number>();
  for (const line of listing.split('\n')) {
    const m = TAR_LINE.exec(line);
    if (!m || m[1] !== '-') continue;
    files.set((m[3] as string).replace(/^\.\//, ''), Number(m[2]));
  }
  return files;
}

/** Files of at least minBytes that more than one layer stores (a later layer rewrote them whole). */
export function storedTwice(layers: readonly Layer[], minBytes: number): StoredTwice[] {
  const seen = new Map<string, StoredTwice>();
  layers.forEach((layer, index) => {
    for (const [path, size] of layer.files) {
      if (size < minBytes) continue;
      const entry = seen.get(path) ?? { path, size, layers: [] };
      entry.size = Math.max(entry.size, size);
      entry.layers.push(index);
      seen.set(path, entry);
    }
  });
  return [...seen.values()].filter((e) => e.layers.length > 1);
}

/** The layers of an image in podman's storage, base first, each with its files. */
export async function imageLayers(ref: string): Promise<Layer[]> {
  const dir = mkdtempSync(join(CACHE_DIR, 'save-'));
  try {
    const layout = join(dir, 'layout');
    await podmanOk(['save', '--format', 'oci-dir', '--uncompressed', '-o', layout, ref]);
    const blob = (digest: string) => join(layout, 'blobs', ...digest.split(':'));
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifestDigest = index.manifests[0]?.digest;
    if (!manifestDigest) throw new Error(`podman save wrote no manifest for ${ref}`);
    const manifest = JSON.parse(readFileSync(blob(manifestDigest), 'utf8')) as { layers: { digest: string }[] };
    const layers: Layer[] = [];
    for (const { digest } of manifest.layers) {
      // tar detects a compressed layer by itself.
      const listing = await runCommand('tar', ['--list', '--verbose', '--numeric-owner', '--full-time', '-f', blob(digest)]);
      if (listing.code !== 0) throw new Error(`cannot list layer ${digest}: ${listing.stderr}`);
      layers.push({ digest, files: parseTarListing(listing.stdout) });
    }
    return layers;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
