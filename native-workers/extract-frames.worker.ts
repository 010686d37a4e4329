/**
 * Runs one ffmpeg command off the main thread: spawns ffmpeg with an argument array, streams
 * progress, records each written frame's source time (from `showinfo`) into the frames file, and
 * kills ffmpeg on cancel. Exits with its parent (worker_threads do). Also runs the one-click fix
 * encodes, which have no frames file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { ProgressParser } from './ffmpeg-progress';
import type { FrameInfo, FromExtractWorker, ToExtractWorker } from './protocol/extract-protocol';
import { ShowinfoParser } from './showinfo-parser';

if (!parentPort) throw new Error('extract-frames.worker must run as a worker thread');
const port = parentPort;
const post = (m: FromExtractWorker) => port.postMessage(m);

/** What ffmpeg says about input it could not read (it still exits 0 on a truncated file). */
const DAMAGE = /partial file|Invalid data found|error while decoding|corrupt|Truncat|End of file|Invalid NAL/i;

/** How often written frames' times go to the frames file and the parent. */
const FLUSH_MS = 200;

let child: ChildProcess | null = null;
let cancelled = false;

port.on('message', (msg: ToExtractWorker) => {
  if (msg.type === 'cancel') {
    cancelled = true;
    child?.kill('SIGKILL');
    return;
  }
  const { seq, spec } = msg;
  let stderrTail = '';
  let lastFrame = 0;
  let written = 0;
  let pending: FrameInfo[] = [];
  let damage = '';
  const parser = new ProgressParser((b) => {
    lastFrame = b.frame;
    post({ type: 'progress', seq, outSeconds: b.outSeconds, frame: b.frame, speed: b.speed });
  });
  // One open file and a write every FLUSH_MS, not a syscall round per frame: at hundreds of frames a
  // second this thread must not take CPU from ffmpeg. Times not yet written when the process dies only
  // mean those frames are extracted again on resume (a frame without its time is not kept).
  let fd: number | null = null;
  try {
    if (spec.framesFile) fd = fs.openSync(spec.framesFile, 'a');
  } catch (err) {
    // Read-only or missing folder, full disk: reported like ffmpeg's own write failures.
    post({ type: 'error', seq, kind: 'ffmpeg-failed', message: (err as Error).message, exitCode: null, stderrTail: (err as Error).message });
    return;
  }
  let flushTimer: NodeJS.Timeout | null = null;
  const flushFrames = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    if (fd !== null) fs.writeSync(fd, batch.map((f) => `${f.n}\t${f.t}\t${f.w}\t${f.h}\n`).join(''));
    post({ type: 'frames', seq, frames: batch });
  };
  const scheduleFlush = () => {
    if (!flushTimer) flushTimer = setTimeout(() => guarded(flushFrames), FLUSH_MS);
  };
  const guarded = (f: () => void) => {
    try {
      f();
    } catch (err) {
      // The frames file cannot be written (disk full, folder gone): stop rather than write frames without times.
      stderrTail += `\n${(err as Error).message}`;
      child?.kill('SIGKILL');
    }
  };
  const showinfo = new ShowinfoParser(
    (f) => {
      pending.push({ n: (spec.startNumber ?? 1) + written, t: f.t, w: f.w, h: f.h });
      written += 1;
    },
    (line) => {
      // Only what explains a failure is kept: ffmpeg's stream banner at "info" level is noise.
      if (!/^\s|^(Input|Output|Stream mapping|Press)\b/.test(line)) stderrTail = (stderrTail + line + '\n').slice(-4000);
      if (DAMAGE.test(line)) damage = (damage + line + '\n').slice(-2000);
    },
  );
  try {
    child = spawn(spec.ffmpeg, spec.args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  } catch (err) {
    post({ type: 'error', seq, kind: 'spawn-failed', message: String(err), exitCode: null, stderrTail: '' });
    return;
  }
  if (child.pid !== undefined) post({ type: 'started', seq, pid: child.pid });
  child.stdout!.setEncoding('utf8').on('data', (c: string) => parser.push(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    showinfo.push(c);
    if (pending.length > 0) scheduleFlush();
  });
  child.on('error', (err) => {
    post({ type: 'error', seq, kind: 'spawn-failed', message: err.message, exitCode: null, stderrTail });
  });
  child.on('close', (code, signal) => {
    child = null;
    showinfo.end();
    try {
      flushFrames();
      if (fd !== null) fs.closeSync(fd);
    } catch (err) {
      stderrTail += `\n${(err as Error).message}`;
      code = code === 0 ? 1 : code;
    }
    if (cancelled) post({ type: 'error', seq, kind: 'cancelled', message: 'Cancelled', exitCode: code, stderrTail });
    else if (code === 0) post({ type: 'done', seq, frame: Math.max(lastFrame, written), damage });
    else if (signal) post({ type: 'error', seq, kind: 'killed', message: `ffmpeg was stopped by ${signal}`, exitCode: code, stderrTail });
    else post({ type: 'error', seq, kind: 'ffmpeg-failed', message: `ffmpeg exited with code ${code}`, exitCode: code, stderrTail });
  });
});
