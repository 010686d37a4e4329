/**
 * Frame extraction: `kraken extract` (the CLI a user runs, as a child process) against the plain
 * ffmpeg command line doing the same work with the same ffmpeg binary the studio picked, on the
 * generated 20 s 1080p30 H.264 clip, plus a decode-only floor. Three workloads: every frame, 2 fps,
 * and 100 frames spread over the clip (`--count 100` vs `-vf fps=100/20`). Each pair runs
 * interleaved, `--rounds` times; medians are compared. The studio process's peak memory (VmHWM of
 * the CLI process, polled from /proc) is recorded.
 *
 *   node --import tsx bench/media.bench.ts [--rounds 3]
 *
 * Uses the compiled CLI (`node bin/kraken.cjs`, what users run) when dist/ is at least as new as the
 * sources, else the TypeScript entry through tsx (and says so). Writes bench/results/media.json.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fixtures } from '../test-support/media-fixtures';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const ROUNDS = Number(values.rounds);
const root = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-bench-media-'));
const log = (s: string) => process.stdout.write(s + '\n');
const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

/**
 * The compiled CLI is measured when every source file `kraken extract` loads has a compiled copy at least
 * as new as itself (other parts of the tree may change meanwhile without making this stale).
 */
function compiledIsFresh(): boolean {
  const sources = [
    'main/cli/index.ts',
    'main/cli/cli-io.ts',
    'main/common/app-error.ts',
    'main/node/app-paths.ts',
    'main/node/workers/worker-path.ts',
    ...fs.readdirSync(path.join(root, 'main/cli/commands')).filter((f) => /^extract.*\.ts$/.test(f) && !f.endsWith('.test.ts')).map((f) => `main/cli/commands/${f}`),
    ...fs.readdirSync(path.join(root, 'main/node/media')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `main/node/media/${f}`),
    ...['extract-frames.worker.ts', 'extract-sharpness.worker.ts', 'ffmpeg-progress.ts', 'showinfo-parser.ts', 'protocol/extract-protocol.ts'].map((f) => `native-workers/${f}`),
  ];
  return sources.every((src) => {
    const js = path.join(root, 'dist', src.replace(/\.ts$/, '.js'));
    return fs.existsSync(js) && fs.statSync(js).mtimeMs >= fs.statSync(path.join(root, src)).mtimeMs;
  });
}

const compiled = compiledIsFresh();
const cliCmd = compiled ? [path.join(root, 'bin', 'kraken.cjs')] : ['--import', 'tsx', path.join(root, 'main', 'cli', 'index.ts')];

interface Run {
  seconds: number;
  peakRssKB: number;
}

/** Runs a command, timing it and polling its peak resident memory (VmHWM) until it exits. */
function timed(cmd: string, args: string[]): Promise<Run & { stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // exited between polls
      }
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
      else resolve({ seconds, peakRssKB: peak, stdout });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const md5 = (f: string) => createHash('md5').update(fs.readFileSync(f)).digest('hex');
const jpgs = (d: string) => fs.readdirSync(d).filter((f) => f.endsWith('.jpg')).sort();

interface Workload {
  name: string;
  studio: string[];
  plain: (ffmpeg: string, clip: string, out: string) => string[];
}

async function main() {
  const loadAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const clip = fixtures.h264_1080p20s();
  log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 1048576)} MB, node ${process.version}`);
  log(`clip: ${path.relative(root, clip)} (20 s, 1920x1080, 30 fps, H.264, ${(fs.statSync(clip).size / 1e6).toFixed(1)} MB)`);
  log(`studio CLI: ${compiled ? 'compiled (node bin/kraken.cjs)' : 'TypeScript through tsx — dist/ is missing or older than the sources; run `npm run build:node` to measure what users run'}`);

  // Which ffmpeg the studio picks (the plain runs use the very same binary).
  const probeRun = await timed(process.execPath, [...cliCmd, 'extract', clip, '--out', path.join(work, 'warm'), '--fps', '1', '--json']);
  const picked = (JSON.parse(probeRun.stdout) as { ffmpeg: { path: string; version: string; source: string } }).ffmpeg;
  log(`ffmpeg: ${picked.path} (${picked.version}, ${picked.source})`);
  const ff = picked.path;

  // quality 90 maps to mjpeg -q:v 5 in the studio; the plain command uses the same.
  const q = ['-q:v', '5'];
  const workloads: Workload[] = [
    { name: 'all frames', studio: ['--every', '1'], plain: (f, c, o) => ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', c, '-map', '0:v:0', ...q, `${o}/%06d.jpg`] },
    { name: '2 fps', studio: ['--fps', '2'], plain: (f, c, o) => ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', c, '-map', '0:v:0', '-vf', 'fps=2', ...q, `${o}/%06d.jpg`] },
    { name: 'count 100', studio: ['--count', '100'], plain: (f, c, o) => ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', c, '-map', '0:v:0', '-vf', 'fps=100/20', ...q, `${o}/%06d.jpg`] },
  ];

  const decode: number[] = [];
  const results: Record<string, unknown>[] = [];
  for (const w of workloads) {
    const studio: Run[] = [];
    const plain: Run[] = [];
    let frames = 0;
    let plainFrames = 0;
    let identical: boolean | null = null;
    for (let r = 0; r < ROUNDS; r++) {
      const sOut = path.join(work, `${w.name.replace(/\W+/g, '-')}-studio-${r}`);
      const pOut = path.join(work, `${w.name.replace(/\W+/g, '-')}-plain-${r}`);
      fs.mkdirSync(pOut, { recursive: true });
      // Alternate which goes first so drift on a shared machine does not favour one side.
      const runStudio = async () => studio.push(await timed(process.execPath, [...cliCmd, 'extract', clip, '--out', sOut, ...w.studio, '--quality', '90']));
      const runPlain = async () => plain.push(await timed(ff, w.plain(ff, clip, pOut)));
      if (r % 2 === 0) {
        await runStudio();
        await runPlain();
      } else {
        await runPlain();
        await runStudio();
      }
      frames = jpgs(sOut).length;
      plainFrames = jpgs(pOut).length;
      if (w.name === 'all frames' && r === 0) {
        // Same frames, same encoder settings: the studio's select/showinfo must not change a byte.
        const a = jpgs(sOut);
        const b = jpgs(pOut);
        identical = a.length === b.length && [0, a.length >> 1, a.length - 1].every((i) => md5(path.join(sOut, a[i]!)) === md5(path.join(pOut, b[i]!)));
      }
      fs.rmSync(sOut, { recursive: true, force: true });
      fs.rmSync(pOut, { recursive: true, force: true });
      decode.push((await timed(ff, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', clip, '-map', '0:v:0', '-f', 'null', '-'])).seconds);
    }
    const s = median(studio.map((x) => x.seconds));
    const p = median(plain.map((x) => x.seconds));
    results.push({
      workload: w.name,
      studioArgs: `kraken extract <clip> --out <dir> ${w.studio.join(' ')} --quality 90`,
      plainArgs: `ffmpeg ${w.plain(ff, '<clip>', '<dir>').join(' ')}`,
      frames,
      plainFrames,
      studioSeconds: studio.map((x) => Math.round(x.seconds * 1000) / 1000),
      plainSeconds: plain.map((x) => Math.round(x.seconds * 1000) / 1000),
      studioMedianSeconds: Math.round(s * 1000) / 1000,
      plainMedianSeconds: Math.round(p * 1000) / 1000,
      studioFps: Math.round((frames / s) * 10) / 10,
      plainFps: Math.round((plainFrames / p) * 10) / 10,
      // Throughput ratio: studio frames/s over plain ffmpeg frames/s (same frame count).
      ratio: Math.round(((frames / s) / (plainFrames / p)) * 1000) / 1000,
      studioPeakRssMB: mb(Math.max(...studio.map((x) => x.peakRssKB))),
      plainFfmpegPeakRssMB: mb(Math.max(...plain.map((x) => x.peakRssKB))),
      identicalOutput: identical,
    });
  }
  const decodeMedian = median(decode);

  // The fixed cost of one `kraken extract` (Node start-up, probe, worker) on a clip where ffmpeg itself takes ~0.1 s.
  const tiny = fixtures.h264(2);
  const tinyStudio: number[] = [];
  const tinyPlain: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const o = path.join(work, `tiny-${r}`);
    fs.mkdirSync(path.join(o, 'plain'), { recursive: true });
    tinyStudio.push((await timed(process.execPath, [...cliCmd, 'extract', tiny, '--out', path.join(o, 'studio'), '--fps', '1'])).seconds);
    tinyPlain.push((await timed(ff, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', tiny, '-map', '0:v:0', '-vf', 'fps=1', ...q, `${o}/plain/%06d.jpg`])).seconds);
  }
  const fixedCost = median(tinyStudio) - median(tinyPlain);
  const minRatio = Math.min(...results.map((r) => r.ratio as number));
  const maxRss = Math.max(...results.map((r) => r.studioPeakRssMB as number));

  log('');
  log(`decode-only floor (ffmpeg -f null): ${decodeMedian.toFixed(2)} s for 600 frames (${(600 / decodeMedian).toFixed(0)} frames/s decoded)`);
  log('');
  log('workload     frames  studio s  plain s  studio fps  plain fps  ratio  vs decode  studio peak RSS');
  for (const r of results) {
    log(
      `${String(r.workload).padEnd(12)} ${String(r.frames).padStart(6)}  ${(r.studioMedianSeconds as number).toFixed(2).padStart(8)}  ${(r.plainMedianSeconds as number).toFixed(2).padStart(7)}  ${String(r.studioFps).padStart(10)}  ${String(r.plainFps).padStart(9)}  ${(r.ratio as number).toFixed(3)}  ${(decodeMedian / (r.studioMedianSeconds as number)).toFixed(2).padStart(9)}  ${String(r.studioPeakRssMB).padStart(10)} MB`,
    );
  }
  log('');
  log(`fixed cost of one kraken extract run (2 s 640x360 clip, studio minus plain, medians): ${(fixedCost * 1000).toFixed(0)} ms; machine load average ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')}`);
  log(`targets: ratio ≥ 0.95 (lowest ${minRatio.toFixed(3)}: ${minRatio >= 0.95 ? 'met' : 'MISSED'}), studio peak RSS < 300 MB (highest ${maxRss} MB: ${maxRss < 300 ? 'met' : 'MISSED'})`);
  if (results[0]!.identicalOutput !== null) log(`all-frames output byte-identical to plain ffmpeg (first, middle, last frame): ${results[0]!.identicalOutput}`);

  const out = {
    benchmark: 'media',
    date: new Date().toISOString(),
    command: `node --import tsx bench/media.bench.ts --rounds ${ROUNDS}`,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'cpu', memMB: Math.round(os.totalmem() / 1048576), platform: `${process.platform}-${process.arch}`, node: process.version },
    cli: compiled ? 'compiled: node bin/kraken.cjs' : 'source: node --import tsx main/cli/index.ts',
    ffmpeg: picked,
    clip: { file: path.relative(root, clip), seconds: 20, width: 1920, height: 1080, fps: 30, codec: 'h264', frames: 600 },
    rounds: ROUNDS,
    decodeOnly: { seconds: decode.map((x) => Math.round(x * 1000) / 1000), medianSeconds: Math.round(decodeMedian * 1000) / 1000, command: `ffmpeg -i <clip> -map 0:v:0 -f null -` },
    results,
    fixedCost: { seconds: Math.round(fixedCost * 1000) / 1000, studioSeconds: tinyStudio.map((x) => Math.round(x * 1000) / 1000), plainSeconds: tinyPlain.map((x) => Math.round(x * 1000) / 1000), clip: path.relative(root, tiny) },
    loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) },
    targets: { ratio: 0.95, studioPeakRssMB: 300 },
    met: { ratio: minRatio >= 0.95, memory: maxRss < 300 },
  };
  fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench', 'results', 'media.json'), JSON.stringify(out, null, 2) + '\n');
  log(`\nwrote bench/results/media.json`);
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err: Error) => {
  process.stderr.write(`bench media failed: ${err.message}\n`);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(1);
});

