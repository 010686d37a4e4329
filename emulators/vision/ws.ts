/**
 * Seed 001's WebSocket `ws://…/api/v1/ws/workflows/{workflow_id}?token=<access_token>` (the seed's JS example
 * leaves out /api/v1: both paths are served). The token may also come as `Authorization: Bearer`. A refused
 * upgrade is answered with the seed's error body and status (401, 403, 404). On connect the socket receives
 * the workflow's current state (the latest `training_progress`, or its `training_complete` / `training_error`),
 * then every message as it happens.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { errorBody, VisionError } from './errors';

export interface WsAuth {
  /** The user of a token (throws VisionError 401), and whether that user may watch the workflow (404 / 403). */
  authorise(token: string | null, workflowId: string): void;
  /** Messages to send at once on connect. */
  snapshot(workflowId: string): unknown[];
}

export class WorkflowSockets {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly byWorkflow = new Map<string, Set<WebSocket>>();

  constructor(private readonly auth: WsAuth) {}

  onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = (q < 0 ? raw : raw.slice(0, q)).replace(/\/{2,}/g, '/').replace(/\/$/, '');
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    const m = /^(?:\/api\/v1)?\/ws\/workflows\/([^/]+)$/.exec(pathname);
    const refuse = (status: number, message: string, details: Record<string, unknown> = {}) => {
      const body = JSON.stringify(errorBody(status, message, details));
      const reason = http_reason(status);
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    if (!m) return refuse(404, `No WebSocket at ${pathname}`);
    let id: string;
    try {
      id = decodeURIComponent(m[1]!);
    } catch {
      return refuse(404, `No WebSocket at ${pathname}`);
    }
    const header = req.headers.authorization;
    const bearer = typeof header === 'string' ? (/^\s*Bearer\s+(\S+)/i.exec(header)?.[1] ?? null) : null;
    try {
      this.auth.authorise(query.get('token') || bearer, id);
    } catch (e) {
      if (e instanceof VisionError) return refuse(e.status, e.message, e.details);
      return refuse(500, 'Unexpected error in the emulator.');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      let set = this.byWorkflow.get(id);
      if (!set) this.byWorkflow.set(id, (set = new Set()));
      set.add(ws);
      ws.on('close', () => {
        set!.delete(ws);
        if (!set!.size) this.byWorkflow.delete(id);
      });
      ws.on('error', () => ws.terminate());
      // the seed defines no client messages; a ping text is answered so a client can check the line
      ws.on('message', (data) => {
        if (String(data).trim() === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
      });
      for (const msg of this.auth.snapshot(id)) ws.send(JSON.stringify(msg));
    });
  };

  send(workflowId: string, message: unknown): void {
    const set = this.byWorkflow.get(workflowId);
    if (!set) return;
    const text = JSON.stringify(message);
    for (const ws of set) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  }

  count(workflowId?: string): number {
    if (workflowId) return this.byWorkflow.get(workflowId)?.size ?? 0;
    let n = 0;
    for (const s of this.byWorkflow.values()) n += s.size;
    return n;
  }

  /** Drops every socket: `terminate` (no close frame, as a network cut) or a 1012 close (service restart). */
  dropAll(mode: 'terminate' | 'close' = 'terminate'): number {
    let n = 0;
    for (const set of this.byWorkflow.values()) {
      for (const ws of set) {
        n++;
        if (mode === 'close') ws.close(1012, 'Dropped by the vision emulator');
        else ws.terminate();
      }
    }
    return n;
  }

  close(): void {
    this.dropAll('terminate');
    this.wss.close();
  }
}

function http_reason(status: number): string {
  return ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' } as Record<number, string>)[status] ?? 'Error';
}
