/**
 * Runs one ffmpeg frame extraction off the main thread: spawns ffmpeg with an argument array,
 * streams progress, and kills ffmpeg on cancel. Exits with its parent (worker_threads do).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parentPort } from 'node:worker_threads';
import { ProgressParser } from './ffmpeg-progress';
import type { FromExtractWorker, ToExtractWorker } from './protocol/extract-protocol';

if (!parentPort) throw new Error('extract-frames.worker must run as a worker thread');
const port = parentPort;
const post = (m: FromExtractWorker) => port.postMessage(m);

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
  const parser = new ProgressParser((b) => {
    lastFrame = b.frame;
    post({ type: 'progress', seq, outSeconds: b.outSeconds, frame: b.frame, speed: b.speed });
  });
  try {
    child = spawn(spec.ffmpeg, spec.args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  } catch (err) {
    post({ type: 'error', seq, kind: 'spawn-failed', message: String(err), exitCode: null, stderrTail: '' });
    return;
  }
  child.stdout!.setEncoding('utf8').on('data', (c: string) => parser.push(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    stderrTail = (stderrTail + c).slice(-4000);
  });
  child.on('error', (err) => {
    post({ type: 'error', seq, kind: 'spawn-failed', message: err.message, exitCode: null, stderrTail });
  });
  child.on('close', (code) => {
    child = null;
    if (cancelled) post({ type: 'error', seq, kind: 'cancelled', message: 'Cancelled', exitCode: code, stderrTail });
    else if (code === 0) post({ type: 'done', seq, frame: lastFrame });
    else post({ type: 'error', seq, kind: 'ffmpeg-failed', message: `ffmpeg exited with code ${code}`, exitCode: code, stderrTail });
  });
});
