import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dev server injects inline scripts (React refresh preamble) and an HMR socket that the production CSP
 * forbids; the meta tag is dropped only while serving, never from the built index.html.
 */
function devWithoutCsp(): Plugin {
  return {
    name: 'kraken-dev-without-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[\s\S]*?\/>/, ''),
  };
}

// `KRAKEN_HOST=http://127.0.0.1:PORT npx vite --config renderer/vite.config.mts` develops the UI against a
// running browser host: its IPC socket, uploads and files are proxied.
const host = process.env.KRAKEN_HOST;

export default defineConfig({
  root,
  base: './',
  plugins: [react(), devWithoutCsp()],
  build: {
    outDir: '../dist/renderer',
    // Emptied on each build: so `npm run build` builds the renderer first — tsc (build:node) then adds the locale JSON
    // files the Electron tray imports (dist/renderer/src/i18n/locales, see main/electron-main/contributor-shell.ts).
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
  },
  server: host
    ? {
        proxy: {
          '/ipc': { target: host.replace(/^http/, 'ws'), ws: true },
          '/upload': host,
          '/files': host,
        },
      }
    : undefined,
});
