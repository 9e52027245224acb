// Identifiers and derived fields that look like Fly's: 14-hex machine ids,
// ULID-like instance ids, 6PN addresses, "adjective-noun-1234" names, and an
// image_ref split out of config.image.
import { randomBytes, createHash } from 'node:crypto';

export function machineId(): string {
  return randomBytes(7).toString('hex');
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 26 characters of Crockford base32, time first, like a ULID. */
export function instanceId(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rand = [...randomBytes(16)].map((b) => CROCKFORD[b % 32]).join('');
  return time + rand;
}

export function requestId(region: string): string {
  return `${instanceId()}-${region}`;
}

export function privateIp(): string {
  const h = () => randomBytes(2).toString('hex').replace(/^0+(?=.)/, '');
  return `fdaa:0:${h()}:a7b:${h()}:${h()}:${h()}:2`;
}

const ADJECTIVES = ['aged', 'bold', 'calm', 'damp', 'eager', 'fancy', 'green', 'hidden', 'late', 'quiet', 'round', 'small'];
const NOUNS = ['thunder', 'wind', 'river', 'meadow', 'forest', 'sun', 'frost', 'dust', 'wave', 'pine', 'star', 'field'];

export function machineName(): string {
  const [a, b, c] = randomBytes(3);
  return `${ADJECTIVES[a! % ADJECTIVES.length]}-${NOUNS[b! % NOUNS.length]}-${1000 + (c! * 37) % 9000}`;
}

/** RFC3339 in UTC with second precision, as Fly serves created_at/updated_at. */
export function rfc3339Seconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface ImageRef {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
}

/** Split "registry/repo:tag@sha256:..." the way a Docker reference reads. */
export function imageRef(image: string): ImageRef {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  let registry = 'registry-1.docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
  }
  if (registry === 'registry-1.docker.io' && parts.length === 1) parts.unshift('library');
  if (!tag && !digest) tag = 'latest';
  if (!digest) digest = 'sha256:' + createHash('sha256').update(image).digest('hex');
  return { registry, repository: parts.join('/'), tag, digest };
}
