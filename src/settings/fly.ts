// Where and on what the machine runs: the Fly app, regions, API URL, guest
// size and image. The Fly token is a credential (see credentials.ts).
import { parseVmSize, type GuestSize } from '../fly/machine-config.ts';
import { quote, quoteList, splitList } from '../input-text.ts';
import { httpUrlProblem, trimmed, type Problems } from './parse.ts';
import type { InputReader, Settings } from './types.ts';

export const DEFAULT_FLY_API_URL = 'https://api.machines.dev';
export const DEFAULT_VM_SIZE = 'shared-cpu-2x';
export const DEFAULT_VM_MEMORY_MB = 2048;

const REGION = /^[a-z]{3}$/;
// Fly app names are DNS labels: lower-case letters, digits and inner hyphens.
const FLY_APP = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// registry[:port]/path[:tag][@sha256:digest]; path components lower-case, as Docker requires.
const IMAGE_REF =
  /^[A-Za-z0-9][A-Za-z0-9.-]*(?::\d+)?(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export type FlySection = Omit<Settings['fly'], 'token'>;

/** defaultImage: this build's image, used when the image input is empty. */
export function readFly(input: InputReader, problems: Problems, defaultImage: string): FlySection {
  const get = trimmed(input);
  const app = get('fly-app');
  if (!app) problems.add('fly-app is required: the name of the Fly app the machines run in.');
  else if (!FLY_APP.test(app)) {
    problems.add(`fly-app ${quote(app)} is not a Fly app name; use 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit.`);
  }
  const regions = splitList(get('fly-region'));
  const badRegions = regions.filter((r) => !REGION.test(r));
  if (badRegions.length > 0) {
    problems.add(`fly-region ${quoteList(badRegions)} ${badRegions.length === 1 ? 'is not a Fly region code' : 'are not Fly region codes'}; use three lower-case letters such as iad or ams, or a list of them.`);
  }
  const apiUrl = get('fly-api-url') || DEFAULT_FLY_API_URL;
  const urlProblem = httpUrlProblem(apiUrl, 'fly-api-token');
  if (urlProblem) problems.add(`fly-api-url ${urlProblem}; use an http(s) base URL such as ${DEFAULT_FLY_API_URL}.`);
  const sizeName = get('fly-vm-size') || DEFAULT_VM_SIZE;
  const guest = readGuest(sizeName, get('fly-vm-memory-mb'), problems);
  const imageInput = get('image');
  if (imageInput && !IMAGE_REF.test(imageInput)) {
    problems.add(`image ${quote(imageInput)} is not an image reference; use registry/name:tag or registry/name@sha256:digest (or leave it empty for this version's image).`);
  }
  return { app, regions, apiUrl: apiUrl.replace(/\/+$/, ''), sizeName, guest, image: imageInput || defaultImage };
}

function readGuest(sizeName: string, memoryText: string, problems: Problems): GuestSize {
  try {
    const guest = parseVmSize(sizeName, memoryText);
    // Shared presets default to 256 MB a CPU, too little for Claude Code: give them 2048 MB unless told otherwise.
    if (!memoryText && guest.cpuKind === 'shared' && guest.memoryMb < DEFAULT_VM_MEMORY_MB) {
      return parseVmSize(sizeName, String(DEFAULT_VM_MEMORY_MB));
    }
    return guest;
  } catch (err) {
    problems.add((err as Error).message);
    return { cpuKind: 'shared', cpus: 2, memoryMb: DEFAULT_VM_MEMORY_MB };
  }
}
