/**
 * Where the source tree is, for the few files read at run time (locales, CSS, the browser islands). In the bundle
 * that bin/outcry.js builds, import.meta.url points at the bundle, so the bundler defines the folder instead.
 */
import { fileURLToPath } from 'node:url';

declare const __OUTCRY_SRC_DIR__: string | undefined;

export const SRC_DIR: string = typeof __OUTCRY_SRC_DIR__ === 'string' ? __OUTCRY_SRC_DIR__ : fileURLToPath(new URL('.', import.meta.url));
