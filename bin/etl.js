#!/usr/bin/env node
// Shim: all logic lives in src/ (compiled to dist/ by `npm install`'s prepare step).
import '../dist/cli/entry.js';
