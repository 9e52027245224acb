import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The podman tests build and run the real image: `npm run test:image` (vitest.image.config.ts).
    exclude: [...configDefaults.exclude, 'test/image-podman/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
