/**
 * Finds ffmpeg and ffprobe: user setting → environment variable (KRAKEN_FFMPEG / KRAKEN_FFPROBE)
 * → the newer of a binary shipped in an npm package and the first one on the system PATH.
 * Reports which one and its version.
 *
 * A configured path (setting or environment) is checked before it is trusted (checkToolBinary): running a file
 * to ask its version is already running it, so it must first look like a compiled program — a regular,
 * executable file with an ELF, Mach-O or PE header, not a script — and then call itself ffmpeg/ffprobe.
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

export type Tool = 'ffmpeg' | 'ffprobe';

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

type VersionCache = Record<string, { size: number; mtimeMs: number; version: string; /** Set when it passed checkToolBinary as this tool. */ verifiedAs?: Tool }>;

function readCache(file: string | null): VersionCache {
  if (!file) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as VersionCache;
  } catch {
    return {};
  }
}

function remember(file: string | null, tool: string, st: fs.Stats, version: string, verifiedAs?: Tool): void {
  if (!file) return;
  try {
    const cache = readCache(file);
    cache[tool] = verifiedAs ? { size: st.size, mtimeMs: st.mtimeMs, version, verifiedAs } : { size: st.size, mtimeMs: st.mtimeMs, version };
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

async function runVersion(file: string, expect?: Tool): Promise<string | null> {
  try {
    // No shell: the path is one argument to exec, never a command line.
    const { stdout } = await execFileAsync(file, ['-hide_banner', '-version'], { timeout: expect ? 5_000 : 10_000, windowsHide: true, shell: false, maxBuffer: 1024 * 1024 });
    if (expect && !stdout.startsWith(`${expect} version `)) return null;
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

/** First bytes of compiled programs: ELF, Mach-O (32/64-bit, both byte orders, universal) and PE ("MZ"). */
const BINARY_MAGIC: readonly Buffer[] = [
  Buffer.from([0x7f, 0x45, 0x4c, 0x46]),
  Buffer.from([0xfe, 0xed, 0xfa, 0xce]),
  Buffer.from([0xfe, 0xed, 0xfa, 0xcf]),
  Buffer.from([0xce, 0xfa, 0xed, 0xfe]),
  Buffer.from([0xcf, 0xfa, 0xed, 0xfe]),
  Buffer.from([0xca, 0xfe, 0xba, 0xbe]),
  Buffer.from([0x4d, 0x5a]),
];

export type ToolCheck = { ok: true; path: string; version: string } | { ok: false; reason: string };

/**
 * Whether `file` may be trusted as `tool`: an absolute path to a regular, executable file whose first bytes are a
 * compiled program's (a `#!` script or anything else is refused without being run), which, run without a shell
 * and with a short timeout, prints `<tool> version …` first. Links are followed; the real path is what is judged.
 */
export async function checkToolBinary(file: string, tool: Tool): Promise<ToolCheck> {
  if (!path.isAbsolute(file)) return { ok: false, reason: `${file} is not an absolute path` };
  let real: string;
  let st: fs.Stats;
  try {
    real = fs.realpathSync(file);
    st = fs.statSync(real);
  } catch {
    return { ok: false, reason: `${file} does not exist` };
  }
  if (!st.isFile()) return { ok: false, reason: `${file} is not a file` };
  if (process.platform !== 'win32' && (st.mode & 0o111) === 0) return { ok: false, reason: `${file} is not executable` };
  const head = Buffer.alloc(4);
  let read = 0;
  try {
    const fd = fs.openSync(real, 'r');
    try {
      read = fs.readSync(fd, head, 0, 4, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return { ok: false, reason: `${file} cannot be read` };
  }
  const start = head.subarray(0, read);
  if (start.subarray(0, 2).toString('latin1') === '#!') return { ok: false, reason: `${file} is a script, not an ${tool} program; it was not run` };
  if (!BINARY_MAGIC.some((m) => start.length >= m.length && start.subarray(0, m.length).equals(m))) {
    return { ok: false, reason: `${file} is not a compiled program (no ELF, Mach-O or PE header); it was not run` };
  }
  const cacheFile = versionCacheFile();
  const hit = readCache(cacheFile)[real];
  if (hit && hit.verifiedAs === tool && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return { ok: true, path: file, version: hit.version };
  const version = await runVersion(real, tool);
  if (version === null) return { ok: false, reason: `${file} does not answer -version as ${tool} does` };
  remember(cacheFile, real, st, version, tool);
  return { ok: true, path: file, version };
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

async function locateOne(tool: Tool, opts: LocateOptions): Promise<{ info: ToolInfo | null; tried: string[]; notes: string[] }> {
  const tried: string[] = [];
  const notes: string[] = [];
  let fallback: ToolInfo | null = null;
  for (const c of candidates(tool, opts)) {
    let version: string | null;
    if (c.source === 'setting' || c.source === 'env') {
      // What was configured is checked before it runs; a refusal is said, and the search goes on.
      const check = await checkToolBinary(c.path, tool);
      if (!check.ok) {
        const where = c.source === 'setting' ? 'The configured' : `${tool === 'ffmpeg' ? 'KRAKEN_FFMPEG' : 'KRAKEN_FFPROBE'}:`;
        notes.push(`${where} ${tool} was not used: ${check.reason}.`);
        tried.push(`${c.source}: ${check.reason}`);
        continue;
      }
      version = check.version;
    } else {
      version = await toolVersion(c.path);
    }
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
    if (c.source === 'setting' || c.source === 'env') return { info, tried, notes };
    // Between the npm-bundled build (a 2018 static ffmpeg) and one installed on the system, the newer one wins.
    if (!fallback) {
      fallback = info;
      if (c.source === 'path') break;
    } else {
      if (newer(version, fallback.version)) fallback = info;
      break;
    }
  }
  return { info: fallback, tried, notes };
}

export interface LocateResult {
  tools: Tools | null;
  problem: string | null;
  /** Configured tools that were refused (not ffmpeg, a script…), also when others were found. */
  notes: string[];
}

/** Finds both tools; `problem` says what to do when one is missing. */
export async function locateTools(opts: LocateOptions = {}): Promise<LocateResult> {
  const [ffmpeg, ffprobe] = await Promise.all([locateOne('ffmpeg', opts), locateOne('ffprobe', opts)]);
  const notes = [...ffmpeg.notes, ...ffprobe.notes];
  if (ffmpeg.info && ffprobe.info) return { tools: { ffmpeg: ffmpeg.info, ffprobe: ffprobe.info }, problem: null, notes };
  const missing = [!ffmpeg.info ? 'ffmpeg' : null, !ffprobe.info ? 'ffprobe' : null].filter(Boolean).join(' and ');
  const tried = [...ffmpeg.tried, ...ffprobe.tried];
  return {
    tools: null,
    notes,
    problem:
      `${missing} not found. Install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg) ` +
      `or choose it in Settings (desktop app), with \`kraken config set ffmpeg-path <file>\` or KRAKEN_FFMPEG / KRAKEN_FFPROBE.` + (tried.length ? ` Tried: ${tried.join('; ')}.` : ''),
  };
}
