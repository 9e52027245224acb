// This build's version, baked into dist at build time (ncc inlines the JSON),
// so `uses: ./` and SHA pins still know which image they were built with.
import pkg from '../package.json' with { type: 'json' };

export const ACTION_VERSION: string = pkg.version;
/** Where the image workflow publishes the machine image. */
export const IMAGE_REPOSITORY: string = pkg.config.imageRepository;
/** The image built from this version of the action. */
export const DEFAULT_IMAGE = `${IMAGE_REPOSITORY}:v${ACTION_VERSION}`;
