// Vite + Vitest config for the web UI: root is apps/ui, output apps/ui/dist (served by the server),
// relative asset URLs so the app works under a server base_path.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  cacheDir: here('../../node_modules/.vite/ui'),
  plugins: [react()],
  resolve: {
    alias: { '@streamkit/pipeline': here('../../libs/pipeline/src') },
  },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: 3045,
    proxy: {
      '/api': { target: 'http://127.0.0.1:4545', changeOrigin: false, ws: true },
      '/healthz': 'http://127.0.0.1:4545',
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/testing/setup.ts'],
  },
});
