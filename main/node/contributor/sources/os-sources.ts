/**
 * The machine as the command line can read it: running programs (ps / tasklist), power from
 * /sys/class/power_supply (Linux) or `pmset -g batt` (macOS), no idle time (a headless rig has no user at the
 * keyboard; the Electron shell feeds real idle time from powerMonitor).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { PowerSource } from '../policy';
import type { IdleSource, PowerReader, ProgramSource } from './types';

function run(file: string, args: string[], timeout = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout, windowsHide: true, maxBuffer: 8 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(String(stdout))));
  });
}

/** Program names from `ps -A -o comm=` (one a line) or `tasklist /fo csv /nh` ("name.exe","pid",…). */
export function parseProgramList(stdout: string, platform: NodeJS.Platform): string[] {
  const lines = stdout.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (platform === 'win32') return lines.map((l) => /^"([^"]+)"/.exec(l)?.[1] ?? '').filter(Boolean);
  return lines.map((l) => path.posix.basename(l));
}

export class OsProgramSource implements ProgramSource {
  constructor(private readonly platform: NodeJS.Platform = process.platform) {}
  async list(): Promise<string[] | null> {
    try {
      const out = this.platform === 'win32' ? await run('tasklist', ['/fo', 'csv', '/nh']) : await run('ps', ['-A', '-o', 'comm=']);
      return parseProgramList(out, this.platform);
    } catch {
      return null;
    }
  }
}

/** Linux: any `Mains`/`USB` supply online → AC; a `Battery` discharging → battery; none listed (a desktop, a server) → AC. */
export function linuxPower(root = '/sys/class/power_supply'): PowerSource {
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return 'unknown';
  }
  let battery = false;
  let discharging = false;
  for (const e of entries) {
    const read = (f: string) => {
      try {
        return fs.readFileSync(path.join(root, e, f), 'utf8').trim();
      } catch {
        return '';
      }
    };
    const type = read('type');
    if ((type === 'Mains' || type === 'USB') && read('online') === '1') return 'ac';
    if (type === 'Battery') {
      battery = true;
      if (read('status') === 'Discharging') discharging = true;
    }
  }
  if (!battery) return 'ac';
  return discharging ? 'battery' : 'unknown';
}

export class OsPowerReader implements PowerReader {
  constructor(private readonly platform: NodeJS.Platform = process.platform) {}
  async power(): Promise<PowerSource> {
    if (this.platform === 'linux') return linuxPower();
    if (this.platform === 'darwin') {
      try {
        const out = await run('pmset', ['-g', 'batt']);
        if (/AC Power/.test(out)) return 'ac';
        if (/Battery Power/.test(out)) return 'battery';
      } catch {
        /* unknown below */
      }
    }
    return 'unknown';
  }
  info() {
    return this.platform === 'linux' || this.platform === 'darwin'
      ? { available: true, why: null }
      : { available: false, why: 'the command line cannot read the power source on this system; the desktop app can' };
  }
}

/** The command line watches no keyboard or mouse: a headless rig counts as idle. */
export class HeadlessIdle implements IdleSource {
  idleSeconds(): null {
    return null;
  }
  info() {
    return { available: false, why: 'the command line does not watch keyboard and mouse input (a headless rig counts as idle); the desktop app does' };
  }
}
