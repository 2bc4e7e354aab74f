import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

/**
 * Emits sw.js with the app shell's file list baked in. The worker caches only that shell
 * (HTML, hashed assets, icons), never API answers or file bytes.
 */
export function serviceWorker(): Plugin {
  return {
    name: 'loft-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const assets = Object.keys(bundle)
        .filter((f) => !f.endsWith('.map') && f !== 'sw.js')
        .map((f) => `/${f}`);
      const shell = [
        '/index.html',
        '/manifest.webmanifest',
        '/icon.svg',
        '/icon-192.png',
        '/icon-512.png',
        '/icon-maskable-512.png',
        '/theme-init.js',
      ];
      const files = [...new Set([...shell, ...assets])].sort();
      const version = hash(files.join('\n'));
      const template = readFileSync(fileURLToPath(new URL('./sw-template.js', import.meta.url)), 'utf8');
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: template
          .replace('__SHELL_FILES__', JSON.stringify(files))
          .replace('__SHELL_VERSION__', JSON.stringify(version)),
      });
    },
  };
}

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
