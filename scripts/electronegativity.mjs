#!/usr/bin/env node
// `npm run audit:electron`: Electronegativity (Doyensec's Electron security checker) over the Electron shell's
// sources (main/electron-main and preload, tests left out), offline. It exits 0 whatever it finds, so its CSV is
// read here: any HIGH or MEDIUM finding not listed, with a reason, in build/electronegativity-allow.json fails the
// run. An entry matches a check on a file (not a line: lines move); every entry needs a reason.
//
//   node scripts/electronegativity.mjs [--input <dir> ...] [--allow <file>]
//
// Exit codes: 0 clean, 1 unlisted findings (or an allow-list entry without a reason), 2 the tool did not run.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export const DEFAULT_INPUTS = ['main/electron-main', 'preload'];
export const DEFAULT_ALLOW = 'build/electronegativity-allow.json';
/** Checks left out: AVAILABLE_SECURITY_FIXES asks the network for Electron releases (CI is offline). */
const EXCLUDED = ['AvailableSecurityFixesGlobalCheck']; // its class name, as the runner expects

/** Parses RFC 4180-style CSV (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

/** The CSV's findings as objects keyed by its header (issue, severity, confidence, filename, location, sample, description, url). */
export function findingsFromCsv(text) {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const keys = header.map((h) => h.trim().toLowerCase());
  return rows.map((r) => Object.fromEntries(keys.map((k, i) => [k, (r[i] ?? '').trim()])));
}

/** Reads the allow-list: [{ check, file, reason }], every reason non-empty. Throws with what is wrong. */
export function readAllowList(file) {
  const list = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(list)) throw new Error(`${file}: expected an array of { check, file, reason }`);
  list.forEach((e, i) => {
    if (!e || typeof e.check !== 'string' || typeof e.file !== 'string' || typeof e.reason !== 'string' || e.reason.trim().length < 10) {
      throw new Error(`${file}: entry ${i} needs "check", "file" and a "reason" that says why it is a false positive`);
    }
  });
  return list;
}

/** Findings of HIGH or MEDIUM severity that no allow-list entry covers. */
export function unlisted(findings, allow) {
  return findings.filter((f) => ['HIGH', 'MEDIUM'].includes(f.severity.toUpperCase()) && !allow.some((a) => a.check === f.issue && (a.file === f.filename || a.file === '*')));
}

/** Copies the non-test sources of `inputs` into one folder (Electronegativity scans one folder, tests included). */
function stage(inputs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-eneg-'));
  for (const input of inputs) {
    const abs = path.resolve(root, input);
    const walk = (from) => {
      for (const e of fs.readdirSync(from, { withFileTypes: true })) {
        const p = path.join(from, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(m?[jt]sx?|html)$/.test(e.name) && !/\.test\.[cm]?[jt]sx?$/.test(e.name)) {
          const rel = path.join(path.relative(root, abs).startsWith('..') ? path.basename(abs) : path.relative(root, abs), path.relative(abs, p));
          fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
          fs.copyFileSync(p, path.join(dir, rel));
        }
      }
    };
    if (fs.statSync(abs).isDirectory()) walk(abs);
    else {
      fs.mkdirSync(path.join(dir, path.dirname(input)), { recursive: true });
      fs.copyFileSync(abs, path.join(dir, input));
    }
  }
  return dir;
}

async function runElectronegativity(inputDir, csvFile) {
  // Its command line is broken against the commander this tree hoists (commander is not among its dependencies),
  // so its runner is called directly with the options the CLI would pass.
  const run = require('@doyensec/electronegativity/dist/runner.js');
  const electronVersion = require('electron/package.json').version;
  // It writes the CSV header and the rows with two fs.writeFile calls it does not wait for (flags 'w' then 'a'):
  // they race, and the header's truncation can drop the rows. Run its writes one after the other, and wait for them.
  const fsCjs = require('node:fs');
  const writeFile = fsCjs.writeFile;
  let writes = Promise.resolve();
  fsCjs.writeFile = (file, data, opts, cb) => {
    if (typeof opts === 'function') [cb, opts] = [opts, {}];
    writes = writes.then(() => new Promise((resolve) => writeFile(file, data, opts ?? {}, (err) => (resolve(), cb?.(err)))));
  };
  const log = console.log;
  console.log = () => undefined; // its banner and progress bar
  try {
    await run(
      { input: inputDir, output: csvFile, isSarif: false, customScan: [], excludeFromScan: EXCLUDED, severitySet: undefined, confidenceSet: undefined, isRelative: true, isVerbose: false, electronUpgrade: undefined, electronVersionOverride: electronVersion, parserPlugins: [] },
      false,
    );
    await writes;
  } finally {
    console.log = log;
    fsCjs.writeFile = writeFile;
  }
}

async function main() {
  const { values } = parseArgs({ options: { input: { type: 'string', multiple: true }, allow: { type: 'string' } } });
  const inputs = values.input?.length ? values.input : DEFAULT_INPUTS;
  const allowFile = path.resolve(root, values.allow ?? DEFAULT_ALLOW);
  let allow;
  try {
    allow = readAllowList(allowFile);
  } catch (err) {
    console.error(`audit:electron: ${err.message}`);
    process.exit(1);
  }
  const dir = stage(inputs);
  const csv = path.join(dir, '..', `${path.basename(dir)}.csv`);
  try {
    await runElectronegativity(dir, csv);
    if (!fs.existsSync(csv)) throw new Error('Electronegativity wrote no report');
    const findings = findingsFromCsv(fs.readFileSync(csv, 'utf8'));
    const bad = unlisted(findings, allow);
    const rel = path.relative(root, allowFile);
    console.log(`audit:electron: ${findings.length} findings in ${inputs.join(', ')}; ${findings.length - bad.length} low or allow-listed in ${rel}`);
    for (const f of bad) console.error(`  ${f.severity} ${f.issue} ${f.filename}:${f.location}  ${f.description}  (${f.sample})`);
    if (bad.length > 0) {
      console.error(`audit:electron: ${bad.length} HIGH/MEDIUM finding(s) not in ${rel}: fix them, or list each with the reason it is a false positive`);
      process.exitCode = 1;
    }
  } catch (err) {
    console.error(`audit:electron: Electronegativity did not run: ${err.message}`);
    process.exitCode = 2;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(csv, { force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
