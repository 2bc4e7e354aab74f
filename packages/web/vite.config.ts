import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { serviceWorker } from './build/service-worker-plugin.js';

export default defineConfig({
  plugins: [react(), serviceWorker()],
  resolve: {
    // The SDK is consumed from source: its runtime is a few lines around openapi-fetch.
    alias: { '@loft/sdk': fileURLToPath(new URL('../sdk/src/index.ts', import.meta.url)) },
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
