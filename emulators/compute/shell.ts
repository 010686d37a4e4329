/**
 * The shell endpoint a container hands out (`ws://…/__containers/<id>/shell`): a WebSocket that greets with the
 * container, answers a handful of commands and says plainly that nothing else runs — enough for a client to
 * prove its shell link reaches the container, and nothing that executes what it is sent.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ContainerRow } from './store';

export const SHELL_PROMPT = '$ ';

function answer(line: string, c: ContainerRow): string {
  const [cmd = '', ...rest] = line.split(/\s+/);
  switch (cmd) {
    case '':
      return '';
    case 'echo':
      return rest.join(' ');
    case 'hostname':
      return c.container_id;
    case 'pwd':
      return '/home/jovyan';
    case 'whoami':
      return 'jovyan';
    case 'nvidia-smi':
      return c.cluster_id === 'gpu' ? 'Kraken compute emulator: 1 emulated GPU (no real device)' : 'nvidia-smi: no GPU on the cpu cluster';
    default:
      return `${cmd}: not available in the Kraken compute emulator's shell (echo, hostname, pwd, whoami, nvidia-smi, exit)`;
  }
}

/** The host's `onUpgrade` for shell endpoints; `running` gives the container while it runs. */
export function shellServer(running: (containerId: string) => ContainerRow | null): { onUpgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void; close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const refuse = (socket: Duplex, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  return {
    onUpgrade(req, socket, head) {
      const m = /^\/+__containers\/([^/?]+)\/shell\/?(?:\?.*)?$/.exec(req.url ?? '');
      let id: string | null = null;
      try {
        id = m ? decodeURIComponent(m[1]!) : null;
      } catch {
        id = null;
      }
      if (!id) return refuse(socket, '404 Not Found');
      const c = running(id);
      if (!c) return refuse(socket, '404 Not Found');
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send(`Kraken compute emulator shell — container ${c.container_id} (${c.image_path} on the ${c.cluster_id} cluster)\n${SHELL_PROMPT}`);
        ws.on('message', (data) => {
          const now = running(c.container_id);
          if (!now) {
            ws.close(1001, 'the container has ended');
            return;
          }
          const line = String(data).trim();
          if (line === 'exit') {
            ws.close(1000, 'exit');
            return;
          }
          const out = answer(line, now);
          ws.send(`${out ? out + '\n' : ''}${SHELL_PROMPT}`);
        });
      });
    },
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
