#!/usr/bin/env node
// `npm run bench [-- name…]`: runs every bench/<name>.bench.ts (or the named ones) one after another.
// Each benchmark compares the studio with the raw tool on the same input in the same run, prints
// ratios and writes bench/results/<name>.json; the README quotes those files.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const wanted = process.argv.slice(2);
const all = fs.readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, ''));
const names = wanted.length ? wanted : all;
const unknown = names.filter((n) => !all.includes(n));
if (unknown.length) {
  console.error(`bench: unknown benchmark(s) ${unknown.join(', ')}; have: ${all.join(', ')}`);
  process.exit(2);
}
spawnSync('node', ['scripts/make-sample.mjs'], { stdio: 'inherit' });
let failed = 0;
for (const name of names) {
  console.log(`\n=== bench ${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.bench.ts`], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${name} failed (exit ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
