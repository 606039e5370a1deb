import { createRequire } from 'node:module';

/**
 * flowshift's version, from package.json: read at run time, because the
 * build's rootDir is src/ and package.json sits one level up from both src/
 * and dist/.
 */
export const FLOWSHIFT_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
