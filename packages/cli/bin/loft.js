#!/usr/bin/env node
// The `loft` command: runs the compiled client (build it with `npm run build -w @loft/cli`).
import '../dist/main.js';
