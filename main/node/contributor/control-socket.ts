/**
 * The running agent's local control channel for `kraken node status|pause|resume|finish|ledger`: a Unix socket in
 * the data folder (0600, in a 0700 folder) or, on Windows, a named pipe derived from the data folder. One JSON
 * line in, one JSON line out.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { isMessageCode, say, type MessageParams } from '../../common/messages';

export type ControlCommand = 'status' | 'pause' | 'resume' | 'finish' | 'ledger';

export function controlPath(dataDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return `\\\\.\\pipe\\kraken-node-${createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16)}`;
  return path.join(dataDir, 'contributor', 'control.sock');
}

export interface ControlServer {
  path: string;
  close(): Promise<void>;
}

/** Serves `handle` on the control path; refuses to start when another agent answers there. */
export async function serveControl(dataDir: string, handle: (cmd: ControlCommand) => Promise<unknown>): Promise<ControlServer> {
  const where = controlPath(dataDir);
  if (process.platform !== 'win32') {
    fs.mkdirSync(path.dirname(where), { recursive: true, mode: 0o700 });
    if (fs.existsSync(where)) {
      const alive = await new Promise<boolean>((resolve) => {
        const s = net.connect(where, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (alive) throw new AppError('CONFLICT', say('contributor.agent_running', { dir: path.dirname(path.dirname(where)) }));
      fs.rmSync(where, { force: true }); // left by an agent that was killed
    }
  }
  const server = net.createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const i = buf.indexOf('\n');
      if (i < 0) {
        if (buf.length > 4096) sock.destroy();
        return;
      }
      const line = buf.slice(0, i);
      buf = '';
      let cmd: ControlCommand;
      try {
        cmd = (JSON.parse(line) as { cmd: ControlCommand }).cmd;
      } catch {
        sock.end(`${JSON.stringify({ ok: false, error: 'not JSON' })}\n`);
        return;
      }
      if (!['status', 'pause', 'resume', 'finish', 'ledger'].includes(cmd)) {
        sock.end(`${JSON.stringify({ ok: false, error: `unknown command ${JSON.stringify(cmd)}` })}\n`);
        return;
      }
      handle(cmd).then(
        (value) => sock.end(`${JSON.stringify({ ok: true, value })}\n`),
        (err: unknown) => {
          // the sentence's code travels too, so a caller that shows it can translate it
          const e = AppError.from(err);
          sock.end(`${JSON.stringify({ ok: false, error: e.message, ...(e.messageCode ? { messageCode: e.messageCode, messageParams: e.messageParams ?? {} } : {}) })}\n`);
        },
      );
    });
    sock.on('error', () => {});
  });
  const oldMask = process.platform !== 'win32' ? process.umask(0o177) : 0;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(where, resolve);
    });
  } finally {
    if (process.platform !== 'win32') process.umask(oldMask);
  }
  if (process.platform !== 'win32') fs.chmodSync(where, 0o600);
  return {
    path: where,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (process.platform !== 'win32') fs.rmSync(where, { force: true });
      }),
  };
}

/** Sends one command to the agent running on `dataDir`; null when none is running there. */
export async function askAgent(dataDir: string, cmd: ControlCommand, timeoutMs = 10_000): Promise<unknown | null> {
  const where = controlPath(dataDir);
  return new Promise((resolve, reject) => {
    const sock = net.connect(where);
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new AppError('NETWORK', say('contributor.agent_no_answer', {})));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify({ cmd })}\n`));
    sock.on('data', (c: string) => (buf += c));
    sock.on('end', () => {
      clearTimeout(timer);
      try {
        const r = JSON.parse(buf) as { ok: boolean; value?: unknown; error?: string; messageCode?: unknown; messageParams?: MessageParams };
        if (r.ok) resolve(r.value);
        else if (r.error === undefined) reject(new AppError('INTERNAL', say('contributor.agent_refused', {})));
        else if (isMessageCode(r.messageCode)) reject(new AppError('INTERNAL', { message: r.error, messageCode: r.messageCode, messageParams: r.messageParams ?? {} }));
        else reject(new AppError('INTERNAL', r.error));
      } catch {
        reject(new AppError('INTERNAL', say('contributor.agent_not_json', {})));
      }
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve(null);
      else reject(new AppError('IO_ERROR', say('contributor.socket_unreachable', { error: err.message })));
    });
  });
}
