// Builds the image once for every podman test file, and hands them its name.
import type { TestProject } from 'vitest/node';
import { buildImage } from './build.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The machine image built from image/Dockerfile, in podman's storage under CACHE_DIR. */
    machineImage: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const image = await buildImage();
  project.provide('machineImage', image.ref);
}
