/**
 * One job process: started confined (sandbox.ts) in its own process group, read line by line from stdout, paused
 * with SIGSTOP and resumed with SIGCONT (the whole group, so bubblewrap's child stops too — within the time it
 * takes the kernel to deliver a signal), killed at its deadline, over its disk quota, on cancel. Windows has no
 * SIGSTOP: there the job is killed on pause and resumes from its checkpoint files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FromContributorJob } from '../../../native-workers/protocol/contributor-protocol';
import type { JobCommand } from './sandbox';

export interface JobProcessEvents {
  onMessage(m: FromContributorJob): void;
  /** The process ended; `why` is set when this side ended it (deadline, disk, cancel). */
  onExit(code: number | null, signal: NodeJS.Signals | null, why: 'deadline' | 'disk' | 'cancel' | null, stderrTail: string): void;
}

export interface JobProcessOptions {
  jobDir: string;
  command: JobCommand;
  /** Epoch ms after which the process is killed. */
  deadline: number;
  diskMaxBytes: number;
  /** How often the folder size is checked (ms). */
  diskCheckMs?: number;
  now?: () => number;
}

/** Bytes under a folder (files only; links are not followed). */
export function folderBytes(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          total += fs.statSync(p).size;
        } catch {
          /* gone meanwhile */
        }
      }
    }
  };
  walk(dir);
  return total;
}

export class JobProcess {
  readonly child: ChildProcess;
  private stoppedFlag = false;
  private endedFlag = false;
  private why: 'deadline' | 'disk' | 'cancel' | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private stderr = '';
  readonly exited: Promise<void>;

  constructor(
    private readonly o: JobProcessOptions,
    events: JobProcessEvents,
  ) {
    const now = o.now ?? Date.now;
    this.child = spawn(o.command.file, o.command.args, {
      cwd: o.jobDir,
      env: o.command.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group: SIGSTOP/SIGCONT reach bubblewrap and the job inside it at once.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    let buf = '';
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        try {
          events.onMessage(JSON.parse(line) as FromContributorJob);
        } catch {
          /* not ours (a library printing): ignored */
        }
      }
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (c: string) => {
      this.stderr = (this.stderr + c).slice(-4000);
    });
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.endedFlag = true;
        for (const t of this.timers) clearTimeout(t);
        events.onExit(code, signal, this.why, this.stderr.trim().split('\n').slice(-12).join(' | '));
        resolve();
      });
      this.child.on('error', (err) => {
        this.stderr += String(err.message);
        if (this.child.pid === undefined) {
          this.endedFlag = true;
          events.onExit(null, null, null, err.message);
          resolve();
        }
      });
    });
    const left = Math.max(0, o.deadline - now());
    this.timers.push(setTimeout(() => this.kill('deadline'), Math.min(left, 2 ** 31 - 1)));
    const disk = setInterval(() => {
      if (folderBytes(o.jobDir) > o.diskMaxBytes) this.kill('disk');
    }, o.diskCheckMs ?? 5000);
    disk.unref();
    this.timers.push(disk);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  private signal(sig: NodeJS.Signals): boolean {
    const pid = this.child.pid;
    if (pid === undefined || this.endedFlag) return false;
    try {
      if (process.platform === 'win32') this.child.kill(sig);
      else process.kill(-pid, sig);
      return true;
    } catch {
      return false;
    }
  }

  /** Stops the process where it is (SIGSTOP to its group). False where the platform cannot (then kill + checkpoint). */
  pause(): boolean {
    if (this.stoppedFlag || this.endedFlag) return this.stoppedFlag;
    if (process.platform === 'win32') return false;
    if (this.signal('SIGSTOP')) this.stoppedFlag = true;
    return this.stoppedFlag;
  }

  resume(): void {
    if (!this.stoppedFlag) return;
    this.signal('SIGCONT');
    this.stoppedFlag = false;
  }

  /** Ends the process group (a stopped process is continued so it can die). */
  kill(why: 'deadline' | 'disk' | 'cancel' = 'cancel'): void {
    if (this.endedFlag) return;
    this.why ??= why;
    this.signal('SIGKILL');
    if (this.stoppedFlag) this.signal('SIGCONT');
    this.stoppedFlag = false;
  }
}
