import { describe, expect, it } from 'vitest';
import type { VisionMetricPoint, VisionQuestion } from '../../../../main/common/contract';
import {
  accuracyOf,
  answersContext,
  assignToBin,
  binProblems,
  binsToSources,
  composeAnswers,
  configProblems,
  fieldErrorsOf,
  mergePoints,
  metricSeries,
  missingRequired,
  parseClassList,
  usageShare,
  workflowFraction,
  type ClassBin,
} from './training-rules';

const questions: VisionQuestion[] = [
  { id: 'q1', field: 'class_names', question: '3종류가 구체적으로 어떤 클래스인가요?', required: true, suggestions: [] },
  { id: 'q2', field: 'dataset', question: '데이터셋은 어디에 있나요?', required: true, suggestions: ['my-drive/cats', 'uploaded-datasets'] },
  { id: 'q3', field: 'epochs', question: 'How many epochs?', required: false, suggestions: ['10'] },
];

describe('chat answers', () => {
  it('lists the required questions still open (spaces are no answer)', () => {
    expect(missingRequired(questions, {}).map((q) => q.id)).toEqual(['q1', 'q2']);
    expect(missingRequired(questions, { q1: '치즈, 나비, 츄르', q2: '  ' }).map((q) => q.id)).toEqual(['q2']);
    expect(missingRequired(questions, { q1: 'a', q2: 'ds_1' })).toEqual([]);
  });
  it('composes the next message as field: answer lines in question order, and the same as context', () => {
    const a = { q2: 'ds_1', q1: ' 치즈, 나비, 츄르 ', q3: '' };
    expect(composeAnswers(questions, a)).toBe('class_names: 치즈, 나비, 츄르\ndataset: ds_1');
    expect(answersContext(questions, a)).toEqual({ class_names: ['치즈', '나비', '츄르'], dataset: 'ds_1', dataset_id: 'ds_1' });
    expect(answersContext(questions, { q3: '12' })).toEqual({ epochs: 12 });
  });
  it('parses class lists with commas, semicolons, ideographic commas and lines; drops repeats', () => {
    expect(parseClassList('치즈, 나비;츄르\n나비、 ')).toEqual(['치즈', '나비', '츄르']);
  });
  it('says what an edited config lacks', () => {
    expect(configProblems({ taskType: 'classification', modelName: 'resnet50', classNames: ['a'], datasetId: 'ds_1', hyperparameters: { epochs: 5 } })).toEqual([]);
    expect(configProblems({ taskType: null, modelName: ' ', classNames: [], datasetId: null, hyperparameters: { epochs: 0, batchSize: 2.5, learningRate: 0 } })).toEqual([
      'task',
      'model',
      'classes',
      'dataset',
      'epochs',
      'batchSize',
      'learningRate',
    ]);
  });
});

describe('class bins', () => {
  const bins: ClassBin[] = [
    { name: 'cat', frameSetIds: [1], imageIds: [] },
    { name: 'dog', frameSetIds: [], imageIds: [7] },
  ];
  it('moves an item into one bin and out of the others', () => {
    const moved = assignToBin(bins, 1, { frameSetId: 1 });
    expect(moved.map((b) => b.frameSetIds)).toEqual([[], [1]]);
    const img = assignToBin(moved, 0, { imageId: 7 });
    expect(img.map((b) => b.imageIds)).toEqual([[7], []]);
  });
  it('turns bins into sources (trimmed names, unnamed bins left out)', () => {
    expect(binsToSources([...bins, { name: '  ', frameSetIds: [9], imageIds: [] }, { name: ' owl ', frameSetIds: [2], imageIds: [3] }])).toEqual({
      frameSets: [
        { frameSetId: 1, className: 'cat' },
        { frameSetId: 2, className: 'owl' },
      ],
      images: [
        { imageId: 7, className: 'dog' },
        { imageId: 3, className: 'owl' },
      ],
    });
  });
  it('names empty, repeated and unnamed bins', () => {
    expect(binProblems([])).toEqual([{ code: 'noBins' }]);
    expect(binProblems([...bins, { name: 'cat', frameSetIds: [], imageIds: [] }, { name: '', frameSetIds: [4], imageIds: [] }])).toEqual([
      { code: 'duplicateName', bin: 2 },
      { code: 'emptyBin', bin: 2 },
      { code: 'emptyName', bin: 3 },
    ]);
  });
});

const pt = (epoch: number, metrics: Record<string, number>, source: VisionMetricPoint['source'] = 'ws'): VisionMetricPoint => ({ epoch, step: null, timestamp: null, metrics, etaMinutes: null, gpuUtilization: null, memoryUsageGb: null, source });

describe('metrics', () => {
  it('merges points once per epoch in order (a later reading wins), as after a reconnect', () => {
    const merged = mergePoints([pt(1, { loss: 2 }), pt(3, { loss: 1 })], [pt(2, { loss: 1.5 }, 'history'), pt(3, { loss: 0.9 })]);
    expect(merged.map((p) => [p.epoch, p.metrics.loss])).toEqual([
      [1, 2],
      [2, 1.5],
      [3, 0.9],
    ]);
  });
  it('builds aligned series with null where an epoch lacks a metric', () => {
    expect(metricSeries([pt(2, { loss: 1, val_loss: 1.2 }), pt(1, { loss: 2 })], ['loss', 'val_loss'])).toEqual([
      [1, 2],
      [2, 1],
      [null, 1.2],
    ]);
  });
});

describe('errors and numbers', () => {
  it('reads 422 field errors by form field', () => {
    const err = { code: 'INVALID_INPUT', details: { fieldErrors: [{ field: 'epochs', message: 'Must be between 1 and 1000' }, { field: 'hyperparameters.batch_size', message: 'Must be a positive integer' }, { field: 'epochs', message: 'second' }] } };
    expect(fieldErrorsOf(err)).toEqual({ epochs: 'Must be between 1 and 1000', batchSize: 'Must be a positive integer' });
    expect(fieldErrorsOf(new Error('x'))).toEqual({});
  });
  it('progress, usage shares and offline accuracy', () => {
    expect(workflowFraction({ state: 'training', percentage: 45, currentEpoch: null, totalEpochs: null })).toBe(0.45);
    expect(workflowFraction({ state: 'training', percentage: null, currentEpoch: 3, totalEpochs: 12 })).toBe(0.25);
    expect(workflowFraction({ state: 'completed', percentage: 80, currentEpoch: null, totalEpochs: null })).toBe(1);
    expect(workflowFraction({ state: 'pending', percentage: null, currentEpoch: null, totalEpochs: null })).toBeNull();
    expect(usageShare(45.5, 100)).toBe(0.455);
    expect(usageShare(120, 100)).toBe(1);
    expect(usageShare(null, 100)).toBeNull();
    expect(accuracyOf([{ expected: 'a', top: 'a' }, { expected: 'b', top: 'a' }, { expected: 'b', top: 'b' }, { expected: 'c', top: null }])).toBe(0.5);
  });
});
