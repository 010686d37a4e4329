/**
 * A comment scripts/bundle-preload.mjs puts at the top of dist/preload/index.js. tsc emits an unbundled file at
 * the same path; the main process refuses to start a window with that one (a sandboxed preload cannot
 * require local files, and the page would silently get no API).
 */
export const PRELOAD_BUNDLE_MARKER = 'kraken-preload-bundle:v1';
