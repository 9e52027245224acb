// `npm run test:image`: the machine image built from image/Dockerfile with podman
// (test/image-podman/build.ts, once, in globalSetup) and run as containers. Apart
// from `npm test`, which must not need podman.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/image-podman/**/*.test.ts'],
    globalSetup: ['test/image-podman/global-setup.ts'],
    // Containers and the real Claude Code share two cores: one file at a time.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
