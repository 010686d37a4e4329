/**
 * Finds ffmpeg and ffprobe: user setting → environment variable (KRAKEN_FFMPEG / KRAKEN_FFPROBE)
 * → the newer of a binary shipped in an npm package and the first one on the system PATH.
 * Reports which one and its version.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ToolInfo } from '../../common/contract';

const execFileAsync = promisify(execFile);

export interface Tools {
  ffmpeg: ToolInfo;
  ffprobe: ToolInfo;
}

export interface LocateOptions {
  ffmpegSetting?: string | null;
  ffprobeSetting?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Off in tests that need to simulate a machine without the npm binaries. */
  useBundled?: boolean;
  usePath?: boolean;
}

type Tool = 'ffmpeg' | 'ffprobe';

/** Candidate paths in priority order, with where each came from. */
export function candidates(tool: Tool, opts: LocateOptions = {}): { path: string; source: ToolInfo['source'] }[] {
  const env = opts.env ?? process.env;
  const out: { path: string; source: ToolInfo['source'] }[] = [];
  const setting = tool === 'ffmpeg' ? opts.ffmpegSetting : opts.ffprobeSetting;
  if (setting) out.push({ path: setting, source: 'setting' });
  const envPath = tool === 'ffmpeg' ? env.KRAKEN_FFMPEG : env.KRAKEN_FFPROBE;
  if (envPath) out.push({ path: envPath, source: 'env' });
  if (opts.useBundled !== false) {
    const bundled = bundledPath(tool);
    if (bundled) out.push({ path: bundled, source: 'bundled' });
  }
  if (opts.usePath !== false) {
    const exe = process.platform === 'win32' ? `${tool}.exe` : tool;
    for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) out.push({ path: path.join(dir, exe), source: 'path' });
  }
  return out;
}

function bundledPath(tool: Tool): string | null {
  try {
    // The installer packages expose the binary's path; inside an asar archive it lives in app.asar.unpacked.
    const mod = require(tool === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe') as { path: string };
    return mod.path.replace('app.asar' + path.sep, 'app.asar.unpacked' + path.sep);
  } catch {
    return null;
  }
}

/**
 * Where tool versions are remembered between runs, keyed by path, size and modification time: running
 * `ffmpeg -version` costs 40–80 ms per binary, which a short `kraken extract` would feel.
 */
export function versionCacheFile(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.KRAKEN_NO_TOOL_CACHE) return null;
  const home = os.homedir();
  const base =
    process.platform === 'win32'
      ? (env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'))
      : process.platform === 'darwin'
        ? path.join(home, 'Library', 'Caches')
        : (env.XDG_CACHE_HOME ?? path.join(home, '.cache'));
  return path.join(base, 'kraken-studio', 'tool-versions.json');
}

type VersionCache = Record<string, { size: number; mtimeMs: number; version: string }>;

function readCache(file: string | null): VersionCache {
  if (!file) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as VersionCache;
  } catch {
    return {};
  }
}

function remember(file: string | null, tool: string, st: fs.Stats, version: string): void {
  if (!file) return;
  try {
    const cache = readCache(file);
    cache[tool] = { size: st.size, mtimeMs: st.mtimeMs, version };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(cache));
    fs.renameSync(tmp, file);
  } catch {
    // A cache that cannot be written only costs the next run a few milliseconds.
  }
}

/** Runs `<tool> -version` (or remembers its answer for this exact file) and returns the version word, or null if it does not run. */
export async function toolVersion(file: string): Promise<string | null> {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return null;
  }
  const cacheFile = versionCacheFile();
  const hit = readCache(cacheFile)[file];
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.version;
  const v = await runVersion(file);
  if (v !== null) remember(cacheFile, file, st, v);
  return v;
}

async function runVersion(file: string): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync(file, ['-hide_banner', '-version'], { timeout: 10_000, windowsHide: true });
    const m = /version\s+(\S+)/.exec(stdout);
    const v = m?.[1] ?? 'unknown';
    if (parseVersion(v)) return v;
    // Git builds ("N-47683-g0e8eb07980") carry no release number: derive it from libavformat's major.
    const lavf = /libavformat\s+(\d+)\.\s*(\d+)/.exec(stdout);
    const release = lavf ? releaseFromLavf(Number(lavf[1]), Number(lavf[2])) : null;
    return release ? `${v} (~${release})` : v;
  } catch {
    return null;
  }
}

/** Maps libavformat's version to the ffmpeg release that shipped it. */
export function releaseFromLavf(major: number, minor: number): string | null {
  if (major === 58) return minor >= 76 ? '4.4' : minor >= 45 ? '4.3' : minor >= 29 ? '4.2' : minor >= 20 ? '4.1' : '4.0';
  if (major === 59) return minor >= 27 ? '5.1' : '5.0';
  if (major === 60) return '6.0';
  if (major === 61) return '7.0';
  if (major === 62) return '8.0';
  return null;
}

/** Parses "5.1.9-0+deb12u1" / "n6.1" / "4.1" into a comparable [major, minor]; null for git builds. */
export function parseVersion(v: string): [number, number] | null {
  const m = /^n?(\d+)\.(\d+)/.exec(v) ?? /\(~(\d+)\.(\d+)\)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/**
 * Oldest ffmpeg the studio accepts. The @ffmpeg-installer build (4.1) is the floor; the
 * probe reads rotation from side data, which ffprobe has reported since 4.x.
 */
export const MIN_FFMPEG: [number, number] = [4, 1];

function newer(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return false;
  return x[0] > y[0] || (x[0] === y[0] && x[1] > y[1]);
}

async function locateOne(tool: Tool, opts: LocateOptions): Promise<{ info: ToolInfo | null; tried: string[] }> {
  const tried: string[] = [];
  let fallback: ToolInfo | null = null;
  for (const c of candidates(tool, opts)) {
    const version = await toolVersion(c.path);
    if (version === null) {
      if (c.source !== 'path') tried.push(`${c.source}: ${c.path}`);
      continue;
    }
    const parsed = parseVersion(version);
    if (parsed && (parsed[0] < MIN_FFMPEG[0] || (parsed[0] === MIN_FFMPEG[0] && parsed[1] < MIN_FFMPEG[1]))) {
      tried.push(`${c.source}: ${c.path} is version ${version}, older than ${MIN_FFMPEG.join('.')}`);
      continue;
    }
    const info: ToolInfo = { path: c.path, version, source: c.source };
    // What the user chose (setting, environment) wins outright.
    if (c.source === 'setting' || c.source === 'env') return { info, tried };
    // Between the npm-bundled build (a 2018 static ffmpeg) and one installed on the system, the newer one wins.
    if (!fallback) {
      fallback = info;
      if (c.source === 'path') break;
    } else {
      if (newer(version, fallback.version)) fallback = info;
      break;
    }
  }
  return { info: fallback, tried };
}

export interface LocateResult {
  tools: Tools | null;
  problem: string | null;
}

/** Finds both tools; `problem` says what to do when one is missing. */
export async function locateTools(opts: LocateOptions = {}): Promise<LocateResult> {
  const [ffmpeg, ffprobe] = await Promise.all([locateOne('ffmpeg', opts), locateOne('ffprobe', opts)]);
  if (ffmpeg.info && ffprobe.info) return { tools: { ffmpeg: ffmpeg.info, ffprobe: ffprobe.info }, problem: null };
  const missing = [!ffmpeg.info ? 'ffmpeg' : null, !ffprobe.info ? 'ffprobe' : null].filter(Boolean).join(' and ');
  const tried = [...ffmpeg.tried, ...ffprobe.tried];
  return {
    tools: null,
    problem:
      `${missing} not found. Install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg) ` +
      `or set its path in Settings.` + (tried.length ? ` Tried: ${tried.join('; ')}.` : ''),
  };
}
