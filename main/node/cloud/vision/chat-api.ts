/** Seed 001 §1 Chat & Intent: POST /chat/message, GET|DELETE /chat/sessions/{id}. */
import type { HttpClient } from '../http-client';
import { ChatReply, ChatSessionReply } from './schemas';
import { z } from 'zod';

export class ChatApi {
  constructor(private readonly http: HttpClient) {}

  /** Sent once: a repeated message would be a second turn of the conversation. */
  message(body: { session_id: string; message: string; context: Record<string, unknown> }, signal?: AbortSignal): Promise<ChatReply> {
    return this.http.request({ method: 'POST', path: '/chat/message', json: body, retry: false, schema: ChatReply, signal });
  }

  session(sessionId: string, signal?: AbortSignal): Promise<ChatSessionReply> {
    return this.http.request({ path: `/chat/sessions/${encodeURIComponent(sessionId)}`, schema: ChatSessionReply, signal });
  }

  /** 204 No Content (any body is ignored). */
  async remove(sessionId: string, signal?: AbortSignal): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/chat/sessions/${encodeURIComponent(sessionId)}`, schema: z.unknown(), signal });
  }
}
