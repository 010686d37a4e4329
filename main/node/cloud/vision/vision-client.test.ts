/**
 * The vision client and service (seed 001) against a scripted server that answers as another platform might: odd
 * fields and missing optionals read, every error status mapped (request id kept, 422 field errors), rate limits
 * honoured (429 waits for the reset and says until when, the window nearly used slows down), an expired access
 * token refreshed once through /auth/refresh, 503 retried with back-off, tokens in the vault only.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/app-error';
import { startScripted, wire, type Scripted, type Wired } from './scripted-platform.test-kit';

let srv: Scripted;
let w: Wired;

const TOKEN = { access_token: 'acc-1', refresh_token: 'ref-1', token_type: 'bearer', expires_in: 3600 };

beforeEach(async () => {
  srv = await startScripted();
  srv.routes.set('POST /auth/token', (r) =>
    (r.json as { password?: string }).password === 'good-pass' ? { json: TOKEN } : { status: 401, json: { error: { code: 'UNAUTHORIZED', message: 'Invalid credentials', request_id: 'req_t1' } } },
  );
  w = wire(srv.url);
});
afterEach(async () => {
  w.close();
  await srv.close();
  fs.rmSync(w.dir, { recursive: true, force: true });
});

async function caught(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

async function signIn() {
  await w.service.signIn('kim@example.com', 'good-pass');
}

/** Every text value of every table: a token must never be among them. */
function allDbText(): string {
  const tables = (w.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name);
  return tables.map((t) => JSON.stringify(w.db.prepare(`SELECT * FROM "${t}"`).all())).join('\n');
}

describe('sign-in and tokens', () => {
  it('signs in with e-mail and password; the tokens rest in the vault only (not in SQLite), the Bearer header is sent', async () => {
    srv.routes.set('GET /user/profile', () => ({ json: { user_id: 'u1', plan: 'pro', usage: { gpu_hours_used: 1, gpu_hours_limit: 100 } } }));
    srv.routes.set('GET /workflows', () => ({ json: { workflows: [], total: 0 } }));
    await signIn();
    expect(await w.service.account()).toMatchObject({ state: 'signedIn', email: 'kim@example.com' });
    expect([...w.vault.data.values()].join()).toContain('acc-1');
    expect(allDbText()).not.toContain('acc-1');
    expect(allDbText()).not.toContain('ref-1');
    await w.service.profile();
    expect(srv.requests.find((r) => r.path === '/user/profile')?.headers.authorization).toBe('Bearer acc-1');
  });

  it('a wrong password is UNAUTHORIZED with WRONG_CREDENTIALS and nothing is stored', async () => {
    const e = await caught(w.service.signIn('kim@example.com', 'bad'));
    expect(e.code).toBe('UNAUTHORIZED');
    expect(e.details?.visionProblem).toBe('WRONG_CREDENTIALS');
    expect(w.vault.data.size).toBe(0);
  });

  it('calls before signing in are refused with NOT_SIGNED_IN and nothing is sent', async () => {
    const e = await caught(w.service.listDatasets());
    expect(e.details?.visionProblem).toBe('NOT_SIGNED_IN');
    expect(srv.requests).toEqual([]);
  });

  it('an expired access token (401) is refreshed once through /auth/refresh and the call repeated with the new one', async () => {
    await signIn();
    let refreshed = 0;
    srv.routes.set('POST /auth/refresh', (r) => {
      refreshed++;
      expect(r.json).toEqual({ refresh_token: 'ref-1' });
      return { json: { access_token: 'acc-2', token_type: 'bearer', expires_in: 3600 } };
    });
    srv.routes.set('GET /datasets', (r) =>
      r.headers.authorization === 'Bearer acc-2'
        ? { json: { datasets: [{ dataset_id: 'ds_1', name: 'cats', status: 'ready' }], total: 1 } }
        : { status: 401, json: { error: { code: 'UNAUTHORIZED', message: 'Access token has expired', details: { expired_at: '2025-10-17T09:00:00Z' } } } },
    );
    const l = await w.service.listDatasets();
    expect(l.datasets.map((d) => d.datasetId)).toEqual(['ds_1']);
    expect(refreshed).toBe(1);
    expect([...w.vault.data.values()].join()).toContain('acc-2');
    // The refresh reply had no refresh_token (as in the seed): the old one is kept.
    expect([...w.vault.data.values()].join()).toContain('ref-1');
  });

  it('a refused refresh ends the session into "expired" (sign in again), said once as an event', async () => {
    await signIn();
    srv.routes.set('POST /auth/refresh', () => ({ status: 401, json: { error: { code: 'UNAUTHORIZED', message: 'Refresh token expired' } } }));
    srv.routes.set('GET /datasets', () => ({ status: 401, json: { error: { code: 'UNAUTHORIZED', message: 'Access token has expired' } } }));
    const e = await caught(w.service.listDatasets());
    expect(e.code).toBe('UNAUTHORIZED');
    expect(await w.service.account()).toMatchObject({ state: 'expired', email: 'kim@example.com' });
    expect(w.of('vision.accountChanged').at(-1)).toMatchObject({ state: 'expired' });
    expect(srv.requests.filter((r) => r.path === '/datasets')).toHaveLength(1);
    const again = await caught(w.service.listDatasets());
    expect(again.details?.visionProblem).toBe('SESSION_EXPIRED');
  });
});

describe('replies of an independently written server', () => {
  beforeEach(signIn);

  it('reads odd fields, numeric strings and missing optionals: dataset detail, workflow list with a bare progress number, catalogue detail', async () => {
    srv.routes.set('GET /datasets/:id', () => ({
      json: { dataset_id: 123, name: 'My Cat Dataset', size_mb: '450', file_count: 1000, status: 'ready', vendor_field: { x: 1 }, statistics: { total_images: '1000', classes: [{ name: '치즈', count: '350' }, { name: 7, count: 1 }] } },
    }));
    const d = await w.service.getDataset('123');
    expect(d).toMatchObject({ datasetId: '123', sizeMb: 450, fileCount: 1000, description: null, format: null, statistics: { totalImages: 1000, trainImages: null, classes: [{ name: '치즈', count: 350 }, { name: '7', count: 1 }] } });

    srv.routes.set('GET /workflows', () => ({ json: { workflows: [{ workflow_id: 'wf_1', name: '고양이', status: 'TRAINING', progress: 45 }, { workflow_id: 'wf_2', status: 'queued' }], total: 15, page: 1, limit: 2 } }));
    const l = await w.service.listWorkflows({ limit: 2 });
    expect(l.workflows.map((x) => [x.workflowId, x.state, x.percentage, x.name])).toEqual([
      ['wf_1', 'training', 45, '고양이'],
      ['wf_2', 'pending', null, 'wf_2'],
    ]);
    expect(l.hasNext).toBe(true); // no has_next: page × limit < total

    srv.routes.set('GET /models/:id', () => ({ json: { model_id: 'resnet50', input_size: [224, 224, 3], supported_backends: ['pytorch', 'onnx'], metrics: { imagenet_top1: 0.7613, note: 'n/a' } } }));
    expect(await w.service.model('resnet50')).toMatchObject({ modelId: 'resnet50', name: 'resnet50', inputSize: [224, 224, 3], supportedBackends: ['pytorch', 'onnx'], metrics: { imagenet_top1: 0.7613 }, taskTypes: [] });
  });

  it('list limit is capped at 100 and the seed’s query names are sent (status, page, limit, sort)', async () => {
    srv.routes.set('GET /workflows', () => ({ json: { workflows: [] } }));
    await w.service.listWorkflows({ status: 'training', page: 2, limit: 500, sort: 'created_at' });
    const q = srv.requests.at(-1)!.query;
    expect(Object.fromEntries(q)).toEqual({ status: 'training', page: '2', limit: '100', sort: 'created_at' });
  });

  it('chat: a new session id is made, clarification questions are read with their suggestions, then intent_complete gives an editable config', async () => {
    srv.routes.set('POST /chat/message', (r) => {
      const b = r.json as { session_id: string; message: string; context: unknown };
      expect(b.context).toEqual({});
      if (/치즈/.test(b.message))
        return {
          json: {
            type: 'intent_complete',
            training_config: { task_type: 'classification', model_name: 'resnet50', model_source: 'timm', num_classes: 3, class_names: ['치즈', '나비', '츄르'], dataset: { source: 'uploaded', dataset_id: 'ds_123' }, hyperparameters: { epochs: 100, batch_size: 32, learning_rate: 0.001, optimizer: 'adam' } },
            message: '모든 설정이 완료되었습니다!',
            actions: [{ type: 'start_training', label: '학습 시작' }, { type: 'edit_config', label: '설정 수정' }],
          },
        };
      return {
        json: {
          type: 'clarification_needed',
          parsed_intent: { task_type: 'classification', model: 'resnet50', num_classes: 3, confidence: 0.95 },
          questions: [
            { id: 'q1', field: 'class_names', question: '3종류가 구체적으로 어떤 클래스인가요?', required: true, suggestions: [] },
            { id: 'q2', field: 'dataset', question: '데이터셋은 어디에 있나요?', required: true, suggestions: ['my-drive/cats', 'uploaded-datasets'] },
          ],
          message: '좋아요!',
        },
      };
    });
    const first = await w.service.chatSend({ message: 'ResNet50으로 고양이 3종류 분류하는 모델 만들어줘' });
    expect(first.sessionId).toMatch(/^sess_/);
    expect(first.type).toBe('clarification_needed');
    expect(first.questions.map((q) => [q.field, q.required, q.suggestions.length])).toEqual([
      ['class_names', true, 0],
      ['dataset', true, 2],
    ]);
    const second = await w.service.chatSend({ sessionId: first.sessionId, message: '치즈, 나비, 츄르 / ds_123' });
    expect((srv.requests.at(-1)!.json as { session_id: string }).session_id).toBe(first.sessionId);
    expect(second.trainingConfig).toEqual({
      taskType: 'classification',
      modelName: 'resnet50',
      modelSource: 'timm',
      numClasses: 3,
      classNames: ['치즈', '나비', '츄르'],
      datasetId: 'ds_123',
      datasetSource: 'uploaded',
      hyperparameters: { epochs: 100, batchSize: 32, learningRate: 0.001, optimizer: 'adam' },
    });
    expect(second.actions.map((a) => a.type)).toEqual(['start_training', 'edit_config']);
    expect(w.service.chatSessions()).toMatchObject([{ sessionId: first.sessionId, lastType: 'intent_complete' }]);
    srv.routes.set('DELETE /chat/sessions/:id', () => ({ status: 204 }));
    expect(await w.service.chatDelete(first.sessionId)).toEqual({ deleted: true });
    expect(w.service.chatSessions()).toEqual([]);
  });

  it('validate sends the seed’s body and reads issues by severity and recommendations (kept with an uploaded dataset)', async () => {
    srv.routes.set('POST /datasets/:id/validate', () => ({
      json: { dataset_id: 'ds_123', valid: true, issues: [{ severity: 'WARNING', message: '클래스 불균형 감지', details: { 치즈: 350 } }], recommendations: ['데이터 증강'] },
    }));
    const v = await w.service.validateDataset('ds_123', { expectedFormat: 'coco', expectedClasses: 3 });
    expect(srv.requests.at(-1)!.json).toEqual({ expected_format: 'coco', expected_classes: 3 });
    expect(v).toMatchObject({ datasetId: 'ds_123', valid: true, issues: [{ severity: 'warning', message: '클래스 불균형 감지', details: { 치즈: 350 } }], recommendations: ['데이터 증강'] });
  });

  it('validate waits while the upload is still processing (detail polled with back-off; a 409 is "not yet"), then validates once', async () => {
    const statuses = ['processing', 'processing', 'ready'];
    srv.routes.set('GET /datasets/:id', () => ({ json: { dataset_id: 'ds_9', name: 'cats', format: 'imagefolder', status: statuses.shift() ?? 'ready', size_mb: 1, file_count: 3 } }));
    let validates = 0;
    srv.routes.set('POST /datasets/:id/validate', () =>
      ++validates === 1
        ? { status: 409, json: { error: { code: 'CONFLICT', message: 'still processing', request_id: 'req_p' } } }
        : { json: { dataset_id: 'ds_9', valid: true, issues: [], recommendations: [] } },
    );
    const v = await w.service.validateDataset('ds_9');
    expect(v).toMatchObject({ datasetId: 'ds_9', valid: true });
    expect(validates).toBe(2);
    // Two reads said processing (two waits), the third ready; then the 409 (one wait) and a read again before the retry.
    expect(srv.requests.filter((r) => r.path === '/datasets/ds_9').length).toBe(4);
    expect(w.sleeps.length).toBeGreaterThanOrEqual(3);
  });

  it('a dataset that stays processing is not validated for ever: after the wait the platform’s refusal is the answer', async () => {
    w.close();
    fs.rmSync(w.dir, { recursive: true, force: true });
    w = wire(srv.url, { extra: { processingWaitMs: 0 } });
    await signIn();
    srv.routes.set('GET /datasets/:id', () => ({ json: { dataset_id: 'ds_9', name: 'cats', format: 'imagefolder', status: 'processing', size_mb: 1, file_count: 3 } }));
    srv.routes.set('POST /datasets/:id/validate', () => ({ status: 409, json: { error: { code: 'CONFLICT', message: 'still processing', request_id: 'req_p' } } }));
    const e = await caught(w.service.validateDataset('ds_9'));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toContain('req_p');
  });
});

describe('errors', () => {
  beforeEach(signIn);

  it.each([
    [400, 'INVALID_REQUEST', 'INVALID_INPUT'],
    [403, 'FORBIDDEN', 'FORBIDDEN'],
    [404, 'NOT_FOUND', 'NOT_FOUND'],
    [409, 'CONFLICT', 'CONFLICT'],
    [500, 'INTERNAL_ERROR', 'REMOTE'],
  ] as const)('HTTP %i (%s) → %s with the platform’s words and its request id kept for support', async (status, code, appCode) => {
    srv.routes.set('GET /workflows/:id', () => ({ status, json: { error: { code, message: 'Something specific happened', details: { field: 'model', reason: "Model 'resnet999' not found" }, request_id: 'req_abc123' } } }));
    const e = await caught(w.service.getWorkflow('wf_x', { offline: false }));
    expect(e.code).toBe(appCode);
    expect(e.details).toMatchObject({ service: 'vision', status, serviceCode: code, requestId: 'req_abc123' });
    expect(e.message).toContain('req_abc123');
    expect(e.message).not.toMatch(/Bearer|acc-1/);
  });

  it('422 VALIDATION_ERROR keeps details.errors[] as field errors and names them in the sentence', async () => {
    srv.routes.set('GET /user/profile', () => ({ json: { plan: 'pro' } }));
    srv.routes.set('GET /workflows', () => ({ json: { workflows: [], total: 0 } }));
    srv.routes.set('POST /workflows', () => ({
      status: 422,
      json: {
        error: {
          code: 'VALIDATION_ERROR',
          message: 'Request validation failed',
          details: { errors: [{ field: 'epochs', message: 'Must be between 1 and 1000', value: 5000 }, { field: 'batch_size', message: 'Must be a positive integer', value: -32 }] },
        },
      },
    }));
    const e = await caught(w.service.createWorkflow({ name: 'x', taskType: 'classification', model: 'resnet50', datasetId: 'ds_1', classNames: ['a', 'b'], hyperparameters: { epochs: 5000 } }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details?.fieldErrors).toEqual([
      { field: 'epochs', message: 'Must be between 1 and 1000', value: 5000 },
      { field: 'batch_size', message: 'Must be a positive integer', value: -32 },
    ]);
    expect(e.message).toMatch(/epochs: Must be between 1 and 1000/);
    // A create call is never repeated on a refusal.
    expect(srv.requests.filter((r) => r.method === 'POST' && r.path === '/workflows')).toHaveLength(1);
  });

  it('503 is retried with back-off until it answers; a create call after a 503 is not repeated', async () => {
    let n = 0;
    // Every reply carries the rate window's reset (a minute away): for a 503 that is not how long to wait.
    const rate = () => ({ 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '200', 'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000) + 60) });
    srv.routes.set('GET /datasets', () => (++n < 3 ? { status: 503, headers: rate(), json: { error: { code: 'SERVICE_UNAVAILABLE', message: 'down' } } } : { headers: rate(), json: { datasets: [] } }));
    expect((await w.service.listDatasets()).datasets).toEqual([]);
    expect(n).toBe(3);
    expect(w.sleeps.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...w.sleeps)).toBeLessThan(1000); // back-off steps, not the rate window
    srv.routes.set('POST /chat/message', () => ({ status: 503, json: { error: { code: 'SERVICE_UNAVAILABLE', message: 'down' } } }));
    const e = await caught(w.service.chatSend({ message: 'hi' }));
    expect(e.code).toBe('REMOTE');
    expect(srv.requests.filter((r) => r.path === '/chat/message')).toHaveLength(1);
  });

  it('a body that is not the seed’s shape still gives a plain sentence (HTML error page)', async () => {
    srv.routes.set('GET /datasets', () => ({ status: 502, text: '<html><body><h1>Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } }));
    const e = await caught(w.service.listDatasets());
    expect(e.code).toBe('REMOTE');
    expect(e.message).not.toMatch(/<html|<h1/);
  });
});

describe('rate limits', () => {
  beforeEach(signIn);

  it('429 with X-RateLimit-Reset: waits until the reset (once), says until when, then succeeds — two requests, no hammering', async () => {
    let n = 0;
    const resetAt = Math.ceil(Date.now() / 1000) + 30;
    srv.routes.set('GET /models', () =>
      ++n === 1
        ? {
            status: 429,
            headers: { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(resetAt) },
            json: { error: { code: 'RATE_LIMIT_EXCEEDED', message: 'Rate limit exceeded', details: { limit: 300, reset_at: new Date(resetAt * 1000).toISOString() } } },
          }
        : { headers: { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '299', 'X-RateLimit-Reset': String(resetAt + 60) }, json: { models: [{ model_id: 'resnet50' }] } },
    );
    const r = await w.service.models();
    expect(r.models.map((m) => m.modelId)).toEqual(['resnet50']);
    expect(n).toBe(2);
    const waited = w.sleeps.filter((ms) => ms > 1000);
    expect(waited).toHaveLength(1);
    expect(waited[0]).toBeGreaterThan(25_000);
    expect(waited[0]).toBeLessThanOrEqual(31_500);
    const ev = w.of('vision.rateLimited');
    expect(ev).toHaveLength(1);
    expect(Math.abs(Date.parse(ev[0]!.until) - resetAt * 1000)).toBeLessThan(1500);
    expect(ev[0]).toMatchObject({ limit: 300, remaining: 0 });
    expect(w.service.rateLimit()).toMatchObject({ limit: 300, remaining: 299 });
  });

  it('a 429 whose reset is only in the body (details.reset_at) is waited for too; a create call refused with 429 is sent again after the wait', async () => {
    let n = 0;
    srv.routes.set('POST /chat/message', () =>
      ++n === 1
        ? { status: 429, json: { error: { code: 'RATE_LIMIT_EXCEEDED', message: 'Rate limit exceeded', details: { limit: 60, reset_at: new Date(Date.now() + 20_000).toISOString() } } } }
        : { json: { type: 'clarification_needed', questions: [] } },
    );
    const r = await w.service.chatSend({ message: 'hello' });
    expect(r.type).toBe('clarification_needed');
    expect(n).toBe(2);
    expect(w.sleeps.some((ms) => ms > 15_000 && ms <= 21_500)).toBe(true);
    expect(w.of('vision.rateLimited')).toHaveLength(1);
  });

  it('slows down before the limit: with none left in the window the next request waits for the reset; with a few left they are spaced', async () => {
    const reset = Math.ceil(Date.now() / 1000) + 10;
    let remaining = 2;
    srv.routes.set('GET /datasets', () => ({ headers: { 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': String(Math.max(0, --remaining)), 'X-RateLimit-Reset': String(reset) }, json: { datasets: [] } }));
    await w.service.listDatasets(); // remaining 1 after this
    const before = w.sleeps.length;
    await w.service.listDatasets(); // spaced: 1 left of 60
    expect(w.sleeps.length).toBe(before + 1);
    expect(w.sleeps.at(-1)!).toBeGreaterThan(1000);
    await w.service.listDatasets(); // 0 left: waits for the reset
    expect(w.sleeps.at(-1)!).toBeGreaterThan(5000);
    expect(w.of('vision.rateLimited').length).toBeGreaterThanOrEqual(1);
    expect(srv.requests.filter((r) => r.path === '/datasets')).toHaveLength(3);
  });

  it('a reset too far away is not sat through: RATE_LIMITED saying until when', async () => {
    const reset = Math.ceil(Date.now() / 1000) + 3600;
    srv.routes.set('GET /datasets', () => ({ status: 429, headers: { 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) }, json: { error: { code: 'RATE_LIMIT_EXCEEDED', message: 'Rate limit exceeded' } } }));
    const e = await caught(w.service.listDatasets());
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.details?.retryAfterMs).toBeGreaterThan(3_000_000);
    expect(srv.requests.filter((r) => r.path === '/datasets')).toHaveLength(1);
    // The next call does not even go out before the reset.
    const again = await caught(w.service.listDatasets());
    expect(again.code).toBe('RATE_LIMITED');
    expect(srv.requests.filter((r) => r.path === '/datasets')).toHaveLength(1);
  });
});

describe('plan limits before the creator hits them', () => {
  beforeEach(signIn);

  it('profile shows the plan’s concurrent-workflow limit and GPU hours; a create beyond the limit is refused before anything is sent', async () => {
    srv.routes.set('GET /user/profile', () => ({ json: { user_id: 'u1', email: 'kim@example.com', name: '홍길동', plan: 'free', usage: { gpu_hours_used: 45.5, gpu_hours_limit: 100, storage_gb_used: 12.3, storage_gb_limit: 50 } } }));
    srv.routes.set('GET /workflows', (r) => ({ json: { workflows: r.query.get('status') === 'training' ? [{ workflow_id: 'wf_a', status: 'training' }] : [], total: r.query.get('status') === 'training' ? 1 : 0 } }));
    const p = await w.service.profile();
    expect(p).toMatchObject({ plan: 'free', usage: { gpuHoursUsed: 45.5, gpuHoursLimit: 100 }, limits: { concurrentWorkflows: 1, requestsPerMinute: 60 }, activeWorkflows: 1, blockedProblem: 'CONCURRENT_LIMIT' });
    expect(p.blocked).toMatch(/at most 1 workflow/);
    const e = await caught(w.service.createWorkflow({ name: 'x', taskType: 'classification', model: 'resnet50', datasetId: 'ds_1', classNames: ['a', 'b'] }));
    expect(e.code).toBe('CONFLICT');
    expect(e.details?.visionProblem).toBe('CONCURRENT_LIMIT');
    expect(srv.requests.filter((r) => r.method === 'POST' && r.path === '/workflows')).toHaveLength(0);
  });

  it('creates a workflow with the seed’s body (config.task_type, model, dataset_id, hyperparameters) plus the class names; 201 with queue position', async () => {
    srv.routes.set('GET /user/profile', () => ({ json: { plan: 'pro', usage: {} } }));
    srv.routes.set('GET /workflows', () => ({ json: { workflows: [], total: 0 } }));
    srv.routes.set('POST /workflows', () => ({ status: 201, json: { workflow_id: 'wf_789xyz', name: '고양이 분류 모델', status: 'pending', created_at: '2025-10-17T10:00:00Z', estimated_duration_minutes: 30, queue_position: 2 } }));
    const wf = await w.service.createWorkflow(
      { name: '고양이 분류 모델', description: '치즈, 나비, 츄르 3종류 분류', taskType: 'classification', model: 'resnet50', datasetId: 'ds_123', classNames: ['치즈', '나비', '츄르'], hyperparameters: { epochs: 100, batchSize: 32, learningRate: 0.001 } },
      { follow: false },
    );
    expect(srv.requests.find((r) => r.method === 'POST' && r.path === '/workflows')!.json).toEqual({
      name: '고양이 분류 모델',
      description: '치즈, 나비, 츄르 3종류 분류',
      config: { task_type: 'classification', model: 'resnet50', dataset_id: 'ds_123', hyperparameters: { epochs: 100, batch_size: 32, learning_rate: 0.001 }, num_classes: 3, class_names: ['치즈', '나비', '츄르'] },
    });
    expect(wf).toMatchObject({ workflowId: 'wf_789xyz', state: 'pending', queuePosition: 2, estimatedDurationMinutes: 30, classNames: ['치즈', '나비', '츄르'], startedHere: true, totalEpochs: 100 });
  });
});

describe('export 404', () => {
  beforeEach(signIn);

  it('pull on a platform without the export: NOT_FOUND with EXPORT_NOT_OFFERED pointing to cloud inference; no file left behind', async () => {
    srv.routes.set('GET /workflows/:id', () => ({ json: { workflow_id: 'wf_1', name: 'cats', status: 'completed', metrics: { accuracy: 0.9 } } }));
    srv.routes.set('GET /workflows/:id/export', () => ({ status: 404, json: { error: { code: 'NOT_FOUND', message: 'Not Found', request_id: 'req_e1' } } }));
    const e = await caught(w.service.pull('wf_1'));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.details).toMatchObject({ visionProblem: 'EXPORT_NOT_OFFERED', requestId: 'req_e1' });
    expect(e.message).toMatch(/offers no download/);
    expect(e.message).toMatch(/cloud inference/);
    expect(srv.requests.find((r) => r.path === '/workflows/wf_1/export')!.query.get('format')).toBe('onnx');
    const tmp = `${w.dir}/tmp`;
    expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
    expect(w.db.prepare(`SELECT COUNT(*) AS n FROM models`).get()).toEqual({ n: 0 });
  });

  it('pull on a workflow still training: CONFLICT NOT_FINISHED, the export is not asked', async () => {
    srv.routes.set('GET /workflows/:id', () => ({ json: { workflow_id: 'wf_1', status: 'training' } }));
    const e = await caught(w.service.pull('wf_1'));
    expect(e.details?.visionProblem).toBe('NOT_FINISHED');
    expect(srv.requests.some((r) => r.path.endsWith('/export'))).toBe(false);
  });
});

describe('bad input is refused with a clear error before anything is sent', () => {
  beforeEach(signIn);

  it('upload: a missing file, an empty file, a folder, no name, no format; predict: not an image, an empty image', async () => {
    const before = srv.requests.length;
    const empty = `${w.dir}/empty.zip`;
    fs.writeFileSync(empty, '');
    const zip = `${w.dir}/ok.zip`;
    fs.writeFileSync(zip, 'PK');
    const cases: [Promise<unknown>, string, RegExp][] = [
      [w.service.uploadDataset(`${w.dir}/nope.zip`, { name: 'd', format: 'coco' }), 'NOT_FOUND', /No dataset file/],
      [w.service.uploadDataset(empty, { name: 'd', format: 'coco' }), 'INVALID_INPUT', /is empty/],
      [w.service.uploadDataset(w.dir, { name: 'd', format: 'coco' }), 'INVALID_INPUT', /not a file .*kraken dataset pack/],
      [w.service.uploadDataset(zip, { name: '  ', format: 'coco' }), 'INVALID_INPUT', /needs a name/],
      [w.service.uploadDataset(zip, { name: 'd', format: '' }), 'INVALID_INPUT', /needs a format/],
      [w.service.predict('wf_1', zip), 'INVALID_INPUT', /not an image/],
      [w.service.predict('wf_1', (fs.writeFileSync(`${w.dir}/e.png`, ''), `${w.dir}/e.png`)), 'INVALID_INPUT', /is empty/],
    ];
    for (const [p, code, msg] of cases) {
      const e = await caught(p);
      expect([e.code, e.message]).toEqual([code, expect.stringMatching(msg)]);
    }
    expect(srv.requests.length).toBe(before);
    expect(fs.existsSync(zip)).toBe(true); // nothing of the creator's is touched
  });

  it('an upload the platform refuses (413) is a plain sentence; the file stays', async () => {
    srv.routes.set('POST /datasets/upload', () => ({ status: 413, json: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'File too large', request_id: 'req_u1' } } }));
    const zip = `${w.dir}/big.zip`;
    fs.writeFileSync(zip, Buffer.alloc(2048, 1));
    const e = await caught(w.service.uploadDataset(zip, { name: 'big', format: 'imagefolder' }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/File too large|too large/);
    expect(e.details?.requestId).toBe('req_u1');
    expect(fs.statSync(zip).size).toBe(2048);
    expect(w.db.prepare('SELECT COUNT(*) AS n FROM vision_datasets').get()).toEqual({ n: 0 });
  });
});
