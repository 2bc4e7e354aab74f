/**
 * Writes openapi.json and src/schema.ts from the server's own route schemas, so the SDK can never
 * drift from the API: the server is built in memory (no port) on a throw-away data directory.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSdkSources } from './render.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { json, types } = await renderSdkSources();
writeFileSync(`${root}/openapi.json`, json);
writeFileSync(`${root}/src/schema.ts`, types);
console.log('wrote packages/sdk/openapi.json and packages/sdk/src/schema.ts');
