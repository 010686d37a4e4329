import { afterEach, describe, expect, it } from 'vitest';
import { api, classZip, readyDataset, start, tempDir, upload } from './test-kit';
import type { VisionEmulator } from './emulator';
import { findClassNames, findModel, findNumClasses, findTask } from './intent';

let em: VisionEmulator | null = null;
afterEach(async () => {
  await em?.close();
  em = null;
});

const chat = (token: string, session_id: string, message: string, context: Record<string, unknown> = {}) => api(em!, 'POST', '/chat/message', { token, json: { session_id, message, context } });

describe('POST /chat/message (seed 001 §1)', () => {
  it("the seed's own Korean example → clarification_needed exactly as the seed shows, then the answers → intent_complete", async () => {
    const s = await start();
    em = s.em;
    const r = await chat(s.token, 'sess_abc123', 'ResNet50으로 고양이 3종류 분류하는 모델 만들어줘');
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('clarification_needed');
    expect(r.body.parsed_intent).toEqual({ task_type: 'classification', model: 'resnet50', num_classes: 3, confidence: 0.95 });
    expect(r.body.questions).toEqual([
      { id: 'q1', field: 'class_names', question: '3종류가 구체적으로 어떤 클래스인가요? (예: 페르시안, 코숏, 러시안블루)', required: true, suggestions: [] },
      { id: 'q2', field: 'dataset', question: '데이터셋은 어디에 있나요?', required: true, suggestions: [] },
    ]);
    expect(r.body.message).toBe('좋아요! ResNet50으로 3종류 분류 모델을 만들어드릴게요. 몇 가지만 확인할게요.');
    const a = await chat(s.token, 'sess_abc123', '치즈, 나비, 츄르');
    expect(a.body.type).toBe('clarification_needed');
    expect(a.body.parsed_intent.class_names).toEqual(['치즈', '나비', '츄르']);
    expect(a.body.questions.map((q: any) => q.field)).toEqual(['dataset']);
    const up = await upload(em, s.token, await classZip(tempDir(), 3, { names: ['치즈', '나비', '츄르'] }));
    await em.waitForDataset(up.body.dataset_id);
    const ds = up.body.dataset_id as string;
    const done = await chat(s.token, 'sess_abc123', `${ds} 에 있어요`);
    expect(done.body).toMatchObject({
      type: 'intent_complete',
      training_config: {
        task_type: 'classification',
        model_name: 'resnet50',
        model_source: 'timm',
        num_classes: 3,
        class_names: ['치즈', '나비', '츄르'],
        dataset: { source: 'uploaded', dataset_id: ds },
        hyperparameters: { epochs: 100, batch_size: 32, learning_rate: 0.001, optimizer: 'adam' },
      },
      message: '모든 설정이 완료되었습니다! 학습을 시작하시겠어요?',
      actions: [
        { type: 'start_training', label: '학습 시작' },
        { type: 'edit_config', label: '설정 수정' },
      ],
    });
    const sess = (await api(em, 'GET', '/chat/sessions/sess_abc123', { token: s.token })).body;
    expect(sess).toMatchObject({ session_id: 'sess_abc123', status: 'active' });
    expect(sess.messages).toHaveLength(6);
    expect(sess.messages[0]).toMatchObject({ role: 'user', content: 'ResNet50으로 고양이 3종류 분류하는 모델 만들어줘' });
    expect(sess.messages[1].role).toBe('assistant');
    expect(Object.keys(sess.messages[0]).sort()).toEqual(['content', 'role', 'timestamp']);
    expect(Object.keys(sess).sort()).toEqual(['created_at', 'messages', 'session_id', 'status', 'updated_at']);
  });

  it('English, with "default": the dataset suggestion and its classes are taken', async () => {
    const s = await start();
    em = s.em;
    const ds = await readyDataset(em, s.token, tempDir(), 3);
    const r = await chat(s.token, 'sess_en', 'Train a ResNet50 to classify 3 kinds of toys');
    expect(r.body.type).toBe('clarification_needed');
    expect(r.body.message).toBe("Great! I'll build a 3-class classification model with ResNet50. A few questions first.");
    expect(r.body.questions[0].question).toBe('Which 3 classes exactly? (e.g. Persian, Korean Shorthair, Russian Blue)');
    expect(r.body.questions[1].suggestions).toEqual([ds]);
    const d = await chat(s.token, 'sess_en', 'default');
    expect(d.body.type).toBe('intent_complete');
    expect(d.body.training_config.class_names).toEqual(['disc', 'noise', 'stripes']);
    expect(d.body.training_config.dataset.dataset_id).toBe(ds);
    expect(d.body.actions[0].label).toBe('Start training');
    // the config starts a workflow as it is
    const w = await api(em, 'POST', '/workflows', { token: s.token, json: { name: 'from chat', config: { ...d.body.training_config, hyperparameters: { epochs: 1 } } } });
    expect(w.status).toBe(201);
  });

  it('one message with everything → intent_complete at once; a detection request; hyperparameters read', async () => {
    const s = await start();
    em = s.em;
    const ds = await readyDataset(em, s.token, tempDir(), 3);
    const r = await chat(s.token, 's1', `efficientnet으로 클래스는 noise, stripes, disc 분류, 데이터셋 ${ds}, 30 epochs, batch size 16, lr 0.01, sgd`);
    expect(r.body.type).toBe('intent_complete');
    expect(r.body.training_config).toMatchObject({ model_name: 'efficientnet_b0', class_names: ['noise', 'stripes', 'disc'], hyperparameters: { epochs: 30, batch_size: 16, learning_rate: 0.01, optimizer: 'sgd' } });
    const d = await chat(s.token, 's2', 'YOLOv8로 사람이랑 자동차 탐지하는 모델');
    expect(d.body.parsed_intent).toMatchObject({ task_type: 'detection', model: 'yolov8n' });
    expect(d.body.questions.map((q: any) => q.field)).toEqual(['dataset']);
    const t = await chat(s.token, 's3', '모델 하나 만들어줘');
    expect(t.body.questions[0]).toMatchObject({ field: 'task_type', suggestions: ['classification', 'detection', 'segmentation'] });
  });

  it('422 without a message; sessions: 404 unknown, 403 another user, DELETE → 204 then 404', async () => {
    const s = await start();
    em = s.em;
    const v = await api(em, 'POST', '/chat/message', { token: s.token, json: { session_id: 'x' } });
    expect(v.status).toBe(422);
    expect(v.body.error.details.errors[0].field).toBe('message');
    await chat(s.token, 'sess_mine', '분류 모델');
    expect((await api(em, 'GET', '/chat/sessions/sess_none', { token: s.token })).status).toBe(404);
    em.createUser({ email: 'other@example.com', password: 'pw' });
    const other = em.tokensFor('other@example.com').access_token;
    expect((await api(em, 'GET', '/chat/sessions/sess_mine', { token: other })).status).toBe(403);
    expect((await chat(other, 'sess_mine', 'hi')).status).toBe(403);
    const del = await api(em, 'DELETE', '/chat/sessions/sess_mine', { token: s.token });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await api(em, 'GET', '/chat/sessions/sess_mine', { token: s.token })).status).toBe(404);
  });
});

describe('class names that are not the dataset\'s', () => {
  it('are asked again with the dataset\'s classes as suggestions; "기본값" takes them', async () => {
    const s = await start();
    em = s.em;
    const ds = await readyDataset(em, s.token, tempDir(), 3);
    const r = await chat(s.token, 'sx', `ResNet50으로 치즈, 나비 분류, 데이터셋 ${ds}`);
    expect(r.body.type).toBe('clarification_needed');
    expect(r.body.questions).toEqual([{ id: 'q1', field: 'class_names', question: `데이터셋 ${ds}의 클래스는 disc, noise, stripes입니다. 이 클래스로 학습할까요? (그대로 쓰려면 '기본값')`, required: true, suggestions: ['disc', 'noise', 'stripes'] }]);
    const d = await chat(s.token, 'sx', '기본값');
    expect(d.body.type).toBe('intent_complete');
    expect(d.body.training_config).toMatchObject({ num_classes: 3, class_names: ['disc', 'noise', 'stripes'] });
    const w = await api(em, 'POST', '/workflows', { token: s.token, json: { name: 'chat', config: { ...d.body.training_config, hyperparameters: { epochs: 1 } } } });
    expect(w.status).toBe(201);
  });
});

describe('the parser', () => {
  it('reads models, tasks, counts and class lists in Korean and English', () => {
    expect(findModel('ResNet-50 써줘', null)).toBe('resnet50');
    expect(findModel('resnet101', null)).toBe('resnet101');
    expect(findModel('DETR ResNet-50 detector', null)).toBe('detr-resnet-50');
    expect(findModel('yolo로 분할', 'segmentation')).toBe('yolov8n-seg');
    expect(findModel('an activity tracker', null)).toBe(null);
    expect(findTask('고양이 분류')).toBe('classification');
    expect(findTask('detect cars')).toBe('detection');
    expect(findTask('배경 분할')).toBe('segmentation');
    expect(findNumClasses('고양이 세 종류')).toBe(3);
    expect(findNumClasses('5 classes')).toBe(5);
    expect(findNumClasses('three kinds of birds')).toBe(3);
    expect(findClassNames('치즈와 나비', true)).toEqual(['치즈', '나비']);
    expect(findClassNames('persian, siamese and bengal', true)).toEqual(['persian', 'siamese', 'bengal']);
    expect(findClassNames('classes: cat, dog', false)).toEqual(['cat', 'dog']);
    expect(findClassNames('고양이(치즈, 나비, 츄르) 분류', false)).toEqual(['치즈', '나비', '츄르']);
  });
});

describe('models (seed 001 §4)', () => {
  it('list with the seed fields and filters; detail with input_size and supported_backends incl. onnx; 404', async () => {
    const s = await start();
    em = s.em;
    const all = (await api(em, 'GET', '/models', { token: s.token })).body;
    expect(all.total).toBe(all.models.length);
    expect(all).toMatchObject({ page: 1, limit: 20 });
    const cls = (await api(em, 'GET', '/models?task_type=classification&framework=timm&page=1&limit=20', { token: s.token })).body;
    expect(cls.models.every((m: any) => m.task_types.includes('classification') && m.framework === 'timm')).toBe(true);
    expect(cls.models[0]).toEqual({
      model_id: 'resnet50',
      name: 'ResNet50',
      framework: 'timm',
      task_types: ['classification'],
      parameters: '25.6M',
      pretrained_weights: ['imagenet', 'imagenet21k'],
      description: 'Deep residual network with 50 layers',
      metrics: { imagenet_top1: 0.7613, imagenet_top5: 0.9291 },
    });
    const det = (await api(em, 'GET', '/models?task_type=detection', { token: s.token })).body.models;
    expect(det.find((m: any) => m.model_id === 'yolov8n')).toEqual({
      model_id: 'yolov8n',
      name: 'YOLOv8 Nano',
      framework: 'ultralytics',
      task_types: ['detection'],
      parameters: '3.2M',
      pretrained_weights: ['coco'],
      description: 'Ultralytics YOLOv8 nano model for object detection',
    });
    expect((await api(em, 'GET', '/models?search=yolo', { token: s.token })).body.models.every((m: any) => /yolo/i.test(m.name))).toBe(true);
    expect((await api(em, 'GET', '/models?limit=2&page=2', { token: s.token })).body.models).toHaveLength(2);
    expect((await api(em, 'GET', '/models?task_type=ocr', { token: s.token })).status).toBe(400);
    const d = (await api(em, 'GET', '/models/resnet50', { token: s.token })).body;
    expect(d).toMatchObject({ input_size: [224, 224, 3], supported_backends: ['pytorch', 'onnx'], example_usage: "import timm\nmodel = timm.create_model('resnet50', pretrained=True)", documentation_url: 'https://pytorch.org/vision/stable/models.html#resnet' });
    expect(Object.keys(d)).toEqual(['model_id', 'name', 'framework', 'task_types', 'parameters', 'pretrained_weights', 'description', 'input_size', 'supported_backends', 'metrics', 'example_usage', 'documentation_url']);
    const nf = await api(em, 'GET', '/models/resnet999', { token: s.token });
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('NOT_FOUND');
    expect((await api(em, 'GET', '/models')).status).toBe(401);
  });
});
