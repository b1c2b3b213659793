import { defineConfig } from 'vite';

/**
 * The operator console (console/src) builds into dist/console and is served by the server
 * at /console/. `npm run console:dev` serves it with hot reload against a running server
 * (`npm start`), proxying the API, the operator WebSocket and the job dashboard.
 */
const server = process.env.LIVEHOST_SERVER ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'console/src',
  base: '/console/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The bootstrap measures nothing here; bench:console reports sizes.
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': server,
      '/jobs': server,
      '/ws': { target: server.replace(/^http/, 'ws'), ws: true },
    },
  },
});
