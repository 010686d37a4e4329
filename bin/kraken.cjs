#!/usr/bin/env node
// The `kraken` command: runs the compiled CLI (build it with `npm run build`).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'main', 'cli', 'index.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('kraken: the studio is not built yet. Run `npm run build` in ' + path.dirname(__dirname) + '\n');
  process.exit(1);
}
require(entry).main();
